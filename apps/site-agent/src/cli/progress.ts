import { SingleBar } from 'cli-progress';

/** What a long-running step reports while it works. */
export interface ProgressSnapshot {
  done: number;
  total?: number;
  /** Extra figures shown after the bar, e.g. resources/s or errors. */
  detail: string;
}

/** A progress bar on a terminal; silent when stderr is not a TTY (pipes and CI logs stay clean). */
export class TerminalProgress {
  private bar: SingleBar | null = null;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(snapshot: ProgressSnapshot): void {
    if (!this.stream.isTTY) {
      return;
    }
    const total = snapshot.total ?? 0;
    if (this.bar === null) {
      this.bar = new SingleBar({
        format: `${this.label} [{bar}] {percentage}% | {detail}`,
        stream: this.stream,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      });
      this.bar.start(Math.max(total, 1), 0, { detail: snapshot.detail });
    }
    if (total > 0) {
      this.bar.setTotal(total);
    }
    this.bar.update(snapshot.done, { detail: snapshot.detail });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes in binary units with one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
