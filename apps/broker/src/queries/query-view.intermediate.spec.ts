import {
  QueryResult,
  type QueryResultUpdate,
  QuerySummary,
  type ResultThresholds,
  SiteResultEvent,
} from '@fq/contracts';
import fc from 'fast-check';
import type { Caller } from '../identity/caller';
import type { SiteAnswer, StoredQuery, StoredSiteResult } from '../persistence/records.schema';
import {
  buildQueryEvents,
  buildQueryResult,
  buildQuerySummary,
  buildResultUpdate,
  type QueryEvent,
} from './query-view';

// DESIGN.md invariant 8, over every threshold combination of a grid, every arrival order of 3 and 4 sites, and worlds
// drawn by fast-check. Plain checks collect the leaks in the hot loops; one expect per world keeps them fast.

/** What one site does with the query; `silent` never answers, so the query expires. */
type Reply =
  | { kind: 'count'; protectedCount: number }
  | { kind: 'below-threshold' }
  | { kind: 'refused' | 'failed'; code: string }
  | { kind: 'silent' };
type World = readonly Reply[];

const QUERY_ID = '0b5e8a3c-7d1f-4e2a-9c6b-3f8d2e1a4b7c';
const CALLERS: readonly Caller[] = [
  { id: 'alice', role: 'researcher' },
  { id: 'root', role: 'admin' },
];
// Counts and thresholds sit on both sides of each other (10 vs 9/10, 21 vs 20/21, sums vs 20/21, 50/51, 80/81).
const COUNTS = [0, 10, 20, 21, 50] as const;
const CODES = ['SITE_POLICY_REFUSED', 'SITE_BUDGET_EXHAUSTED'] as const;
const THRESHOLD_GRID: readonly ResultThresholds[] = [0, 1, 20, 21, 50, 51, 81, 1000].flatMap((results) =>
  [0, 1, 2, 3, 4].flatMap((sites) => [0, 10, 20, 21, 50].map((sitesResult) => ({ results, sites, sitesResult }))),
);

function permutations(n: number): number[][] {
  if (n === 0) {
    return [[]];
  }
  return permutations(n - 1).flatMap((rest) =>
    Array.from({ length: n }, (_, at) => [...rest.slice(0, at), n - 1, ...rest.slice(at)]),
  );
}
const ORDERS = new Map([3, 4].map((n) => [n, permutations(n)]));

function aQuery(world: World, status: StoredQuery['status']): StoredQuery {
  return {
    id: QUERY_ID,
    requesterId: 'alice',
    query: { inclusionCriteria: [[{ termCodes: [{ system: 's', code: 'c' }] }]] },
    queryHash: 'c'.repeat(64),
    // Pseudonyms in another order than the sites, as a real draw would give.
    sites: world.map((_, i) => ({
      siteId: `site-${i}`,
      name: `Uniklinik ${i}`,
      pseudonym: `Site ${world.length - i}`,
    })),
    status,
    createdAt: '2026-03-02T09:00:00.000Z',
    expiresAt: '2026-03-02T09:01:00.000Z',
    dispatchedAt: '2026-03-02T09:00:00.000Z',
    finishedAt: status === 'running' ? null : '2026-03-02T09:00:30.000Z',
  };
}

function toAnswer(reply: Exclude<Reply, { kind: 'silent' }>): SiteAnswer {
  switch (reply.kind) {
    case 'count':
      return { status: 'answered', result: { kind: 'count', protectedCount: reply.protectedCount }, dataVersion: 'v1' };
    case 'below-threshold':
      return { status: 'answered', result: { kind: 'below-threshold', threshold: 10 }, dataVersion: 'v1' };
    case 'refused':
    case 'failed':
      return { status: reply.kind, code: reply.code, reason: `${reply.code} happened` };
  }
}

function stored(seq: number, site: number, origin: 'site' | 'broker', answer: SiteAnswer): StoredSiteResult {
  return { seq, queryId: QUERY_ID, siteId: `site-${site}`, origin, receivedAt: '2026-03-02T09:00:05.000Z', answer };
}

/** A world's results stored in one arrival order: the answers, then the broker's expiries of silent sites. */
interface Played {
  order: readonly number[];
  running: StoredQuery;
  final: StoredQuery;
  /** Each set of results a read of the running query can meet, the empty one first. */
  runningPrefixes: StoredSiteResult[][];
  all: StoredSiteResult[];
}

function play(world: World, order: readonly number[]): Played {
  const answers: StoredSiteResult[] = [];
  for (const site of order) {
    const reply = world[site];
    if (reply.kind !== 'silent') {
      answers.push(stored(answers.length + 1, site, 'site', toAnswer(reply)));
    }
  }
  const silent = world.flatMap((reply, site) => (reply.kind === 'silent' ? [site] : []));
  const expired = silent.map((site, i) => stored(answers.length + i + 1, site, 'broker', { status: 'expired' }));
  const final = aQuery(world, silent.length === 0 ? 'completed' : 'expired');
  // A completed query ran until its last answer; an expired one until its deadline, after all of them.
  const runningCount = final.status === 'completed' ? answers.length - 1 : answers.length;
  return {
    order,
    running: aQuery(world, 'running'),
    final,
    runningPrefixes: Array.from({ length: runningCount + 1 }, (_, k) => answers.slice(0, k)),
    all: [...answers, ...expired],
  };
}

/** Everything a caller can see of the query before it finished. */
interface Seen {
  /** `GET /api/v1/queries/{id}` at each point. */
  reads: QueryResult[];
  /** The history entry at each point. */
  summaries: QuerySummary[];
  /** The events a live stream sent while the query ran. */
  live: QueryEvent[];
  /** The events a stream replays once the query finished, its final `completed` or `expired` event left out. */
  replayed: QueryEvent[];
}

function observe(played: Played, thresholds: ResultThresholds, caller: Caller): Seen {
  const { running, runningPrefixes } = played;
  return {
    reads: runningPrefixes.map((seen) => buildQueryResult(running, seen, thresholds, caller)),
    summaries: runningPrefixes.map((seen) => buildQuerySummary(running, seen, thresholds, caller)),
    live: buildQueryEvents(running, runningPrefixes[runningPrefixes.length - 1], thresholds, caller),
    replayed: replay(played, thresholds, caller),
  };
}

function replay(played: Played, thresholds: ResultThresholds, caller: Caller): QueryEvent[] {
  return buildQueryEvents(played.final, played.all, thresholds, caller).slice(0, -1);
}

/**
 * The read before the first answer and the results in the replayed `site-result` events: everything a caller sees
 * before the end, as every later read, history entry and live event equals one of them ('agree with the replayed
 * stream' checks that), at a third of the cost of `observe`.
 */
function observeCheaply(played: Played, thresholds: ResultThresholds, caller: Caller): QueryResultUpdate[] {
  const first = buildResultUpdate(played.running, [], thresholds, caller);
  return [first, ...replay(played, thresholds, caller).map(resultOf)];
}

/** The distinct stored histories of a world over every arrival order (silent sites' places make no difference). */
function playEveryOrder(world: World): Played[] {
  const byArrival = new Map<string, Played>();
  for (const order of ORDERS.get(world.length) ?? []) {
    const played = play(world, order);
    byArrival.set(played.all.map((result) => result.siteId).join(','), played);
  }
  return [...byArrival.values()];
}

function finalView(world: World, thresholds: ResultThresholds, caller: Caller): QueryResultUpdate {
  const { final, all } = play(
    world,
    world.map((_, i) => i),
  );
  return buildResultUpdate(final, all, thresholds, caller);
}

function resultOf(event: QueryEvent): QueryResultUpdate {
  return event.type === 'site-result' ? event.data.result : event.data;
}

/** What `view`, seen before the end, shows that `final` hides; the last event of a completed query is `final` itself. */
function findLeaks(view: QueryResultUpdate, final: QueryResultUpdate): string[] {
  if (view.status !== 'running') {
    return JSON.stringify(view) === JSON.stringify(final) ? [] : ['a finished view differs from the final view'];
  }
  const leaks: string[] = [];
  const finalSites = new Map(final.sites.map((site) => [site.site, site]));
  for (const site of view.sites) {
    const end = finalSites.get(site.site);
    if (end === undefined || (site.status !== 'pending' && site.status !== end.status)) {
      leaks.push(`${site.site}: status ${site.status} is not its final status`);
    } else if (site.count !== null && site.count !== end.count) {
      leaks.push(`${site.site}: count ${site.count}, final ${end.count}`);
    } else if (site.belowThreshold === true && end.belowThreshold !== true) {
      leaks.push(`${site.site}: below its threshold, which the final view hides`);
    }
  }
  if (final.breakdownHidden !== null) {
    const figures = view.total !== null || view.sites.some((s) => s.count !== null || s.belowThreshold !== undefined);
    if (figures || view.totalHidden !== 'query-running' || view.breakdownHidden !== 'query-running') {
      leaks.push('figures or a threshold verdict while the final breakdown is hidden');
    }
  }
  if (view.total !== null) {
    // A running total must be the sum of per-site counts the final view shows, never a number of its own.
    const sum = view.sites
      .filter((site) => site.status === 'answered')
      .reduce((acc, site) => acc + (finalSites.get(site.site)?.count ?? 0), 0);
    if (final.total === null || view.total !== sum || final.breakdownHidden !== null) {
      leaks.push(`running total ${view.total}, final total ${final.total}, final per-site counts sum to ${sum}`);
    }
  }
  return leaks;
}

const answeredReply: fc.Arbitrary<Reply> = fc.oneof(
  fc.constantFrom(...COUNTS).map((protectedCount): Reply => ({ kind: 'count', protectedCount })),
  fc.constant<Reply>({ kind: 'below-threshold' }),
);
const reply: fc.Arbitrary<Reply> = fc.oneof(
  { weight: 5, arbitrary: answeredReply },
  {
    weight: 1,
    arbitrary: fc
      .record({ kind: fc.constantFrom('refused' as const, 'failed' as const), code: fc.constantFrom(...CODES) })
      .map((refusal): Reply => refusal),
  },
  { weight: 1, arbitrary: fc.constant<Reply>({ kind: 'silent' }) },
);
const world: fc.Arbitrary<World> = fc
  .integer({ min: 3, max: 4 })
  .chain((sites) => fc.array(reply, { minLength: sites, maxLength: sites }));

function isAnswered(r: Reply): boolean {
  return r.kind === 'count' || r.kind === 'below-threshold';
}

/** A second world with the same site statuses: answers drawn again, the same answers shuffled, or a count moved. */
function sibling(of: World): fc.Arbitrary<World> {
  const answered = of.flatMap((r, i) => (isAnswered(r) ? [i] : []));
  const redrawn = fc.tuple(
    ...of.map((r) =>
      isAnswered(r) || r.kind === 'silent'
        ? isAnswered(r)
          ? answeredReply
          : fc.constant(r)
        : fc.constantFrom(...CODES).map((code): Reply => ({ kind: r.kind as 'refused' | 'failed', code })),
    ),
  );
  const shuffled = fc
    .shuffledSubarray(answered, { minLength: answered.length, maxLength: answered.length })
    .map((to) => of.map((r, i) => (answered.includes(i) ? of[to[answered.indexOf(i)]] : r)));
  const moved = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 50 })).map(([from, to, amount]) => {
    const counted = of.flatMap((r, i) => (r.kind === 'count' ? [{ i, count: r.protectedCount }] : []));
    const [a, b] = [counted[from % Math.max(1, counted.length)], counted[to % Math.max(1, counted.length)]];
    if (a === undefined || b === undefined || a.i === b.i) {
      return of;
    }
    const shift = Math.min(amount, a.count);
    return of.map((r, i): Reply => {
      if (i === a.i) {
        return { kind: 'count', protectedCount: a.count - shift };
      }
      return i === b.i ? { kind: 'count', protectedCount: b.count + shift } : r;
    });
  });
  return fc.oneof(redrawn, shuffled, moved);
}

describe('intermediate views of a query (DESIGN.md invariant 8)', () => {
  it('are identical for two worlds whose final views are identical, for every threshold combination and arrival order', () => {
    let differentWorldsCompared = 0;
    fc.assert(
      fc.property(
        world.chain((a) => fc.tuple(fc.constant(a), sibling(a), fc.constantFrom(...CALLERS))),
        ([a, b, caller]) => {
          if (JSON.stringify(a) === JSON.stringify(b)) {
            return;
          }
          const sameFinal = THRESHOLD_GRID.map(
            (thresholds) =>
              JSON.stringify(finalView(a, thresholds, caller)) === JSON.stringify(finalView(b, thresholds, caller)),
          );
          const differ: string[] = [];
          // b has the same silent sites as a, so a's distinct histories cover b's too.
          for (const playedA of playEveryOrder(a)) {
            const playedB = play(b, playedA.order);
            THRESHOLD_GRID.forEach((thresholds, t) => {
              if (
                sameFinal[t] &&
                JSON.stringify(observeCheaply(playedA, thresholds, caller)) !==
                  JSON.stringify(observeCheaply(playedB, thresholds, caller))
              ) {
                differ.push(`thresholds ${JSON.stringify(thresholds)}, order ${playedA.order.join(',')}`);
              }
            });
          }
          expect(differ).toEqual([]);
          differentWorldsCompared += sameFinal.filter(Boolean).length;
        },
      ),
      { numRuns: 40, seed: 8 },
    );
    // Vacuous unless many pairs of different worlds met equal final views.
    expect(differentWorldsCompared).toBeGreaterThan(1500);
  });

  it('show no figure the final view hides, for every threshold combination and arrival order', () => {
    fc.assert(
      fc.property(world, fc.constantFrom(...CALLERS), (w, caller) => {
        const leaks: string[] = [];
        const finals = THRESHOLD_GRID.map((thresholds) => finalView(w, thresholds, caller));
        for (const played of playEveryOrder(w)) {
          const arrival = played.all.map((result) => result.siteId).join(',');
          THRESHOLD_GRID.forEach((thresholds, t) => {
            for (const view of observeCheaply(played, thresholds, caller)) {
              leaks.push(
                ...findLeaks(view, finals[t]).map((leak) => `${JSON.stringify(thresholds)} ${arrival}: ${leak}`),
              );
            }
          });
        }
        expect(leaks).toEqual([]);
      }),
      { numRuns: 25, seed: 10 },
    );
  });

  it('agree with the replayed stream: every read, history entry and live event while running', () => {
    fc.assert(
      fc.property(
        world.chain((w) => fc.tuple(fc.constant(w), fc.constantFrom(...(ORDERS.get(w.length) ?? [])))),
        fc.constantFrom(...THRESHOLD_GRID),
        fc.constantFrom(...CALLERS),
        ([w, order], thresholds, caller) => {
          const played = play(w, order);
          const seen = observe(played, thresholds, caller);
          const replayed = seen.replayed.map(resultOf);
          // The read before any answer is checked on its own; each later read equals the event of its last answer,
          // which leaves out only the query.
          const reads = seen.reads.map(({ query, ...update }) => {
            expect(query).toEqual(played.running.query);
            return update;
          });
          expect(reads.slice(1)).toEqual(replayed.slice(0, seen.reads.length - 1));
          expect(seen.live).toEqual(seen.replayed.slice(0, seen.live.length));
          seen.summaries.forEach((summary, k) => expect(seen.reads[k]).toMatchObject(QuerySummary.parse(summary)));
          seen.reads.forEach((read) => QueryResult.parse(read));
          seen.replayed.forEach((event) => SiteResultEvent.parse(event.data));
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });

  it('show the figures while running once the final view is certain to show the breakdown', () => {
    const w: World = [
      { kind: 'count', protectedCount: 50 },
      { kind: 'count', protectedCount: 30 },
      { kind: 'count', protectedCount: 21 },
      { kind: 'silent' },
    ];
    const seen = observe(play(w, [0, 1, 2, 3]), { results: 20, sites: 2, sitesResult: 20 }, CALLERS[0]);
    expect(seen.reads.map((read) => [read.total, read.totalHidden, read.breakdownHidden])).toEqual([
      [null, 'query-running', 'query-running'],
      [null, 'query-running', 'query-running'],
      [80, null, null],
      [101, null, null],
    ]);
  });
});
