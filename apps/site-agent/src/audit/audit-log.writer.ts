import { appendFileSync, closeSync, fdatasyncSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditRecord } from './audit-record.schema';

/** A record that does not match `AuditRecord` reached the writer: a bug, so it is thrown and nothing is written. */
export class AuditRecordInvalidError extends Error {
  override readonly name = 'AuditRecordInvalidError';
  readonly code = 'SITE_AUDIT_RECORD_INVALID';
}

/**
 * The site's append-only audit log: one JSON object per line, each flushed to disk before `append` resolves.
 * The file is only ever opened for appending; existing lines are never rewritten.
 */
export class AuditLogWriter {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  /** Opens (creating it and its directory if needed) the audit log for appending. */
  static async open(file: string): Promise<AuditLogWriter> {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    return new AuditLogWriter(file, openSync(file, 'a', 0o640));
  }

  /** Validates and appends one record; resolves once the line is on disk. Appends are written in call order. */
  append(record: AuditRecord): Promise<void> {
    const parsed = AuditRecord.safeParse(record);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
      return Promise.reject(new AuditRecordInvalidError(`refusing to write an invalid audit record: ${fields}`));
    }
    if (this.closed) {
      return Promise.reject(new Error(`audit log ${this.file} is closed`));
    }
    const line = `${JSON.stringify(parsed.data)}\n`;
    // Synchronous calls: a promise-based append cost a site more CPU than the rest of a query, and the site handles
    // one query at a time, so the fsync's wait (under a millisecond) holds up nothing else.
    const write = this.queue.then(() => {
      appendFileSync(this.fd, line, 'utf8');
      fdatasyncSync(this.fd);
    });
    // A failed write must not poison later ones; the caller of this append sees the failure.
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.queue;
    closeSync(this.fd);
  }
}
