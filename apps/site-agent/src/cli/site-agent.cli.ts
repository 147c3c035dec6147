import { Command, CommanderError } from 'commander';
import type { z } from 'zod';
import { addApprovalsCommand } from './approvals.command';
import { addAuditCommand } from './audit.command';
import { addBudgetCommand } from './budget.command';
import { describeOptionIssues, EvaluateOptions, GenerateOptions } from './cli-options.schema';
import { CommandInputError, type CommandIo, runEvaluate } from './evaluate.command';
import { runGenerate } from './generate.command';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CommandInputError(describeOptionIssues(parsed.error));
  }
  return parsed.data;
}

/** Runs the site operator's CLI on `args` (without node and script); resolves to the process exit code. */
export async function runCli(args: readonly string[], io: CommandIo): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  const program = new Command('site-agent')
    .description('Site agent tools: generate synthetic data and evaluate CCDL queries on the site’s own FHIR data')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });

  program
    .command('generate')
    .description('write a synthetic MII-shaped site as FHIR NDJSON (one file per resource type)')
    .requiredOption('--patients <n>', 'number of patients')
    .option('--seed <seed>', 'seed; the same seed gives the same data', '1')
    .requiredOption('--out <dir>', 'output directory')
    .option('--gzip', 'write .ndjson.gz files')
    .action((raw: Record<string, unknown>) => {
      result = runGenerate(parseOptions(GenerateOptions, raw), io);
    });

  program
    .command('evaluate')
    .description('count the patients of local FHIR data that match a CCDL query (exact; for the operator only)')
    .requiredOption('--data <path>', 'NDJSON / Bundle file or directory (repeatable)', collect)
    .requiredOption('--query <file>', 'CCDL structured query (JSON)')
    .option('--mapping <file>', 'mapping: our format (object) or an upstream mapping_fhir.json (array)')
    .option(
      '--concept-tree <file>',
      'upstream mapping_tree.json; wins over built-in hierarchy rules (repeatable)',
      collect,
    )
    .option('--upstream-compatible', 'read the data as the FDPG stack (sq2cql/FLARE) does')
    .option('--today <date>', 'evaluation date YYYY-MM-DD for ages (default: today)')
    .option('--exact', 'print the exact count (for your own use only)')
    .option('--state-dir <dir>', 'without --exact: the site agent state dir holding the site secret')
    .option('--privacy-mechanism <m>', 'without --exact: discrete-laplace | mii-laplace (as the agent)')
    .option('--privacy-epsilon <e>', 'without --exact: epsilon, e.g. 0.5 (as the agent)')
    .option('--privacy-rounding <r>', 'without --exact: rounding step (as the agent)')
    .option('--privacy-threshold <t>', 'without --exact: reporting threshold (as the agent)')
    .option('--json', 'print one JSON object')
    .action((raw: Record<string, unknown>) => {
      result = runEvaluate(parseOptions(EvaluateOptions, raw), io);
    });

  addApprovalsCommand(program, io, (task) => {
    result = task;
  });

  addBudgetCommand(program, io, (task) => {
    result = task;
  });

  addAuditCommand(program, io, (task) => {
    result = task;
  });

  try {
    await program.parseAsync([...args], { from: 'user' });
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CommandInputError) {
      for (const problem of error.problems) {
        io.err.write(`site-agent: ${problem}\n`);
      }
      return 1;
    }
    throw error;
  }
}
