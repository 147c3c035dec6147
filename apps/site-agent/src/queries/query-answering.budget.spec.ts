import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StructuredQuery } from '@fq/ccdl';
import type { ResultEnvelope, ResultPayload } from '@fq/contracts';
import { BUDGET_LEDGER_FILE } from '../budget/budget-ledger.store';
import {
  createSiteWorld,
  FEMALE_QUERY,
  GENDER_CRITERION,
  queryEnvelope,
  type SiteWorld,
  type WorldOptions,
} from './__fixtures__/site-world';

const AGE_AT_LEAST_0 = {
  context: { system: 'fdpg.mii.cds', code: 'Patient' },
  termCodes: [{ system: 'http://snomed.info/sct', code: '424144002' }],
  valueFilter: { type: 'quantity-comparator' as const, comparator: 'ge' as const, value: 0, unit: { code: 'a' } },
};
/** The same patients as FEMALE_QUERY, asked differently: every patient is at least 0 years old. */
const FEMALE_AGED_0_OR_MORE: StructuredQuery = { inclusionCriteria: [[GENDER_CRITERION], [AGE_AT_LEAST_0]] };
const MALE_QUERY: StructuredQuery = {
  inclusionCriteria: [
    [
      {
        ...GENDER_CRITERION,
        valueFilter: {
          type: 'concept',
          selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'male' }],
        },
      },
    ],
  ],
};
const EVERYONE: StructuredQuery = { inclusionCriteria: [[AGE_AT_LEAST_0]] };

describe('QueryAnsweringService privacy budget', () => {
  let world: SiteWorld;

  async function open(options: WorldOptions = {}): Promise<SiteWorld> {
    world = await createSiteWorld({ budget: { cohorts: 2, windowDays: 7 }, ...options });
    return world;
  }

  afterEach(async () => {
    await world.close();
  });

  const payloads = (): ResultPayload[] => world.publisher.published.map((envelope) => envelope.payload);
  const ledgerLines = async (): Promise<Array<Record<string, unknown>>> =>
    (await readFile(join(world.dir, BUDGET_LEDGER_FILE), 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('persists the charge of a new cohort before the answer is published, and reports what is left', async () => {
    const w = await open();
    const ledgerAtPublish: Array<Array<Record<string, unknown>>> = [];
    const publish = w.publisher.publish.bind(w.publisher);
    w.publisher.publish = async (envelope: ResultEnvelope) => {
      ledgerAtPublish.push(await ledgerLines());
      return publish(envelope);
    };
    const envelope = queryEnvelope();

    await expect(w.admit(envelope)).resolves.toBe('ack');

    expect(ledgerAtPublish).toEqual([
      [
        {
          pseudonym: 'researcher-7f3a',
          cohortKey: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
          at: '2025-03-01T10:00:00.000Z',
          queryId: envelope.payload.queryId,
        },
      ],
    ]);
    expect(payloads()[0]).toMatchObject({
      status: 'answered',
      budget: { remaining: 1, limit: 2, windowDays: 7, resetsAt: '2025-03-08T10:00:00.000Z' },
    });
  });

  it('answers a rephrasing that selects the same patients for free, with the same count', async () => {
    const w = await open();
    await w.admit(queryEnvelope(FEMALE_QUERY));
    await w.admit(queryEnvelope(FEMALE_AGED_0_OR_MORE));

    const [first, second] = payloads();
    expect(first.status === 'answered' && second.status === 'answered').toBe(true);
    expect(second).toMatchObject({ status: 'answered', budget: { remaining: 1 } });
    expect(second.status === 'answered' ? second.result : null).toEqual(
      first.status === 'answered' ? first.result : null,
    );
    expect(await ledgerLines()).toHaveLength(1);
    expect((await w.auditLines()).map((line) => (line.budget as { charge: string }).charge)).toEqual([
      'charged',
      'known',
    ]);
  });

  it('refuses a new cohort past the budget with SITE_PRIVACY_BUDGET_EXHAUSTED and when it ends, and audits it', async () => {
    const w = await open();
    await w.admit(queryEnvelope(FEMALE_QUERY));
    w.clock.advance(60_000);
    await w.admit(queryEnvelope(MALE_QUERY));
    w.clock.advance(60_000);
    const refused = queryEnvelope(EVERYONE);

    await expect(w.admit(refused)).resolves.toBe('ack');

    expect(payloads()[2]).toEqual({
      status: 'refused',
      queryId: refused.payload.queryId,
      siteId: 'site-test',
      code: 'SITE_PRIVACY_BUDGET_EXHAUSTED',
      reason: 'privacy budget at this site exhausted until 2025-03-08T10:00:00.000Z',
      budget: { remaining: 0, limit: 2, windowDays: 7, resetsAt: '2025-03-08T10:00:00.000Z' },
    });
    expect((await w.auditLines()).at(-1)).toMatchObject({
      decision: 'refused',
      code: 'SITE_PRIVACY_BUDGET_EXHAUSTED',
      protectedResult: null,
      budget: { charge: 'exhausted', report: { remaining: 0 } },
    });
    expect(await ledgerLines()).toHaveLength(2);
    // A cohort already answered is still answered.
    await w.admit(queryEnvelope(FEMALE_AGED_0_OR_MORE));
    expect(payloads()[3]).toMatchObject({ status: 'answered', budget: { remaining: 0 } });
  });

  it('lets budget times leave the site only rounded up to the hour, so they cannot time this site’s answers', async () => {
    const w = await open({ budget: { cohorts: 1, windowDays: 7 } });
    w.clock.advance(17 * 60_000 + 3_456);
    await w.admit(queryEnvelope(FEMALE_QUERY));
    await w.admit(queryEnvelope(MALE_QUERY));

    expect(payloads()[0]).toMatchObject({ budget: { resetsAt: '2025-03-08T11:00:00.000Z' } });
    expect(payloads()[1]).toMatchObject({
      reason: 'privacy budget at this site exhausted until 2025-03-08T11:00:00.000Z',
      budget: { resetsAt: '2025-03-08T11:00:00.000Z' },
    });
    // The ledger, which stays at the site, keeps the exact time.
    expect((await ledgerLines())[0]).toMatchObject({ at: '2025-03-01T10:17:03.456Z' });
  });

  it('keeps one budget per researcher pseudonym', async () => {
    const w = await open({ budget: { cohorts: 1, windowDays: 7 } });
    await w.admit(queryEnvelope(FEMALE_QUERY, { requester: 'r-alice' }));
    await w.admit(queryEnvelope(MALE_QUERY, { requester: 'r-alice' }));
    await w.admit(queryEnvelope(MALE_QUERY, { requester: 'r-bob' }));
    expect(payloads().map((payload) => payload.status)).toEqual(['answered', 'refused', 'answered']);
  });

  it('does not charge a redelivered query twice, whether it was answered or its answer was not sent', async () => {
    const w = await open();
    const answered = queryEnvelope(FEMALE_QUERY);
    await w.admit(answered, 1);
    await w.admit(answered, 1);

    w.publisher.failures = 1;
    const unsent = queryEnvelope(MALE_QUERY);
    await expect(w.admit(unsent, 2)).resolves.toBe('retry');
    await expect(w.admit(unsent, 2)).resolves.toBe('ack');

    expect(payloads().map((payload) => payload.status)).toEqual(['answered', 'answered']);
    expect(payloads()[1]).toMatchObject({ budget: { remaining: 0 } });
    expect((await ledgerLines()).map((line) => line.queryId)).toEqual([
      answered.payload.queryId,
      unsent.payload.queryId,
    ]);
  });

  it('publishes nothing and lets the query come back when the charge cannot be written', async () => {
    const w = await open();
    await w.budget.close();

    await expect(w.admit(queryEnvelope())).resolves.toBe('retry');

    expect(w.publisher.published).toEqual([]);
    expect(await w.auditLines()).toEqual([]);
    expect(w.logger.lines.join('\n')).toMatch(/privacy budget not recorded/);
  });
});
