import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProcessNotReadyError } from './errors';

const DEFAULT_KEPT_LINES = 5_000;
const DEFAULT_KILL_GRACE_MS = 10_000;

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What to spawn and how to treat its output. */
export interface SpawnSpec {
  /** Shown in messages, e.g. `broker` or `site-agent site-a1b2`. */
  name: string;
  command: string;
  args: readonly string[];
  /** The child's whole environment: nothing is inherited that is not listed here. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Own process group: a Ctrl-C at the terminal reaches only the parent, which then stops its children in order. */
  detached?: boolean;
  /** Receives every output line (stdout and stderr) as it arrives. */
  onLine?: (line: string) => void;
  /** How many of the last lines are kept for `output`, `tail` and `waitForLine` (default 5,000). */
  keptLines?: number;
  /** How long `stop` waits before it sends SIGKILL (default 10 s). */
  killGraceMs?: number;
}

/** `code 1` or `signal SIGKILL`. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}

/**
 * A child process whose stdout and stderr lines are kept (the last few thousand), so a caller can wait for a line and
 * a failure message can show what the process said.
 */
export class ManagedProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private exit: ProcessExit | null = null;
  /** Lines recorded since the start, including those no longer kept. */
  private recorded = 0;

  private constructor(
    readonly spec: SpawnSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      // 'close' comes after 'exit' and after stdout and stderr ended, so every line has been recorded by then.
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      child.once('error', (error) => {
        this.record(`[cannot start ${spec.command}] ${error.message}`);
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  /** Starts `spec` with its output piped, kept and handed to `spec.onLine`. */
  static start(spec: SpawnSpec): ManagedProcess {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: spec.detached === true,
    });
    const managed = new ManagedProcess(spec, child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream !== null) {
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => managed.record(line));
      }
    }
    return managed;
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** Everything kept of what the process printed (stdout and stderr interleaved as received). */
  output(): string {
    return this.lines.join('\n');
  }

  /** The last `count` lines under a header naming the process, for failure messages. */
  tail(count = 60): string {
    return `--- ${this.spec.name} (last ${count} lines) ---\n${this.lines.slice(-count).join('\n')}`;
  }

  /** How many lines the process has printed so far; pass it to `waitForLine` to wait only for later lines. */
  get lineCount(): number {
    return this.recorded;
  }

  /**
   * Resolves with the regex match of the first line (already printed and kept, or still to come) that matches
   * `pattern`; lines before `fromLine` (a `lineCount`) are not considered. Rejects with `ProcessNotReadyError` when the
   * process exits first or `deadlineMs` passes.
   */
  waitForLine(pattern: RegExp, deadlineMs: number, fromLine = 0): Promise<RegExpExecArray> {
    const firstKept = this.recorded - this.lines.length;
    const seen = this.lines
      .slice(Math.max(0, fromLine - firstKept))
      .map((line) => pattern.exec(line))
      .find((match) => match !== null);
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: RegExpExecArray | Error): void => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        this.listeners.delete(onLine);
        if (outcome instanceof Error) {
          reject(outcome);
        } else {
          resolve(outcome);
        }
      };
      const onLine = (line: string): void => {
        const match = pattern.exec(line);
        if (match !== null) {
          finish(match);
        }
      };
      const timer = setTimeout(
        () =>
          finish(
            new ProcessNotReadyError(
              `${this.spec.name} printed no line matching ${pattern} within ${formatSeconds(deadlineMs)}\n${this.tail()}`,
            ),
          ),
        deadlineMs,
      );
      this.listeners.add(onLine);
      void this.exited.then((exit) =>
        finish(
          new ProcessNotReadyError(
            `${this.spec.name} exited (${describeExit(exit)}) before printing a line matching ${pattern}\n${this.tail()}`,
          ),
        ),
      );
    });
  }

  /** Sends `signal` without waiting for anything (e.g. SIGHUP to make a server reload); a no-op once it exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.exit !== null) {
      return;
    }
    try {
      this.child.kill(signal);
    } catch {
      // Gone between the check and the kill.
    }
  }

  /** Sends `signal` and resolves when the process has exited; SIGKILL after the grace period if it does not. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.exit !== null) {
      return this.exit;
    }
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), this.spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private record(line: string): void {
    this.recorded += 1;
    this.lines.push(line);
    const kept = this.spec.keptLines ?? DEFAULT_KEPT_LINES;
    if (this.lines.length > kept) {
      this.lines.splice(0, this.lines.length - kept);
    }
    this.spec.onLine?.(line);
    for (const listener of this.listeners) {
      listener(line);
    }
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
