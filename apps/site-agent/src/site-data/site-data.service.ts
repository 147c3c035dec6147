import { Inject, Injectable } from '@nestjs/common';
import { ok, type Result } from '@fq/result';
import { CLOCK, type Clock } from '../clock';
import { type LoadedSiteData, SITE_DATA_SOURCE, SiteDataError, type SiteDataSource } from './site-data.loader';

/** The data a query is answered from: one immutable index and its version, taken once per query. */
export interface SiteDataSnapshot extends LoadedSiteData {
  loadedAt: Date;
}

export type SiteDataState = 'loading' | 'ready' | 'reloading';
export type ReloadTrigger = 'signal' | 'schedule';

export type ReloadOutcome =
  | { kind: 'reloaded'; snapshot: SiteDataSnapshot; previous: SiteDataSnapshot }
  /** A scheduled reload found the files as they were. */
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
    const loaded = await this.source.load();
    if (!loaded.ok) {
      return loaded;
    }
    this.snapshot = { ...loaded.value, loadedAt: this.clock.now() };
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
   * Re-reads the data. A signal always reloads; a scheduled reload skips files that did not change. A request while a
   * reload runs is queued once (a signal wins over a schedule) and runs after it, so changes made meanwhile are seen.
   */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.inFlight === null) {
      return this.start(trigger);
    }
    if (this.queued !== null) {
      if (trigger === 'signal') {
        this.queued.trigger = 'signal';
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
      const loaded = await this.source.load();
      if (!loaded.ok) {
        return { kind: 'failed', error: loaded.error, snapshot: previous };
      }
      const next: SiteDataSnapshot = { ...loaded.value, loadedAt: this.clock.now() };
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
