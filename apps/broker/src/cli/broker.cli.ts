import { Command, CommanderError } from 'commander';

/** Where a command writes: the process's streams, or buffers in a test. */
export interface BrokerCliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

/** Bad input to a command: each problem is printed on its own line and the exit code is 1. */
export class BrokerCliInputError extends Error {
  override readonly name = 'BrokerCliInputError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/**
 * Adds one command (or group) to the program. `run` takes the task the command's action started, so the CLI can
 * await it after commander has parsed the arguments.
 */
export type BrokerCommandRegistrar = (
  program: Command,
  context: { io: BrokerCliIo; env: Readonly<Record<string, string | undefined>>; run: (task: Promise<number>) => void },
) => void;

/** Every command of the broker operator's CLI; each feature adds its registrar here. */
const COMMANDS: BrokerCommandRegistrar[] = [];

/** Runs the broker operator's CLI on `args` (without node and script); resolves to the process exit code. */
export async function runBrokerCli(
  args: readonly string[],
  io: BrokerCliIo,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  const program = new Command('broker')
    .description('Broker operator tools')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });
  for (const register of COMMANDS) {
    register(program, {
      io,
      env,
      run: (task) => {
        result = task;
      },
    });
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof BrokerCliInputError) {
      for (const problem of error.problems) {
        io.err.write(`broker: ${problem}\n`);
      }
      return 1;
    }
    throw error;
  }
}
