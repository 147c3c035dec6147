import { Command, CommanderError } from 'commander';
import { type BrokerCliIo, BrokerCliInputError, type BrokerCommandRegistrar } from './broker-command';
import { registerCatalogCommands } from './catalog.cli';
import { registerNetworkCommands } from './network-admin.cli';
import { registerTokenCommand } from './token.cli';

export { type BrokerCliIo, BrokerCliInputError, type BrokerCommandRegistrar } from './broker-command';

/** Every command of the broker operator's CLI; each feature adds its registrar here. */
const COMMANDS: BrokerCommandRegistrar[] = [registerTokenCommand, registerNetworkCommands, registerCatalogCommands];

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
