import type { Command } from 'commander';

// What a command registrar needs, apart from the CLI runner, so registrars and the runner do not import each other.

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
