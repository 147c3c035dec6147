import { appendFileSync, closeSync, fdatasync, openSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '@fq/contracts';
import { preparePrivateFile } from '../state/state-dir';
import { AuditRecord } from './audit-record.schema';

/** A record that does not match `AuditRecord` reached the writer: a bug, so it is thrown and nothing is written. */
export class AuditRecordInvalidError extends Error {
  override readonly name = 'AuditRecordInvalidError';
  readonly code = 'SITE_AUDIT_RECORD_INVALID';
}

/** A line waiting for the next group commit, and who is waiting for it. */
interface PendingLine {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The site's append-only audit log: one JSON object per line, each flushed to disk before `append` resolves.
 * The file is only ever opened for appending; existing lines are never rewritten.
 *
 * Lines are committed in groups: while one sync is under way, new lines wait, and the next write and sync cover all
 * of them. Queries handled at the same time then share one sync instead of queueing for one each.
 */
export class AuditLogWriter {
  private pending: PendingLine[] = [];
  private committing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  /** Opens the audit log for appending: created 0600 (its directory 0700 if missing), narrowed to 0600 if it was not. */
  static async open(file: string): Promise<AuditLogWriter> {
    await preparePrivateFile(file);
    return new AuditLogWriter(file, openSync(file, 'a', PRIVATE_FILE_MODE));
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
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      // The first group starts once the current round of I/O callbacks is done: queries that arrived together then
      // share one sync (each costs about 0.1 ms of CPU and a journal commit) instead of one going ahead alone.
      this.committing ??= new Promise<void>((started) => setImmediate(started)).then(() => this.commitGroups());
    });
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.committing;
    closeSync(this.fd);
  }

  private async commitGroups(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        // A synchronous append costs microseconds; the sync runs off the event loop while the next group gathers.
        appendFileSync(this.fd, group.map((entry) => entry.line).join(''), 'utf8');
        await syncData(this.fd);
        group.forEach((entry) => entry.resolve());
      } catch (error) {
        // The callers of this group see the failure; later groups try again.
        group.forEach((entry) => entry.reject(error));
      }
    }
    this.committing = null;
  }
}

function syncData(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error === null ? resolve() : reject(error))));
}
