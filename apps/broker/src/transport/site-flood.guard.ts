/** How many messages a site may send: a sustained rate and a burst (token bucket). */
export interface SiteRateLimit {
  /** Messages per second, results and heartbeats together. */
  perSecond: number;
  /** How many may come at once; also how full the bucket must be again for a flood to count as over. */
  burst: number;
  /** A flood that goes on is reported after this long and counted afresh, so it shows in the audit log. */
  reportEveryMs?: number;
}

/** What the guard decided about one message. */
export type FloodVerdict = 'admitted' | 'flood-started' | 'dropped';

/** One stretch of time in which a site sent more than its limit; what was dropped, for the audit log. */
export interface FloodEpisode {
  /** The site whose subject the messages came on; null for subjects of no registered site (they share a bucket). */
  site: string | null;
  startedAt: Date;
  lastDroppedAt: Date;
  droppedResults: number;
  droppedHeartbeats: number;
  /** Stream sequences of the first and last dropped result (they stay in FQ_RESULTS for an auditor); null if none. */
  firstDroppedResult: number | null;
  lastDroppedResult: number | null;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  episode: FloodEpisode | null;
}

const DEFAULT_REPORT_EVERY_MS = 5 * 60_000;

/**
 * A token bucket per site over the results and heartbeats the broker reads: a site that sends more than its limit has
 * the excess dropped unread, and each flood becomes one episode (not one line per message, which would flood the
 * audit log in turn). An episode ends once the site's bucket is full again, i.e. it kept within its rate for
 * `burst / perSecond` seconds.
 */
export class SiteFloodGuard {
  private readonly buckets = new Map<string | null, Bucket>();
  private readonly reportEveryMs: number;

  constructor(private readonly limit: SiteRateLimit) {
    this.reportEveryMs = limit.reportEveryMs ?? DEFAULT_REPORT_EVERY_MS;
  }

  /** The rate and burst it enforces, for the audit record. */
  get rateLimit(): { perSecond: number; burst: number } {
    return { perSecond: this.limit.perSecond, burst: this.limit.burst };
  }

  /** Takes one token for `site` if it has one; `flood-started` is the first message dropped in an episode. */
  admit(site: string | null, kind: 'result' | 'heartbeat', streamSequence: number, nowMs: number): FloodVerdict {
    const bucket = this.refilled(site, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'admitted';
    }
    const started = bucket.episode === null;
    const episode = (bucket.episode ??= {
      site,
      startedAt: new Date(nowMs),
      lastDroppedAt: new Date(nowMs),
      droppedResults: 0,
      droppedHeartbeats: 0,
      firstDroppedResult: null,
      lastDroppedResult: null,
    });
    episode.lastDroppedAt = new Date(nowMs);
    if (kind === 'result') {
      episode.droppedResults++;
      episode.firstDroppedResult ??= streamSequence;
      episode.lastDroppedResult = streamSequence;
    } else {
      episode.droppedHeartbeats++;
    }
    return started ? 'flood-started' : 'dropped';
  }

  /**
   * Episodes to report at `nowMs`: those whose site has calmed down (its bucket is full again), those that went on for
   * the report interval (counted afresh from now on), or, with `all`, every open one.
   */
  endedEpisodes(nowMs: number, options: { all?: boolean } = {}): FloodEpisode[] {
    const ended: FloodEpisode[] = [];
    for (const [site, bucket] of this.buckets) {
      const episode = bucket.episode;
      if (episode === null) {
        continue;
      }
      const calm = this.refilled(site, nowMs).tokens >= this.limit.burst;
      if (calm || options.all === true) {
        ended.push(episode);
        bucket.episode = null;
      } else if (nowMs - episode.startedAt.getTime() >= this.reportEveryMs) {
        ended.push(episode);
        bucket.episode = null;
      }
    }
    return ended;
  }

  private refilled(site: string | null, nowMs: number): Bucket {
    let bucket = this.buckets.get(site);
    if (bucket === undefined) {
      bucket = { tokens: this.limit.burst, updatedMs: nowMs, episode: null };
      this.buckets.set(site, bucket);
      return bucket;
    }
    const elapsedMs = Math.max(0, nowMs - bucket.updatedMs);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (elapsedMs / 1000) * this.limit.perSecond);
    bucket.updatedMs = nowMs;
    return bucket;
  }
}
