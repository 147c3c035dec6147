import { MultiBar, type SingleBar } from 'cli-progress';
import type { QueryResultUpdate } from '@fq/contracts';
import type { QueryStreamEvent } from '../broker/query-events.stream';
import type { CliIo } from '../cli/cli-io';

/** How a watched query shows its progress: a live bar on a terminal, plain lines when piped, nothing for --json. */
export type ProgressMode = 'terminal' | 'lines' | 'silent';

/** The bar lives on stderr, so a terminal there means live progress; piped, plain lines go to stdout (or none). */
export function progressModeOf(io: Pick<CliIo, 'stderr'>, json: boolean): ProgressMode {
  if (io.stderr.isTTY === true) {
    return 'terminal';
  }
  return json ? 'silent' : 'lines';
}

/** Shows a watched query's per-site progress. */
export interface WatchProgress {
  onEvent(event: QueryStreamEvent): void;
  /** Ends the display (the bar is cleared); the caller prints the final result afterwards. */
  stop(): void;
}

/** The progress display for `mode`; `totalSites` is what the query was sent to. */
export function createWatchProgress(
  mode: ProgressMode,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
  totalSites: number,
): WatchProgress {
  switch (mode) {
    case 'terminal':
      return new TerminalProgress(io.stderr, totalSites);
    case 'lines':
      return new LineProgress(io.stdout);
    case 'silent':
      return { onEvent: () => undefined, stop: () => undefined };
  }
}

/** One line per site answer: `Site 2: answered (1 of 3 sites)`, then `completed` or `expired`. */
export function describeEvent(event: QueryStreamEvent): string {
  if (event.type === 'site-result') {
    const { reportedSites, totalSites } = event.data.result;
    return `${event.data.site}: ${event.data.status} (${reportedSites} of ${totalSites} sites)`;
  }
  return `query ${event.type}: ${event.data.reportedSites} of ${event.data.totalSites} sites reported`;
}

class LineProgress implements WatchProgress {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  onEvent(event: QueryStreamEvent): void {
    this.stream.write(`${describeEvent(event)}\n`);
  }

  stop(): void {}
}

class TerminalProgress implements WatchProgress {
  private readonly bars: MultiBar;
  private readonly bar: SingleBar;

  constructor(stream: NodeJS.WritableStream, totalSites: number) {
    this.bars = new MultiBar({
      stream,
      format: '[{bar}] {value}/{total} sites answered {state}',
      // A hidden cursor would stay hidden after Ctrl-C; catching SIGINT instead would keep a watch from ending.
      hideCursor: false,
      clearOnComplete: true,
      stopOnComplete: false,
      fps: 10,
    });
    this.bar = this.bars.create(Math.max(totalSites, 1), 0, { state: '' });
  }

  onEvent(event: QueryStreamEvent): void {
    this.bars.log(`${describeEvent(event)}\n`);
    const result: Pick<QueryResultUpdate, 'reportedSites' | 'totalSites'> =
      event.type === 'site-result' ? event.data.result : event.data;
    this.bar.setTotal(Math.max(result.totalSites, 1));
    this.bar.update(result.reportedSites, { state: event.type === 'site-result' ? '' : event.type });
  }

  stop(): void {
    // Renders what arrived since the last frame, so no site's line is lost when the answers come faster than frames.
    this.bars.update();
    this.bars.stop();
  }
}
