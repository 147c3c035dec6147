import { openSync } from 'node:fs';
import type { QueryEnvelope } from '@fq/contracts';
import { PRIVATE_FILE_MODE } from '@fq/private-files';
import { GroupCommitFile } from '../state/group-commit.file';
import { prepareStateFile } from '../state/state-dir';
import { AuditRecord } from './audit-record.schema';
import { QueryArchive, queryArchiveDirOf } from './query-archive.store';
import { formatIssue } from '@fq/result';

/** A record that does not match `AuditRecord` reached the writer: a bug, so it is thrown and nothing is written. */
export class AuditRecordInvalidError extends Error {
  override readonly name = 'AuditRecordInvalidError';
  readonly code = 'SITE_AUDIT_RECORD_INVALID';
}

/**
 * The site's append-only audit log: one JSON object per line, each flushed to disk before `append` resolves.
 * The file is only ever opened for appending; existing lines are never rewritten.
 *
 * Lines are committed in groups (`GroupCommitFile`): queries handled at the same time share one sync.
 */
export class AuditLogWriter {
  private constructor(
    private readonly log: GroupCommitFile,
    /** The queries the lines name by hash, beside the log (`audit-queries/`), for `site-agent audit show`. */
    readonly queries: QueryArchive,
  ) {}

  get file(): string {
    return this.log.file;
  }

  /** Opens the audit log for appending: created 0600 (its directory 0700 if missing), narrowed to 0600 if it was not. */
  static async open(file: string): Promise<AuditLogWriter> {
    await prepareStateFile(file);
    return new AuditLogWriter(
      new GroupCommitFile(file, openSync(file, 'a', PRIVATE_FILE_MODE)),
      new QueryArchive(queryArchiveDirOf(file)),
    );
  }

  /** Validates and appends one record; resolves once the line is on disk. Appends are written in call order. */
  append(record: AuditRecord): Promise<void> {
    const parsed = AuditRecord.safeParse(record);
    if (!parsed.success) {
      const fields = parsed.error.issues.map(formatIssue).join('; ');
      return Promise.reject(new AuditRecordInvalidError(`refusing to write an invalid audit record: ${fields}`));
    }
    return this.log.append(`${JSON.stringify(parsed.data)}\n`);
  }

  /** Keeps the envelope's query (once per query hash), then appends its decision's record. */
  async appendForQuery(record: AuditRecord, envelope: QueryEnvelope): Promise<void> {
    await this.queries.keep(envelope.payload.queryHash, envelope.payload.query, new Date(record.time));
    return this.append(record);
  }

  /** Waits for pending appends and closes the file. */
  close(): Promise<void> {
    return this.log.close();
  }
}
