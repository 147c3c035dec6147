import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const KILL_GRACE_MS = 15_000;
const KEPT_LINES = 200;

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DemoChildOptions {
  label: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Receives every output line (stdout and stderr) as it arrives. */
  onLine: (line: string) => void;
}

/**
 * A process the demo started: its own process group (so Ctrl-C reaches only the demo, which then stops the children
 * in order), output handed over line by line, the last lines kept for error messages.
 */
export class DemoChild {
  readonly exited: Promise<ChildExit>;
  private readonly recent: string[] = [];
  private readonly waiters = new Set<(line: string) => void>();
  private exit: ChildExit | null = null;

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.once('error', (error) => {
        this.recent.push(`cannot start: ${error.message}`);
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  static start(options: DemoChildOptions): DemoChild {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const started = new DemoChild(options.label, child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream !== null) {
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
          started.keep(line);
          options.onLine(line);
        });
      }
    }
    return started;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** The last lines the child printed. */
  tail(count = 40): string {
    return this.recent.slice(-count).join('\n');
  }

  /**
   * Resolves with the match of the first line (among the last ones kept, or still to come) matching `pattern`;
   * rejects if the child exits or time runs out.
   */
  waitForLine(pattern: RegExp, deadlineMs: number): Promise<RegExpExecArray> {
    const seen = this.recent.map((line) => pattern.exec(line)).find((match) => match !== null);
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(onLine);
      };
      const onLine = (line: string): void => {
        const match = pattern.exec(line);
        if (match !== null) {
          done();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label} did not get ready within ${Math.round(deadlineMs / 1000)} s`));
      }, deadlineMs);
      this.waiters.add(onLine);
      void this.exited.then((exit) => {
        done();
        reject(
          new Error(
            `${this.label} exited (${describeExit(exit)}) before it was ready; its last lines:\n${this.tail()}`,
          ),
        );
      });
    });
  }

  /** Sends `signal` to the child and resolves once it exited; SIGKILL after a grace period. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildExit> {
    if (this.exit !== null) {
      return this.exit;
    }
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), KILL_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal without waiting; safe after the child exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.exit === null) {
      try {
        this.child.kill(signal);
      } catch {
        // Already gone between the check and the kill.
      }
    }
  }

  private keep(line: string): void {
    this.recent.push(line);
    if (this.recent.length > KEPT_LINES) {
      this.recent.shift();
    }
    for (const waiter of this.waiters) {
      waiter(line);
    }
  }
}

/** `code 1` or `signal SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
