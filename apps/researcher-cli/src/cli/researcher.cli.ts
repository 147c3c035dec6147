import { Command, CommanderError } from 'commander';
import type { CommandRunner } from './cli-context';
import type { CliIo } from './cli-io';
import { CliError, ExitCode } from './exit-codes';
import { addLoginCommands } from './login.command';
import { addQueryCommands } from './queries.command';
import { addSavedCommands } from './saved.command';

/**
 * Runs the researcher CLI on `args` (without node and the script) and resolves to the exit code. Messages and errors go
 * to stderr; stdout holds the command's output only (one JSON document with --json).
 */
export async function runResearcherCli(args: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const run: CommandRunner = async (work) => {
    exitCode = await work(io);
  };
  const program = new Command('fq')
    .description(
      "the researcher's command line for the feasibility broker: submit and watch queries, history, saved queries",
    )
    .option(
      '--broker <url>',
      'the broker (default: FQ_BROKER_URL, else the one you signed in to, else http://127.0.0.1:3000)',
    )
    .option('--json', 'print one JSON document on stdout (messages stay on stderr)')
    .showHelpAfterError('(fq --help lists the commands)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  addLoginCommands(program, run);
  addQueryCommands(program, run);
  addSavedCommands(program, run);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportFailure(error, io);
  }
}

function reportFailure(error: unknown, io: CliIo): ExitCode {
  if (error instanceof CommanderError) {
    // Commander printed its message already; help and version are no failure.
    return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
      ? ExitCode.Ok
      : ExitCode.Usage;
  }
  if (error instanceof CliError) {
    io.stderr.write(`error: ${error.message}\n`);
    for (const detail of error.details) {
      io.stderr.write(`  ${detail}\n`);
    }
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`error: unexpected failure, please report it: ${message}\n`);
  return ExitCode.Usage;
}
