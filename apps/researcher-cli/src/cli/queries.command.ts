import { QueryList, QueryResult, type QueryResultUpdate, QuotaUsage, SubmitQueryResponse } from '@fq/contracts';
import type { Command } from 'commander';
import { followQueryEvents } from '../broker/query-events.stream';
import { formatQueryList, formatQueryResult, formatQuota, titleOf } from '../output/query-output';
import { createWatchProgress, progressModeOf } from '../output/watch-progress';
import {
  type CliContext,
  type CommandRunner,
  createCliContext,
  type GlobalOptions,
  printMessage,
  printResult,
} from './cli-context';
import { CliError, ExitCode } from './exit-codes';
import { readQueryFile, withTitle } from './query-files';

/** The options of every command that submits a query. */
export interface SubmitOptions extends GlobalOptions {
  title?: string;
  watch?: boolean;
}

interface ListOptions extends GlobalOptions {
  limit?: string;
  cursor?: string;
  all?: boolean;
  user?: string;
  status?: string;
  since?: string;
}

/** `fq submit`, `fq status`, `fq list`, `fq quota`. */
export function addQueryCommands(program: Command, run: CommandRunner): void {
  const submit = program
    .command('submit')
    .description(
      'submit a CCDL query (a JSON file, - for stdin) to every site; prints its id, or with --watch its result',
    )
    .argument('<file>', 'the CCDL query or CRTDL document');
  addSubmitOptions(submit).action((file: string, _options: SubmitOptions, command: Command) =>
    run(async (io) => {
      const options = command.optsWithGlobals<SubmitOptions>();
      const context = await createCliContext(options, io);
      return submitQuery(context, await readQueryFile(file, io), options);
    }),
  );
  program
    .command('status')
    .description("a query's status, total and per-site results")
    .argument('<id>', 'the query id')
    .option('--watch', 'follow the sites’ answers until the query completes or expires')
    .action((id: string, _options: SubmitOptions, command: Command) =>
      run(async (io) => {
        const options = command.optsWithGlobals<SubmitOptions>();
        const context = await createCliContext(options, io);
        const result = await context.client.get(`/api/v1/queries/${encodeURIComponent(id)}`, QueryResult);
        if (options.watch === true && result.status === 'running') {
          return watchQuery(context, id, result.totalSites, titleOf(result), (final) => final);
        }
        printResult(context, result, () => formatQueryResult(result, titleOf(result)));
        return result.status === 'running' ? ExitCode.Ok : exitCodeOfResult(result);
      }),
    );
  program
    .command('list')
    .description('your queries, newest first (admins: --all for every user’s)')
    .option('--limit <n>', 'queries per page (1-100)', '20')
    .option('--cursor <cursor>', 'continue after the previous page (as the last list said)')
    .option('--all', "every user's queries with the submitter (admins only)")
    .option('--user <id>', 'with --all: only this user’s queries')
    .option('--status <status>', 'only running, completed or expired queries')
    .option('--since <time>', 'only queries submitted at or after this ISO 8601 time')
    .action((_options: ListOptions, command: Command) =>
      run(async (io) => {
        const options = command.optsWithGlobals<ListOptions>();
        const context = await createCliContext(options, io);
        const page = await context.client.get('/api/v1/queries', QueryList, {
          limit: options.limit,
          cursor: options.cursor,
          all: options.all === true ? 'true' : undefined,
          user: options.user,
          status: options.status,
          since: options.since,
        });
        printResult(context, page, () => formatQueryList(page));
        if (!context.json && page.nextCursor !== null) {
          printMessage(context, `More: fq list --cursor ${page.nextCursor}`);
        }
        return ExitCode.Ok;
      }),
    );
  program
    .command('quota')
    .description('your submission quotas, polling interval, blacklist state and privacy budgets at the sites')
    .action((_options: GlobalOptions, command: Command) =>
      run(async (io) => {
        const context = await createCliContext(command.optsWithGlobals<GlobalOptions>(), io);
        const usage = await context.client.get('/api/v1/quota', QuotaUsage);
        printResult(context, usage, () => formatQuota(usage, io.now()));
        return ExitCode.Ok;
      }),
    );
}

/** Adds --title and --watch, the options of every command that submits a query. */
export function addSubmitOptions(command: Command): Command {
  return command
    .option('--title <title>', "a title for your history (the query's CCDL display)")
    .option('--watch', 'follow the sites’ answers until the query completes or expires');
}

/**
 * Submits a query body (titled `title` when given); prints its id and warnings, or with `watch` follows it to its
 * final result.
 */
export async function submitQuery(
  context: CliContext,
  query: unknown,
  { title, watch = false }: Pick<SubmitOptions, 'title' | 'watch'>,
): Promise<ExitCode> {
  const body = title === undefined ? query : withTitle(query, title);
  const submitted = await context.client.post('/api/v1/queries', body, SubmitQueryResponse);
  for (const warning of submitted.warnings) {
    printMessage(context, `warning: ${warning.path}: ${warning.message} (${warning.code})`);
  }
  if (!watch) {
    printResult(context, submitted, () => [submitted.id]);
    return ExitCode.Ok;
  }
  if (!context.json) {
    printMessage(context, `Submitted query ${submitted.id}; waiting for the sites…`);
  }
  // The number of sites comes with the first event; until then the bar shows one step.
  return watchQuery(context, submitted.id, 0, titleOfBody(body), (result) => ({ ...submitted, result }));
}

async function watchQuery(
  context: CliContext,
  id: string,
  totalSites: number,
  title: string | null,
  jsonOf: (final: QueryResultUpdate) => unknown,
): Promise<ExitCode> {
  const progress = createWatchProgress(progressModeOf(context.io, context.json), context.io, totalSites);
  let final: QueryResultUpdate;
  try {
    final = await followQueryEvents(context.client, id, (event) => progress.onEvent(event));
  } catch (error) {
    // The query runs on at the broker: say how to find it again.
    if (error instanceof CliError) {
      throw new CliError(error.exitCode, error.message, [...error.details, `the query is ${id}: fq status ${id}`]);
    }
    throw error;
  } finally {
    progress.stop();
  }
  printResult(context, jsonOf(final), () => formatQueryResult(final, title));
  return exitCodeOfResult(final);
}

/** The `display` of a submitted body (or of its cohort definition), for the final summary. */
function titleOfBody(body: unknown): string | null {
  const root = typeof body === 'object' && body !== null && 'cohortDefinition' in body ? body.cohortDefinition : body;
  if (typeof root !== 'object' || root === null || !('display' in root) || typeof root.display !== 'string') {
    return null;
  }
  return root.display.trim() === '' ? null : root.display.trim();
}

/** 6 for a query that expired, or that no site answered with a count; otherwise 0. */
export function exitCodeOfResult(result: Pick<QueryResultUpdate, 'status' | 'sites'>): ExitCode {
  if (result.status === 'expired') {
    return ExitCode.QueryUnsuccessful;
  }
  if (result.status === 'completed' && !result.sites.some((site) => site.status === 'answered')) {
    return ExitCode.QueryUnsuccessful;
  }
  return ExitCode.Ok;
}

/** For commands that take an id or a name: a UUID is an id. */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}
