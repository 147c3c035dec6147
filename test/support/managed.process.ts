import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAX_KEPT_LINES = 5_000;
const KILL_GRACE_MS = 10_000;

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What to spawn. */
export interface SpawnSpec {
  /** Shown in failure messages, e.g. `broker` or `site-agent site-a1b2`. */
  name: string;
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * A child process whose stdout and stderr lines are kept (the last few thousand), so a test can wait for a line and
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
        this.record(`[spawn error] ${error.message}`);
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
    });
  }

  /** Starts `spec` with its output piped and kept. */
  static start(spec: SpawnSpec): ManagedProcess {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const managed = new ManagedProcess(spec, child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream !== null) {
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => managed.record(line));
      }
    }
    return managed;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** Everything the process printed so far (stdout and stderr interleaved as received). */
  output(): string {
    return this.lines.join('\n');
  }

  /** The last `count` lines, for failure messages. */
  tail(count = 60): string {
    return `--- ${this.spec.name} (last ${count} lines) ---\n${this.lines.slice(-count).join('\n')}`;
  }

  /** How many lines the process has printed so far; pass it to `waitForLine` to wait only for later lines. */
  get lineCount(): number {
    return this.recorded;
  }

  /**
   * Resolves with the regex match of the first line (already printed or still to come) that matches `pattern`;
   * lines before `fromLine` (a `lineCount`) are not considered.
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
      const finish = (error: Error | null, match?: RegExpExecArray): void => {
        clearTimeout(timer);
        this.listeners.delete(onLine);
        if (error !== null) {
          reject(error);
        } else if (match !== undefined) {
          resolve(match);
        }
      };
      const onLine = (line: string): void => {
        const match = pattern.exec(line);
        if (match !== null) {
          finish(null, match);
        }
      };
      const timer = setTimeout(
        () =>
          finish(new Error(`${this.spec.name}: no line matching ${pattern} within ${deadlineMs} ms\n${this.tail()}`)),
        deadlineMs,
      );
      this.listeners.add(onLine);
      void this.exited.then((exit) =>
        finish(
          new Error(
            `${this.spec.name} exited (code ${exit.code}, signal ${exit.signal}) before printing a line matching ${pattern}\n${this.tail()}`,
          ),
        ),
      );
    });
  }

  /** Sends `signal` without waiting for anything (e.g. SIGHUP to make a server reload its configuration). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Sends `signal` and resolves when the process has exited; SIGKILL after a grace period if it does not. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.exit !== null) {
      return this.exit;
    }
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private record(line: string): void {
    this.recorded += 1;
    this.lines.push(line);
    if (this.lines.length > MAX_KEPT_LINES) {
      this.lines.splice(0, this.lines.length - MAX_KEPT_LINES);
    }
    for (const listener of this.listeners) {
      listener(line);
    }
  }
}
