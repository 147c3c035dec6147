import { Inject, Injectable } from '@nestjs/common';
import { ok, type Result } from '@fq/result';
import { CLOCK, type Clock } from '../clock';
import { type LoadedSiteData, SITE_DATA_SOURCE, SiteDataError, type SiteDataSource } from './site-data.loader';

/** The data a query is answered from: one immutable index and its version, taken once per query. */
export interface SiteDataSnapshot extends LoadedSiteData {
  /** When this index was built. */
  loadedAt: Date;
  /** When the source last confirmed these data: a build, or a refresh that found nothing new. */
  refreshedAt: Date;
}

export type SiteDataState = 'loading' | 'ready' | 'reloading';
/** `signal` (SIGHUP) and `schedule` reload everything; `incremental` asks the source only for what changed. */
export type ReloadTrigger = 'signal' | 'schedule' | 'incremental';

/** Which of two waiting requests to keep: a full reload covers an incremental one, a signal covers a schedule. */
const TRIGGER_RANK: Readonly<Record<ReloadTrigger, number>> = { incremental: 0, schedule: 1, signal: 2 };

export type ReloadOutcome =
  | { kind: 'reloaded'; snapshot: SiteDataSnapshot; previous: SiteDataSnapshot }
  /** The source found the data as they were (a scheduled reload's fingerprint, or the source's own answer). */
  | { kind: 'unchanged'; snapshot: SiteDataSnapshot }
  /** The new data could not be loaded; the old snapshot keeps answering. */
  | { kind: 'failed'; error: SiteDataError; snapshot: SiteDataSnapshot };

/**
 * Holds the site's current index and swaps it atomically: a reload builds the new index in the background while
 * queries keep reading the old snapshot, then replaces the reference in one assignment.
 */
@Injectable()
export class SiteDataService {
  private snapshot: SiteDataSnapshot | null = null;
  private reloading = false;
  private inFlight: Promise<ReloadOutcome> | null = null;
  private queued: { trigger: ReloadTrigger; promise: Promise<ReloadOutcome> } | null = null;

  constructor(
    @Inject(SITE_DATA_SOURCE) private readonly source: SiteDataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get state(): SiteDataState {
    return this.snapshot === null ? 'loading' : this.reloading ? 'reloading' : 'ready';
  }

  /** Loads the data the agent starts with. */
  async loadInitial(): Promise<Result<SiteDataSnapshot, SiteDataError>> {
    const loaded = await this.source.load('initial');
    if (!loaded.ok) {
      return loaded;
    }
    const now = this.clock.now();
    this.snapshot = { ...loaded.value, loadedAt: now, refreshedAt: now };
    return ok(this.snapshot);
  }

  /** The snapshot to answer the next query from; throws before the first load (a wiring bug). */
  current(): SiteDataSnapshot {
    if (this.snapshot === null) {
      throw new Error('site data requested before they were loaded');
    }
    return this.snapshot;
  }

  /**
   * Re-reads the data. A signal always reloads; a scheduled reload skips files that did not change; an incremental one
   * asks the source for the changes only. A request while a reload runs is queued once (the widest request wins) and
   * runs after it, so changes made meanwhile are seen.
   */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.inFlight === null) {
      return this.start(trigger);
    }
    if (this.queued !== null) {
      if (TRIGGER_RANK[trigger] > TRIGGER_RANK[this.queued.trigger]) {
        this.queued.trigger = trigger;
      }
      return this.queued.promise;
    }
    const queued: { trigger: ReloadTrigger; promise: Promise<ReloadOutcome> } = {
      trigger,
      promise: this.inFlight.then(() => {
        this.queued = null;
        return this.start(queued.trigger);
      }),
    };
    this.queued = queued;
    return queued.promise;
  }

  private start(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = this.run(trigger).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private async run(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const previous = this.current();
    try {
      if (trigger === 'schedule' && (await this.source.fingerprint()) === previous.fingerprint) {
        return { kind: 'unchanged', snapshot: previous };
      }
      this.reloading = true;
      const loaded = await this.source.load(trigger === 'incremental' ? 'incremental' : 'full');
      if (!loaded.ok) {
        return { kind: 'failed', error: loaded.error, snapshot: previous };
      }
      const now = this.clock.now();
      if (loaded.value.index === previous.index) {
        // The source handed back the index in hand: nothing changed, but the data are confirmed as of now.
        const confirmed: SiteDataSnapshot = { ...previous, ...loaded.value, refreshedAt: now };
        this.snapshot = confirmed;
        return { kind: 'unchanged', snapshot: confirmed };
      }
      const next: SiteDataSnapshot = { ...loaded.value, loadedAt: now, refreshedAt: now };
      // The swap: queries that already took `previous` finish on it; every later query reads `next`.
      this.snapshot = next;
      return { kind: 'reloaded', snapshot: next, previous };
    } catch (cause) {
      // A file system failure half-way through must not take the agent down; the old data keep answering.
      const message = `reload failed: ${cause instanceof Error ? cause.message : String(cause)}`;
      return {
        kind: 'failed',
        error: new SiteDataError('SITE_DATA_LOAD_FAILED', message, { cause }),
        snapshot: previous,
      };
    } finally {
      this.reloading = false;
    }
  }
}
