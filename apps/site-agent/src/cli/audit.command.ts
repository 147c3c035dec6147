import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { ApprovalStore } from '../approvals/approval.store';
import { type AuditEntry, readAuditLog } from '../audit/audit-log.reader';
import { AuditDecision, type AuditRecord } from '../audit/audit-record.schema';
import { type ArchivedQuery, QueryArchive, queryArchiveDirOf } from '../audit/query-archive.store';
import { describeQuery } from '../audit/query-description';
import { describeOptionIssues } from './cli-options.schema';
import { CommandInputError, type CommandIo } from './evaluate.command';

/** `--since` / `--until`: an ISO instant, a calendar day (UTC), or a span back from now such as `30m`, `24h`, `7d`. */
const TimeBound = z.string().regex(/^(\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?|\d{1,6}[mhd])$/, {
  error: 'expected an ISO time (2026-03-01T08:00:00Z), a day (2026-03-01) or a span back from now (30m, 24h, 7d)',
});

/** Options of `site-agent audit list|show`, as commander hands them over. */
export const AuditOptions = z
  .strictObject({
    stateDir: z.string().min(1).optional(),
    auditLog: z.string().min(1).optional(),
    since: TimeBound.optional(),
    until: TimeBound.optional(),
    decision: z
      .array(z.string())
      .transform((values) => values.flatMap((value) => value.split(',')).map((value) => value.trim()))
      .pipe(z.array(z.enum(AuditDecision.options, { error: `expected one of ${AuditDecision.options.join(', ')}` })))
      .optional(),
    limit: z.coerce
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .optional(),
    json: z.boolean().optional(),
  })
  .refine((options) => options.stateDir !== undefined || options.auditLog !== undefined, {
    error: 'give --state-dir (the agent’s SITE_STATE_DIR) or --audit-log (its SITE_AUDIT_LOG)',
  });
export type AuditOptions = z.infer<typeof AuditOptions>;

const DEFAULT_LIMIT = 100;
const SPAN_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseOptions(raw: unknown): AuditOptions {
  const parsed = AuditOptions.safeParse(raw);
  if (!parsed.success) {
    throw new CommandInputError(describeOptionIssues(parsed.error));
  }
  return parsed.data;
}

/** A time bound as an instant; a bare day means its start for `--since` and its end for `--until`. */
export function resolveTimeBound(value: string, now: Date, end: boolean): Date {
  const span = /^(\d+)([mhd])$/.exec(value);
  if (span !== null) {
    return new Date(now.getTime() - Number(span[1]) * SPAN_MS[span[2]]);
  }
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = Date.parse(day ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : value);
  if (Number.isNaN(time)) {
    throw new CommandInputError([`--${end ? 'until' : 'since'}: ${value} is no valid time`]);
  }
  return new Date(time);
}

function auditLogFileOf(options: AuditOptions): string {
  return resolve(options.auditLog ?? join(options.stateDir!, 'audit.jsonl'));
}

/** Reads kept queries once per hash. */
class QueryLookup {
  private readonly cache = new Map<string, ArchivedQuery | string>();

  constructor(private readonly archive: QueryArchive) {}

  /** The kept query, or why it cannot be shown. */
  async get(queryHash: string): Promise<ArchivedQuery | string> {
    let found = this.cache.get(queryHash);
    if (found === undefined) {
      const read = await this.archive.read(queryHash);
      found = read.ok ? read.value : read.error.message;
      this.cache.set(queryHash, found);
    }
    return found;
  }
}

/** The facts of one audit line in a row: time, decision, query, requester, and the outcome that left the site. */
function describeRecord(record: AuditRecord): string {
  const parts = [record.time, record.decision.padEnd(17)];
  if (record.queryId !== null) {
    parts.push(`query ${record.queryId}`);
  }
  if (record.requester !== null) {
    parts.push(`requester ${record.requester}`);
  }
  if (record.protectedResult !== null) {
    parts.push(
      record.protectedResult.kind === 'count'
        ? `protected count ${record.protectedResult.protectedCount}`
        : `below the threshold of ${record.protectedResult.threshold}`,
    );
  }
  if (record.budget !== undefined) {
    const { charge, report } = record.budget;
    parts.push(`budget ${charge} (${report.remaining} of ${report.limit} left)`);
  }
  if (record.dataVersion !== null) {
    parts.push(`data ${record.dataVersion.length > 16 ? `${record.dataVersion.slice(0, 16)}…` : record.dataVersion}`);
  }
  if (record.code !== null) {
    parts.push(record.code);
  }
  const line = parts.join('  ');
  return record.reason === null ? line : `${line}: ${record.reason}`;
}

async function queryLines(record: AuditRecord, queries: QueryLookup): Promise<string[]> {
  if (record.queryHash === null) {
    return [];
  }
  const kept = await queries.get(record.queryHash);
  return typeof kept === 'string' ? [`(${kept})`] : describeQuery(kept.query);
}

/** `site-agent audit list`: the audit records in a time window and of some decisions, each query in words. */
export async function runAuditList(options: AuditOptions, io: CommandIo, now: Date = new Date()): Promise<number> {
  const file = auditLogFileOf(options);
  const read = await readAuditLog(file, {
    ...(options.since === undefined ? {} : { since: resolveTimeBound(options.since, now, false) }),
    ...(options.until === undefined ? {} : { until: resolveTimeBound(options.until, now, true) }),
    ...(options.decision === undefined ? {} : { decisions: options.decision }),
  });
  if (!read.ok) {
    throw new CommandInputError([read.error.message]);
  }
  const limit = options.limit ?? DEFAULT_LIMIT;
  const shown = read.value.entries.slice(-limit);
  const queries = new QueryLookup(new QueryArchive(queryArchiveDirOf(file)));
  if (options.json === true) {
    const records = [];
    for (const { line, record } of shown) {
      const kept = record.queryHash === null ? null : await queries.get(record.queryHash);
      records.push({
        line,
        ...record,
        query: kept === null || typeof kept === 'string' ? null : kept.query,
        description: await queryLines(record, queries),
      });
    }
    const body = {
      file,
      matched: read.value.entries.length,
      shown: shown.length,
      records,
      problems: read.value.problems,
    };
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  const matched = read.value.entries.length;
  io.out.write(
    matched === 0
      ? `no audit records match in ${file}\n`
      : `${matched} audit ${matched === 1 ? 'record matches' : 'records match'}` +
          `${shown.length < matched ? `, the last ${shown.length} shown (--limit)` : ''} in ${file}\n`,
  );
  for (const { record } of shown) {
    io.out.write(`\n${describeRecord(record)}\n`);
    for (const text of await queryLines(record, queries)) {
      io.out.write(`    ${text}\n`);
    }
  }
  for (const problem of read.value.problems) {
    io.err.write(`warning: ${problem}\n`);
  }
  return 0;
}

/** `site-agent audit show <queryId>`: one query in words and every decision the site recorded on it. */
export async function runAuditShow(queryId: string, options: AuditOptions, io: CommandIo): Promise<number> {
  if (!z.uuid().safeParse(queryId).success) {
    throw new CommandInputError([`${queryId} is no query id (a UUID)`]);
  }
  const file = auditLogFileOf(options);
  const read = await readAuditLog(file, { queryId: queryId.toLowerCase() });
  if (!read.ok) {
    throw new CommandInputError([read.error.message]);
  }
  const entries: AuditEntry[] = read.value.entries;
  if (entries.length === 0) {
    throw new CommandInputError([`no audit record of query ${queryId} in ${file}`]);
  }
  const first = entries[0].record;
  const queries = new QueryLookup(new QueryArchive(queryArchiveDirOf(file)));
  const kept = first.queryHash === null ? 'the audit log names no query hash' : await queries.get(first.queryHash);
  const waiting =
    options.stateDir !== undefined && (await new ApprovalStore(resolve(options.stateDir)).isPending(queryId));
  if (options.json === true) {
    const body = {
      queryId,
      queryHash: first.queryHash,
      requester: first.requester,
      waitingForApproval: waiting,
      query: typeof kept === 'string' ? null : kept.query,
      description: typeof kept === 'string' ? [kept] : describeQuery(kept.query),
      records: entries.map(({ line, record }) => ({ line, ...record })),
    };
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  io.out.write(`query ${queryId}\n`);
  io.out.write(`  requester ${first.requester ?? 'unknown'}, query hash ${first.queryHash ?? 'unknown'}\n`);
  for (const text of typeof kept === 'string' ? [`(${kept})`] : describeQuery(kept.query)) {
    io.out.write(`  ${text}\n`);
  }
  if (waiting) {
    io.out.write('  waiting for an operator: site-agent approvals approve|reject <queryId>\n');
  }
  io.out.write('\ndecisions:\n');
  for (const { record } of entries) {
    io.out.write(`  ${describeRecord(record)}\n`);
  }
  return 0;
}

/** Adds `audit list|show` to the site CLI; `run` receives the command's task. */
export function addAuditCommand(program: Command, io: CommandIo, run: (task: Promise<number>) => void): void {
  const audit = program
    .command('audit')
    .description('what the site answered, refused or holds for approval, from its audit log, each query in words');
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  const source = (command: Command): Command =>
    command
      .option('--state-dir <dir>', 'the site agent’s state directory (SITE_STATE_DIR); the log is its audit.jsonl')
      .option('--audit-log <file>', 'the audit log itself, when SITE_AUDIT_LOG puts it elsewhere')
      .option('--json', 'print one JSON object, queries included');

  source(
    audit
      .command('list')
      .description('list audit records, oldest first')
      .option('--since <time>', 'from this time: ISO time, day (UTC) or span back from now (30m, 24h, 7d)')
      .option('--until <time>', 'until this time (a day includes all of it)')
      .option(
        '--decision <decision>',
        `only these (repeatable or comma-separated): ${AuditDecision.options.join(', ')}`,
        collect,
      )
      .option('--limit <n>', `show at most the last n records (default ${DEFAULT_LIMIT})`),
  ).action((raw: Record<string, unknown>) => run(runAuditList(parseOptions(raw), io)));

  source(audit.command('show <queryId>').description('one query in words and every decision on it')).action(
    (queryId: string, raw: Record<string, unknown>) => run(runAuditShow(queryId, parseOptions(raw), io)),
  );
}
