import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hashQuery, StructuredQuery } from '@fq/ccdl';
import { Sha256Hex } from '@fq/contracts';
import { type Err, err, ok, type Result } from '@fq/result';
import { z } from 'zod';

/** A query the audit log names by its hash, kept once so that an operator can read what the site was asked. */
export const ArchivedQuery = z.strictObject({
  queryHash: Sha256Hex,
  /** When the site first audited a decision on it. */
  firstSeenAt: z.iso.datetime({ offset: true }),
  query: StructuredQuery,
});
export type ArchivedQuery = z.infer<typeof ArchivedQuery>;

/** Why a kept query cannot be shown. */
export class QueryArchiveError extends Error {
  override readonly name = 'QueryArchiveError';

  constructor(
    readonly code: 'SITE_AUDIT_QUERY_NOT_KEPT' | 'SITE_AUDIT_QUERY_UNREADABLE',
    message: string,
  ) {
    super(message);
  }
}

/** Where the queries of an audit log are kept: `audit-queries/` beside the log file. */
export function queryArchiveDirOf(auditLogFile: string): string {
  return join(dirname(auditLogFile), 'audit-queries');
}

/**
 * The queries behind the audit log's lines, one file per query hash (`<hash>.json`, 0600, written atomically), so a
 * query asked a thousand times is kept once. Holds the question only: no count, no result.
 */
export class QueryArchive {
  private readonly known = new Set<string>();

  constructor(readonly dir: string) {}

  /**
   * Keeps `query` under its canonical hash unless it is kept already; resolves once it is on disk. A query whose
   * envelope claims another hash (refused for it) is kept under its true hash only, so a file never holds a query
   * under a hash that is not its own.
   */
  async keep(claimedHash: string, query: StructuredQuery, at: Date): Promise<void> {
    if (this.known.has(claimedHash)) {
      return;
    }
    const queryHash = hashQuery(query);
    if (this.known.has(queryHash)) {
      return;
    }
    const file = this.fileOf(queryHash);
    if (!existsSync(file)) {
      const record: ArchivedQuery = { queryHash, firstSeenAt: at.toISOString(), query };
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const temporary = join(this.dir, `.${queryHash}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temporary, `${JSON.stringify(record)}\n`, { encoding: 'utf8', mode: 0o600, flush: true });
        await rename(temporary, file);
      } finally {
        await rm(temporary, { force: true });
      }
    }
    this.known.add(queryHash);
  }

  /** The kept query of `queryHash`, validated. */
  async read(queryHash: string): Promise<Result<ArchivedQuery, QueryArchiveError>> {
    if (!Sha256Hex.safeParse(queryHash).success) {
      return notKept(queryHash);
    }
    let text: string;
    try {
      text = await readFile(this.fileOf(queryHash), 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
        return notKept(queryHash);
      }
      return err(
        new QueryArchiveError(
          'SITE_AUDIT_QUERY_UNREADABLE',
          `cannot read the query ${queryHash}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
        ),
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return err(new QueryArchiveError('SITE_AUDIT_QUERY_UNREADABLE', `the kept query ${queryHash} is not valid JSON`));
    }
    const parsed = ArchivedQuery.safeParse(json);
    if (!parsed.success || parsed.data.queryHash !== queryHash) {
      return err(
        new QueryArchiveError('SITE_AUDIT_QUERY_UNREADABLE', `the kept query ${queryHash} is not a query record`),
      );
    }
    return ok(parsed.data);
  }

  private fileOf(queryHash: string): string {
    return join(this.dir, `${queryHash}.json`);
  }
}

function notKept(queryHash: string): Err<QueryArchiveError> {
  return err(
    new QueryArchiveError(
      'SITE_AUDIT_QUERY_NOT_KEPT',
      `the query ${queryHash} is not kept (audited before the site kept queries, or removed)`,
    ),
  );
}
