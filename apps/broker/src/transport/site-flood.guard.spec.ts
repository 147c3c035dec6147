import { SiteFloodGuard } from './site-flood.guard';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');

describe('SiteFloodGuard', () => {
  it('admits a burst, then the sustained rate, per site', () => {
    const guard = new SiteFloodGuard({ perSecond: 2, burst: 3 });
    const admitted = (site: string, at: number, n: number) =>
      Array.from({ length: n }, (_, i) => guard.admit(site, 'result', i + 1, at)).filter((v) => v === 'admitted')
        .length;
    expect(admitted('site-a', T0, 10)).toBe(3);
    // Another site has its own bucket.
    expect(admitted('site-b', T0, 3)).toBe(3);
    // Half a second refills one token.
    expect(admitted('site-a', T0 + 500, 10)).toBe(1);
    expect(admitted('site-a', T0 + 1500, 10)).toBe(2);
  });

  it('reports the first dropped message of an episode once, and the episode with its counts when the site calms down', () => {
    const guard = new SiteFloodGuard({ perSecond: 10, burst: 5 });
    const verdicts = Array.from({ length: 20 }, (_, i) => guard.admit('site-a', 'result', 100 + i, T0));
    expect(verdicts.filter((v) => v === 'admitted')).toHaveLength(5);
    expect(verdicts.filter((v) => v === 'flood-started')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'dropped')).toHaveLength(14);
    expect(guard.admit('site-a', 'heartbeat', 7, T0 + 10)).toBe('dropped');
    // Still refilling: the episode goes on.
    expect(guard.endedEpisodes(T0 + 400)).toEqual([]);
    const [episode, ...more] = guard.endedEpisodes(T0 + 600);
    expect(more).toEqual([]);
    expect(episode).toEqual({
      site: 'site-a',
      startedAt: new Date(T0),
      lastDroppedAt: new Date(T0 + 10),
      droppedResults: 15,
      droppedHeartbeats: 1,
      firstDroppedResult: 105,
      lastDroppedResult: 119,
    });
    expect(guard.endedEpisodes(T0 + 10_000)).toEqual([]);
  });

  it('keeps one episode while a site floods at any rate above its limit', () => {
    const guard = new SiteFloodGuard({ perSecond: 10, burst: 5 });
    let started = 0;
    let sequence = 1;
    // 50 messages a second for 3 seconds: about a fifth get through, the bucket never fills again.
    for (let ms = 0; ms < 3000; ms += 20) {
      if (guard.admit('site-a', 'result', sequence++, T0 + ms) === 'flood-started') {
        started++;
      }
      expect(guard.endedEpisodes(T0 + ms)).toEqual([]);
    }
    expect(started).toBe(1);
  });

  it('reports a flood that never ends at most once per report interval', () => {
    const guard = new SiteFloodGuard({ perSecond: 1, burst: 1, reportEveryMs: 60_000 });
    guard.admit('site-a', 'result', 1, T0);
    guard.admit('site-a', 'result', 2, T0);
    guard.admit('site-a', 'result', 3, T0 + 59_000);
    expect(guard.endedEpisodes(T0 + 59_000)).toEqual([]);
    guard.admit('site-a', 'result', 4, T0 + 60_000);
    guard.admit('site-a', 'result', 5, T0 + 60_000);
    expect(guard.endedEpisodes(T0 + 60_000)).toEqual([expect.objectContaining({ droppedResults: 2 })]);
    guard.admit('site-a', 'result', 6, T0 + 60_000);
    expect(guard.endedEpisodes(T0 + 70_000)).toEqual([
      expect.objectContaining({ droppedResults: 1, firstDroppedResult: 6, startedAt: new Date(T0 + 60_000) }),
    ]);
  });

  it('hands over every open episode on request, e.g. at shutdown', () => {
    const guard = new SiteFloodGuard({ perSecond: 1, burst: 1 });
    guard.admit('site-a', 'result', 1, T0);
    guard.admit('site-a', 'result', 2, T0);
    guard.admit(null, 'heartbeat', 9, T0);
    guard.admit(null, 'heartbeat', 10, T0);
    expect(guard.endedEpisodes(T0, { all: true }).map((episode) => episode.site)).toEqual(['site-a', null]);
    expect(guard.endedEpisodes(T0, { all: true })).toEqual([]);
  });
});
