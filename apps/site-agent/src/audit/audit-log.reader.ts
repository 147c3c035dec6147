import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Err, err, ok, type Result } from '@fq/result';
import { type AuditDecision, AuditRecord } from './audit-record.schema';

/** Which records to read: a time window (inclusive), some decisions, one query. */
export interface AuditFilter {
  since?: Date;
  until?: Date;
  decisions?: readonly AuditDecision[];
  queryId?: string;
}

/** An audit line that passed the filter, with its 1-based line number. */
export interface AuditEntry {
  line: number;
  record: AuditRecord;
}

export interface AuditLogRead {
  entries: AuditEntry[];
  /** Lines that are no audit record (a torn last line after a crash, an edit by hand), named by line number. */
  problems: string[];
}

/** The audit log could not be read at all. */
export class AuditLogReadError extends Error {
  override readonly name = 'AuditLogReadError';
  readonly code = 'SITE_AUDIT_LOG_UNREADABLE';
}

const MAX_PROBLEMS = 20;

/** Reads the audit log line by line (any size), keeping the records that pass `filter`, oldest first. */
export async function readAuditLog(
  file: string,
  filter: AuditFilter = {},
): Promise<Result<AuditLogRead, AuditLogReadError>> {
  const entries: AuditEntry[] = [];
  const problems: string[] = [];
  let bad = 0;
  const since = filter.since?.getTime() ?? -Infinity;
  const until = filter.until?.getTime() ?? Infinity;
  const decisions = filter.decisions === undefined ? null : new Set(filter.decisions);
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<Err<AuditLogReadError> | null>((resolve) => {
    stream.once('error', (cause: NodeJS.ErrnoException) =>
      resolve(err(new AuditLogReadError(`cannot read the audit log ${file}: ${cause.code ?? cause.message}`))),
    );
    stream.once('open', () => resolve(null));
  });
  const failed = await opened;
  if (failed !== null) {
    return failed;
  }
  let line = 0;
  try {
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') {
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = AuditRecord.safeParse(json);
      if (!parsed.success) {
        bad++;
        if (problems.length < MAX_PROBLEMS) {
          problems.push(`line ${line} is no audit record`);
        }
        continue;
      }
      const record = parsed.data;
      const time = Date.parse(record.time);
      if (time < since || time > until) {
        continue;
      }
      if (decisions !== null && !decisions.has(record.decision)) {
        continue;
      }
      if (filter.queryId !== undefined && record.queryId !== filter.queryId) {
        continue;
      }
      entries.push({ line, record });
    }
  } catch (cause) {
    return err(
      new AuditLogReadError(
        `cannot read the audit log ${file} after line ${line}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      ),
    );
  }
  if (bad > problems.length) {
    problems.push(`… and ${bad - problems.length} more lines that are no audit record`);
  }
  return ok({ entries, problems });
}
