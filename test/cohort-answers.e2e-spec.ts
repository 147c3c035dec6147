import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { hashQuery, type StructuredQuery } from '@fq/ccdl';
import { type QueryResult, QuotaUsage } from '@fq/contracts';
import { appEntryPoint, type BrokerHttpClient, expectShape } from '@fq/process-kit';
import { adultsQuery, type BrokerHandle, NetworkWorld, parseQuery, type SiteData, type SiteHandle } from './support';

const run = promisify(execFile);

const MII = 'fdpg.mii.cds';
const SNOMED = 'http://snomed.info/sct';
const ICD10GM = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';
const PATIENT = { system: MII, code: 'Patient', display: 'Patient' };
const LAB = { system: MII, code: 'Laboruntersuchung', display: 'Laboruntersuchung' };
const DIAGNOSIS = { system: MII, code: 'Diagnose', display: 'Diagnose' };
const AGE = { system: SNOMED, code: '424144002', display: 'Current chronological age' };
const HBA1C = { system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' };
const YEARS = { code: 'a', display: 'a' };
const ABOVE_7_PERCENT = { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%', display: '%' } };
const ADULT = {
  context: PATIENT,
  termCodes: [AGE],
  valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: 18, unit: YEARS },
};
const NO_CANCER = [[{ context: DIAGNOSIS, termCodes: [{ system: ICD10GM, code: 'C00-C97' }] }]];

function hba1c(valueFilter: object = ABOVE_7_PERCENT, extra: object = {}): object {
  return { context: LAB, termCodes: [HBA1C], valueFilter, ...extra };
}

function cohortQuery(inclusion: object[][], exclusion: object[][] = NO_CANCER): StructuredQuery {
  return parseQuery({
    version: 'http://to_be_decided.com/draft-2/schema#',
    inclusionCriteria: inclusion,
    exclusionCriteria: exclusion,
  });
}

/** Adults with an HbA1c above 7 % and no cancer diagnosis. */
const BASE = cohortQuery([[hba1c()], [ADULT]]);

/** Rephrasings that select exactly the patients of BASE, each a different canonical query. */
const VARIANTS: ReadonlyArray<readonly [string, StructuredQuery]> = [
  [
    'an extra age >= 0 group',
    cohortQuery([
      [hba1c()],
      [ADULT],
      [
        {
          context: PATIENT,
          termCodes: [AGE],
          valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: 0, unit: YEARS },
        },
      ],
    ]),
  ],
  [
    'a time restriction before 2999-12-31',
    cohortQuery([[hba1c(ABOVE_7_PERCENT, { timeRestriction: { beforeDate: '2999-12-31' } })], [ADULT]]),
  ],
  ['gt 7.0000001 instead of gt 7', cohortQuery([[hba1c({ ...ABOVE_7_PERCENT, value: 7.0000001 })], [ADULT]])],
  [
    'ge 18 written as a range',
    cohortQuery([
      [hba1c()],
      [
        {
          context: PATIENT,
          termCodes: [AGE],
          valueFilter: { type: 'quantity-range', minValue: 18, maxValue: 1000, unit: YEARS },
        },
      ],
    ]),
  ],
  [
    'an unknown code as an OR alternative',
    cohortQuery([[{ ...hba1c(), termCodes: [HBA1C, { system: LOINC, code: '99999-9', display: 'none' }] }], [ADULT]]),
  ],
  [
    'an unknown code as an exclusion',
    cohortQuery(
      [[hba1c()], [ADULT]],
      [...NO_CANCER, [{ context: DIAGNOSIS, termCodes: [{ system: ICD10GM, code: 'U99.99' }] }]],
    ),
  ],
  [
    'an extra group every gender satisfies',
    cohortQuery([
      [hba1c()],
      [ADULT],
      [
        {
          context: PATIENT,
          termCodes: [{ system: SNOMED, code: '263495000', display: 'Gender' }],
          valueFilter: {
            type: 'concept',
            selectedConcepts: ['female', 'male', 'other', 'unknown'].map((code) => ({
              system: 'http://hl7.org/fhir/administrative-gender',
              code,
            })),
          },
        },
      ],
    ]),
  ],
  [
    'an exclusion of HbA1c results from the year 1800',
    cohortQuery(
      [[hba1c()], [ADULT]],
      [
        ...NO_CANCER,
        [hba1c(ABOVE_7_PERCENT, { timeRestriction: { afterDate: '1800-01-01', beforeDate: '1800-12-31' } })],
      ],
    ),
  ],
];

const TIGHT_BUDGET = 3;
const EXHAUSTED = /^privacy budget at this site exhausted until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/;
const ANSWER_MS = 30_000;
const HOUR_MS = 3_600_000;

/** What a result says per site (by site id for an admin, by code for a researcher): status and published figure. */
function perSite(result: QueryResult): Record<string, unknown> {
  return Object.fromEntries(
    result.sites.map((site) => [
      site.siteId ?? site.site,
      { status: site.status, count: site.count, belowThreshold: site.belowThreshold ?? false },
    ]),
  );
}

describe('answers keyed by the cohort, and the privacy budget of each site', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let researcher: BrokerHttpClient;
  const sites: Array<{ id: string; data: SiteData; env: Record<string, string>; handle: SiteHandle }> = [];
  let tight: (typeof sites)[number];

  beforeAll(async () => {
    world = await NetworkWorld.create();
    const generated = [];
    for (const [label, patients] of [
      ['large', 2000],
      ['medium', 1500],
      ['tight', 1000],
    ] as const) {
      const id = world.newSiteId(label);
      generated.push({ label, id, data: await world.generateSite(id, patients) });
    }
    broker = await world.startBroker(
      world.brokerEnv(
        generated.map((site) => site.id),
        {
          // Every figure visible, and no broker quota in the way: this suite is about what the sites answer.
          BROKER_THRESHOLD_RESULTS: '0',
          BROKER_THRESHOLD_SITES: '0',
          BROKER_THRESHOLD_SITES_RESULT: '0',
          BROKER_QUOTA_SOFT_AMOUNT: '0',
          BROKER_QUOTA_POLL_INTERVAL_SECONDS: '0',
        },
      ),
    );
    researcher = await world.clientFor(broker.url, 'e2e-researcher', 'researcher');
    for (const site of generated) {
      const env = world.siteEnv(
        site.id,
        site.data,
        site.label === 'tight' ? { SITE_PRIVACY_BUDGET_COHORTS: String(TIGHT_BUDGET) } : {},
      );
      sites.push({ id: site.id, data: site.data, env, handle: await world.startSite(site.id, env) });
    }
    tight = sites[2];
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  async function answered(client: BrokerHttpClient, query: StructuredQuery): Promise<QueryResult> {
    const id = await client.submit(query);
    return client.waitForResult(id, (result) => result.status !== 'running', ANSWER_MS);
  }

  async function quotaOf(client: BrokerHttpClient): Promise<QuotaUsage> {
    const answer = await client.get('/api/v1/quota');
    return expectShape(QuotaUsage, answer.body, 'GET /api/v1/quota');
  }

  it('gives every rephrasing of one cohort the same total and the same figure at every site', async () => {
    // The variants really are different queries, and really select the same patients at every site.
    expect(new Set([BASE, ...VARIANTS.map(([, query]) => query)].map(hashQuery)).size).toBe(VARIANTS.length + 1);
    for (const site of sites) {
      const exact = site.data.exactCount(BASE);
      expect(exact).toBeGreaterThan(15);
      expect(VARIANTS.map(([name, query]) => [name, site.data.exactCount(query)])).toEqual(
        VARIANTS.map(([name]) => [name, exact]),
      );
    }

    const base = await answered(broker.client, BASE);
    expect(base.status).toBe('completed');
    expect(base.sites.map((site) => site.status)).toEqual(['answered', 'answered', 'answered']);
    for (const [name, query] of VARIANTS) {
      const variant = await answered(broker.client, query);
      expect({ name, total: variant.total, sites: perSite(variant) }).toEqual({
        name,
        total: base.total,
        sites: perSite(base),
      });
    }

    // Nine queries of one cohort cost one unit of each site's budget: the tight site (3) answered all of them.
    const budgets = (await quotaOf(broker.client)).siteBudgets;
    expect(budgets.map((budget) => [budget.siteId, budget.remaining, budget.limit]).sort()).toEqual(
      [
        [sites[0].id, 49, 50],
        [sites[1].id, 49, 50],
        [tight.id, TIGHT_BUDGET - 1, TIGHT_BUDGET],
      ].sort(),
    );
  }, 180_000);

  it('refuses a researcher’s new cohort once a site’s budget is spent, saying until when, also after a restart', async () => {
    // Distinct cohorts: adults from 18, 30, 40 and 50 years.
    for (const years of [18, 30, 40]) {
      const result = await answered(researcher, adultsQuery(years));
      expect(result.sites.map((site) => site.status)).toEqual(['answered', 'answered', 'answered']);
    }
    const refused = await answered(researcher, adultsQuery(50));
    expect(refused.status).toBe('completed');
    const refusals = refused.sites.filter((site) => site.status === 'refused');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ code: 'SITE_PRIVACY_BUDGET_EXHAUSTED', count: null });
    // The reason names a time, never a count.
    const until = EXHAUSTED.exec(refusals[0].reason ?? '')?.[1];
    expect(until).toBeDefined();
    expect(refused.sites.filter((site) => site.status === 'answered')).toHaveLength(2);

    // A researcher sees the budgets without site names (only the limit tells the tight site apart here).
    const quota = await quotaOf(researcher);
    expect(quota.siteBudgets.every((budget) => budget.siteId === undefined && budget.name === undefined)).toBe(true);
    const tightBudget = quota.siteBudgets.find((budget) => budget.limit === TIGHT_BUDGET);
    expect(tightBudget).toMatchObject({ remaining: 0, limit: TIGHT_BUDGET, windowDays: 7, resetsAt: until });
    expect(
      quota.siteBudgets.filter((budget) => budget.limit !== TIGHT_BUDGET).map((budget) => budget.remaining),
    ).toEqual([46, 46]);

    // A cohort the site answered within the window is free, budget or not.
    const again = await answered(researcher, adultsQuery(30));
    expect(again.sites.map((site) => site.status)).toEqual(['answered', 'answered', 'answered']);

    // Each site saw the researcher under its own pseudonym.
    const requesters = await Promise.all(
      sites.map(async (site) => (await world.auditLog(site.id)).find((line) => line.queryId === refused.id)?.requester),
    );
    expect(new Set(requesters).size).toBe(3);
    expect(requesters.every((requester) => typeof requester === 'string' && /^r-[0-9a-f]{32}$/.test(requester))).toBe(
      true,
    );

    // The spent budget survives a restart of the site.
    const before = (await quotaOf(researcher)).siteBudgets.find((budget) => budget.limit === TIGHT_BUDGET);
    await tight.handle.app.process.stop('SIGTERM');
    tight.handle = await world.startSite(tight.id, tight.env);

    const refusedAfterRestart = await answered(researcher, adultsQuery(60));
    const refusal = refusedAfterRestart.sites.find((site) => site.status === 'refused');
    expect(refusal?.code).toBe('SITE_PRIVACY_BUDGET_EXHAUSTED');
    expect(EXHAUSTED.exec(refusal?.reason ?? '')?.[1]).toBe(until);
    const knownAfterRestart = await answered(researcher, adultsQuery(40));
    expect(knownAfterRestart.sites.map((site) => site.status)).toEqual(['answered', 'answered', 'answered']);
    const after = (await quotaOf(researcher)).siteBudgets.find((budget) => budget.limit === TIGHT_BUDGET);
    expect(after).toMatchObject({ remaining: 0, resetsAt: until });
    expect(before).toMatchObject({ remaining: 0, resetsAt: until });

    // The operator's view, read from the state dir while the agent runs.
    const pseudonym = (await world.auditLog(tight.id)).find(
      (line) => line.queryId === refusedAfterRestart.id,
    )?.requester;
    const cli = appEntryPoint(resolve(__dirname, '..'), 'site-agent', 'cli.js');
    const listed = await run(process.execPath, [
      cli,
      'budget',
      'list',
      '--state-dir',
      world.siteStateDir(tight.id),
      '--cohorts',
      String(TIGHT_BUDGET),
      '--json',
    ]);
    const body = JSON.parse(listed.stdout) as { pseudonyms: Array<Record<string, unknown>> };
    const entry = body.pseudonyms.find((candidate) => candidate.pseudonym === pseudonym);
    expect(entry).toMatchObject({ used: TIGHT_BUDGET, remaining: 0 });
    // The operator sees the exact time; what left the site is rounded up to the hour.
    const exact = Date.parse(String(entry?.nextExpiryAt));
    expect(new Date(Math.ceil(exact / HOUR_MS) * HOUR_MS).toISOString()).toBe(until);
    // The refused query in words, as the agent kept it beside its audit log.
    const shown = await run(process.execPath, [
      cli,
      'audit',
      'show',
      refusedAfterRestart.id,
      '--state-dir',
      world.siteStateDir(tight.id),
    ]);
    expect(shown.stdout).toContain(`query ${refusedAfterRestart.id}\n  requester ${String(pseudonym)}`);
    expect(shown.stdout).toMatch(/include: Patient: SNOMED CT 424144002 "Current chronological age"; value ≥ 60 a/);
    expect(shown.stdout).toMatch(/refused +query .*SITE_PRIVACY_BUDGET_EXHAUSTED/);
  }, 240_000);

  it('gives every cohort the same answer after a site restarts on data with a newcomer listed first', async () => {
    // Five cohorts: with fresh draws, all five figures of the site would rarely come out the same again.
    const cohorts = [BASE, ...[18, 30, 40, 50].map((years) => adultsQuery(years))];
    const before = [];
    for (const query of cohorts) {
      before.push(perSite(await answered(broker.client, query)));
    }
    const large = sites[0];
    const numbersFile = join(world.siteStateDir(large.id), 'patient-numbers');
    const numbers = await stat(numbersFile);
    expect(numbers.mode & 0o777).toBe(0o600);
    expect(numbers.size).toBe(32 + 16 * 2000);

    // A child without any observation (in no cohort above), in a file read before all others: numbered in load
    // order, every other patient would move up by one and every cohort would get a new key.
    const newcomer = { resourceType: 'Patient', id: 'e2e-newcomer', gender: 'female', birthDate: '2024-01-01' };
    await writeFile(join(large.data.dir, '000-newcomer.ndjson'), `${JSON.stringify(newcomer)}\n`);
    await large.handle.app.process.stop('SIGTERM');
    large.handle = await world.startSite(large.id, large.env);

    const after = [];
    for (const query of cohorts) {
      const result = await answered(broker.client, query);
      // (The tight site refuses the admin's fourth new cohort, before and after alike.)
      expect(result.sites.find((site) => site.siteId === large.id)?.status).toBe('answered');
      after.push(perSite(result));
    }
    expect(after).toEqual(before);
    expect((await stat(numbersFile)).size).toBe(numbers.size + 16);
  }, 180_000);
});
