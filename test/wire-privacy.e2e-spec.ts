import type { StructuredQuery } from '@fq/ccdl';
import {
  adultsQuery,
  type BrokerHandle,
  diagnosisQuery,
  hba1cQuery,
  keysDeep,
  NetworkWorld,
  type SiteData,
  type WireTap,
} from './support';

const THRESHOLD = 10;
const ROUNDING = 10;

/**
 * A result envelope's JSON without the privacy-budget report its payload may carry: that report's numbers (cohorts
 * left, the limit, the window in days) count queries, not patients, and may equal a count by chance. They are checked
 * on their own.
 */
function withoutBudget(json: unknown): { rest: unknown; budget: unknown } {
  if (typeof json !== 'object' || json === null || !('payload' in json)) {
    return { rest: json, budget: undefined };
  }
  const { payload, ...envelope } = json;
  if (typeof payload !== 'object' || payload === null || !('budget' in payload)) {
    return { rest: json, budget: undefined };
  }
  const { budget, ...others } = payload;
  return { rest: { ...envelope, payload: others }, budget };
}

/** Every number anywhere inside a JSON value. */
function numbersDeep(value: unknown): number[] {
  if (typeof value === 'number') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(numbersDeep);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).flatMap(numbersDeep);
  }
  return [];
}

describe('what crosses the wire', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  const sites: Array<{ id: string; data: SiteData }> = [];
  const candidates: StructuredQuery[] = [
    adultsQuery(),
    adultsQuery(65),
    diagnosisQuery('E11'),
    diagnosisQuery('I10'),
    hba1cQuery(),
  ];

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    for (const [label, patients] of [
      ['alpha', 320],
      ['beta', 210],
      ['gamma', 130],
    ] as const) {
      const id = world.newSiteId(label);
      sites.push({ id, data: await world.generateSite(id, patients) });
    }
    broker = await world.startBroker(world.brokerEnv(sites.map((site) => site.id)));
    await Promise.all(sites.map((site) => world.startSite(site.id, world.siteEnv(site.id, site.data))));
  });

  afterAll(async () => {
    await world?.close();
  });

  it('carries no raw count, and no result carries an exact count the test knows', async () => {
    // Exact counts above the threshold that protection must not reproduce: not multiples of the rounding step.
    const revealing = candidates.flatMap((query) =>
      sites
        .map((site) => ({ query, siteId: site.id, exact: site.data.exactCount(query) }))
        .filter(({ exact }) => exact > THRESHOLD && exact % ROUNDING !== 0),
    );
    expect(revealing.length).toBeGreaterThan(0);

    const ids = await Promise.all(candidates.map((query) => broker.client.submit(query)));
    await Promise.all(ids.map((id) => broker.client.waitForResult(id, (r) => r.status !== 'running', 30_000)));
    await tap.flush();

    const forbiddenKeys = ['rawCount', 'rawPatientCount', 'exactCount'];
    const carrying = tap.messages.filter((m) => forbiddenKeys.some((key) => keysDeep(m.json).has(key)));
    expect(carrying.map((m) => m.subject)).toEqual([]);
    const results = tap.messages.filter((m) => m.envelope?.type === 'result');
    expect(results.length).toBeGreaterThanOrEqual(candidates.length * sites.length);
    for (const { query, siteId, exact } of revealing) {
      const queryId = ids[candidates.indexOf(query)];
      const answers = results.filter(
        (m) =>
          m.envelope?.type === 'result' &&
          m.envelope.payload.queryId === queryId &&
          m.envelope.payload.siteId === siteId,
      );
      expect(answers.length).toBeGreaterThan(0);
      for (const answer of answers) {
        const { rest, budget } = withoutBudget(answer.json);
        expect(numbersDeep(rest)).not.toContain(exact);
        // Five distinct cohorts at most, out of the default 50 per 7 days.
        expect(budget).toEqual({
          remaining: expect.any(Number) as unknown,
          limit: 50,
          windowDays: 7,
          resetsAt: expect.any(String) as unknown,
        });
        expect((budget as { remaining: number }).remaining).toBeGreaterThanOrEqual(50 - candidates.length);
      }
    }
  });
});
