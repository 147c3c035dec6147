import { SavedQuery, SavedQueryList } from '@fq/contracts';
import type { Command } from 'commander';
import { formatSavedList, formatSavedQuery } from '../output/query-output';
import { type CliContext, type CommandRunner, createCliContext, type GlobalOptions, printResult } from './cli-context';
import { CliError, ExitCode } from './exit-codes';
import { addSubmitOptions, isUuid, type SubmitOptions, submitQuery } from './queries.command';
import { readQueryFile } from './query-files';

interface SaveOptions extends GlobalOptions {
  name: string;
  comment?: string;
}

interface RenameOptions extends GlobalOptions {
  comment?: string;
  clearComment?: boolean;
}

/** `fq save` and `fq saved list|show|run|rename|delete`; a saved query is named by its id or its name. */
export function addSavedCommands(program: Command, run: CommandRunner): void {
  program
    .command('save')
    .description('save a CCDL query (a JSON file, - for stdin) under a name, in the broker, for you only')
    .argument('<file>', 'the CCDL query or CRTDL document')
    .requiredOption('--name <name>', 'its name (unique among your saved queries)')
    .option('--comment <text>', 'a comment')
    .action((file: string, _options: SaveOptions, command: Command) =>
      run(async (io) => {
        const options = command.optsWithGlobals<SaveOptions>();
        const context = await createCliContext(options, io);
        const query = await readQueryFile(file, io);
        const saved = await context.client.post(
          '/api/v1/saved-queries',
          { name: options.name, ...(options.comment === undefined ? {} : { comment: options.comment }), query },
          SavedQuery,
        );
        printResult(context, saved, () => [`Saved "${saved.name}" as ${saved.id}`]);
        return ExitCode.Ok;
      }),
    );
  const saved = program.command('saved').description('your saved queries: list, show, run, rename, delete');
  saved
    .command('list')
    .description('your saved queries, most recently changed first')
    .action((_options: GlobalOptions, command: Command) =>
      run(async (io) => {
        const context = await createCliContext(command.optsWithGlobals<GlobalOptions>(), io);
        const list = await context.client.get('/api/v1/saved-queries', SavedQueryList);
        printResult(context, list, () => formatSavedList(list));
        return ExitCode.Ok;
      }),
    );
  saved
    .command('show')
    .description('one saved query with its CCDL')
    .argument('<id-or-name>')
    .action((reference: string, _options: GlobalOptions, command: Command) =>
      run(async (io) => {
        const context = await createCliContext(command.optsWithGlobals<GlobalOptions>(), io);
        const query = await fetchSaved(context, reference);
        printResult(context, query, () => [...formatSavedQuery(query), JSON.stringify(query.query, null, 2)]);
        return ExitCode.Ok;
      }),
    );
  const savedRun = saved
    .command('run')
    .description('submit a saved query again (titled with its name unless it has a display or --title says)')
    .argument('<id-or-name>');
  addSubmitOptions(savedRun).action((reference: string, _options: SubmitOptions, command: Command) =>
    run(async (io) => {
      const options = command.optsWithGlobals<SubmitOptions>();
      const context = await createCliContext(options, io);
      const query = await fetchSaved(context, reference);
      const hasDisplay = typeof query.query.display === 'string' && query.query.display.trim() !== '';
      const title = options.title ?? (hasDisplay ? undefined : query.name);
      return submitQuery(context, query.query, { title, watch: options.watch });
    }),
  );
  saved
    .command('rename')
    .description('rename a saved query, or change its comment')
    .argument('<id-or-name>')
    .argument('[new-name]')
    .option('--comment <text>', 'a new comment')
    .option('--clear-comment', 'remove the comment')
    .action((reference: string, newName: string | undefined, _options: RenameOptions, command: Command) =>
      run(async (io) => {
        const options = command.optsWithGlobals<RenameOptions>();
        if (options.comment !== undefined && options.clearComment === true) {
          throw new CliError(ExitCode.Usage, 'give either --comment or --clear-comment, not both');
        }
        const changes = {
          ...(newName === undefined ? {} : { name: newName }),
          ...(options.comment === undefined ? {} : { comment: options.comment }),
          ...(options.clearComment === true ? { comment: null } : {}),
        };
        if (Object.keys(changes).length === 0) {
          throw new CliError(ExitCode.Usage, 'give a new name, --comment or --clear-comment');
        }
        const context = await createCliContext(options, io);
        const id = await resolveSavedId(context, reference);
        const updated = await context.client.patch(`/api/v1/saved-queries/${id}`, changes, SavedQuery);
        printResult(context, updated, () => formatSavedQuery(updated));
        return ExitCode.Ok;
      }),
    );
  saved
    .command('delete')
    .description('delete a saved query')
    .argument('<id-or-name>')
    .action((reference: string, _options: GlobalOptions, command: Command) =>
      run(async (io) => {
        const context = await createCliContext(command.optsWithGlobals<GlobalOptions>(), io);
        const id = await resolveSavedId(context, reference);
        await context.client.delete(`/api/v1/saved-queries/${id}`);
        printResult(context, { deleted: id }, () => [`Deleted ${id}`]);
        return ExitCode.Ok;
      }),
    );
}

async function fetchSaved(context: CliContext, reference: string): Promise<SavedQuery> {
  const id = await resolveSavedId(context, reference);
  return context.client.get(`/api/v1/saved-queries/${id}`, SavedQuery);
}

/** A UUID is taken as the id; anything else must be the exact name of one of the caller's saved queries. */
async function resolveSavedId(context: CliContext, reference: string): Promise<string> {
  if (isUuid(reference)) {
    return reference.toLowerCase();
  }
  const list = await context.client.get('/api/v1/saved-queries', SavedQueryList);
  const match = list.items.find((item) => item.name === reference.trim());
  if (match === undefined) {
    throw new CliError(
      ExitCode.Invalid,
      `you have no saved query named ${JSON.stringify(reference)}; see fq saved list`,
    );
  }
  return match.id;
}
