import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StructuredQuery } from '@fq/ccdl';
import { createSiteWorld, queryEnvelope, type SiteWorld } from '../queries/__fixtures__/site-world';
import { resolveTimeBound } from './audit.command';
import { runSiteAgentCli } from './__fixtures__/cli-run';

const DIABETES_HBA1C: StructuredQuery = {
  display: 'Type 2 diabetes with HbA1c above 7 %',
  inclusionCriteria: [
    [
      {
        context: { system: 'fdpg.mii.cds', code: 'Diagnose', display: 'Diagnose' },
        termCodes: [
          { system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'E11', display: 'Diabetes mellitus, Typ 2' },
        ],
      },
    ],
    [
      {
        context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
        termCodes: [{ system: 'http://loinc.org', code: '4548-4', display: 'HbA1c' }],
        valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%' } },
        timeRestriction: { afterDate: '2020-01-01', beforeDate: '2024-12-31' },
      },
    ],
  ],
  exclusionCriteria: [
    [
      {
        context: { system: 'fdpg.mii.cds', code: 'Patient' },
        termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }],
        valueFilter: {
          type: 'concept',
          selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'male', display: 'Male' }],
        },
      },
    ],
  ],
};

const FEMALE_IDS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];

describe('site-agent audit', () => {
  let world: SiteWorld;

  beforeAll(async () => {
    world = await createSiteWorld();
    await world.admit(queryEnvelope(DIABETES_HBA1C, { queryId: FEMALE_IDS[0], requester: 'researcher-a' }));
    world.clock.advance(60_000);
    // The same query again: kept once.
    await world.admit(queryEnvelope(DIABETES_HBA1C, { queryId: FEMALE_IDS[1], requester: 'researcher-b' }));
    world.clock.advance(60_000);
    // A query whose hash does not match: refused by policy.
    await world.admit(
      queryEnvelope(undefined, { queryId: '33333333-3333-4333-8333-333333333333', queryHash: 'a'.repeat(64) }),
    );
  });

  afterAll(() => world.close());

  it('keeps each query once beside the audit log, and no count in it', async () => {
    const kept = await readdir(join(world.dir, 'audit-queries'));
    // The diabetes query once for its two askings, and the refused query under its own hash.
    expect(kept.filter((name) => name.endsWith('.json'))).toHaveLength(2);
    for (const name of kept) {
      const text = await readFile(join(world.dir, 'audit-queries', name), 'utf8');
      expect(text).not.toMatch(/rawCount|protectedCount|"count"/);
    }
  });

  it('lists every decision with its query in words', async () => {
    const result = await runSiteAgentCli(['audit', 'list', '--state-dir', world.dir]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^3 audit records match in /);
    expect(result.out).toMatch(
      new RegExp(
        `answered +query ${FEMALE_IDS[0]} {2}requester researcher-a {2}(protected count \\d+|below the threshold of 10) {2}budget charged`,
      ),
    );
    expect(result.out).toContain('    "Type 2 diabetes with HbA1c above 7 %"');
    expect(result.out).toContain('    include: Diagnose: ICD-10-GM E11 "Diabetes mellitus, Typ 2"');
    expect(result.out).toContain(
      '    and: Laboruntersuchung: LOINC 4548-4 "HbA1c"; value > 7 %; between 2020-01-01 and 2024-12-31',
    );
    expect(result.out).toContain('    exclude: Patient: SNOMED CT 263495000; value is gender male "Male"');
    expect(result.out).toMatch(/refused +query 33333333-3333-4333-8333-333333333333 .*SITE_QUERY_HASH_MISMATCH/);
    // Kept under its own hash only: the claimed one names no query.
    expect(result.out).toMatch(/SITE_QUERY_HASH_MISMATCH.*\n {4}\(the query a{64} is not kept/);
  });

  it('filters by decision and time, and gives JSON', async () => {
    const refused = await runSiteAgentCli([
      'audit',
      'list',
      '--state-dir',
      world.dir,
      '--decision',
      'refused,held',
      '--json',
    ]);
    const body = JSON.parse(refused.out) as { matched: number; records: Array<{ decision: string; query: unknown }> };
    expect(body.matched).toBe(1);
    expect(body.records[0].decision).toBe('refused');
    const lines = await world.auditLines();
    const second = lines[1].time as string;
    const windowed = await runSiteAgentCli([
      'audit',
      'list',
      '--state-dir',
      world.dir,
      '--since',
      second,
      '--until',
      second,
      '--json',
    ]);
    const inWindow = JSON.parse(windowed.out) as { records: Array<{ queryId: string; query: StructuredQuery | null }> };
    expect(inWindow.records.map((r) => r.queryId)).toEqual([FEMALE_IDS[1]]);
    expect(inWindow.records[0].query).toEqual(DIABETES_HBA1C);
    const none = await runSiteAgentCli(['audit', 'list', '--state-dir', world.dir, '--until', '2000-01-01']);
    expect(none.out).toMatch(/^no audit records match/);
  });

  it('shows one query and its decisions', async () => {
    const result = await runSiteAgentCli(['audit', 'show', FEMALE_IDS[1], '--state-dir', world.dir]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`query ${FEMALE_IDS[1]}\n  requester researcher-b, query hash `);
    expect(result.out).toContain('  include: Diagnose: ICD-10-GM E11 "Diabetes mellitus, Typ 2"');
    expect(result.out).toMatch(/decisions:\n {2}\S+ +answered/);
    const missing = await runSiteAgentCli([
      'audit',
      'show',
      '44444444-4444-4444-8444-444444444444',
      '--state-dir',
      world.dir,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no audit record of query 44444444/);
  });

  it('names bad options and a log it cannot read', async () => {
    expect((await runSiteAgentCli(['audit', 'list'])).err).toMatch(/give --state-dir .* or --audit-log/);
    expect((await runSiteAgentCli(['audit', 'list', '--state-dir', world.dir, '--decision', 'answerd'])).err).toMatch(
      /--decision: expected one of answered, refused, failed, expired, held, rejected-message/,
    );
    expect((await runSiteAgentCli(['audit', 'list', '--state-dir', world.dir, '--since', 'yesterday'])).err).toMatch(
      /--since: expected an ISO time/,
    );
    const gone = await runSiteAgentCli(['audit', 'list', '--audit-log', join(world.dir, 'nope.jsonl')]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/cannot read the audit log .*nope\.jsonl: ENOENT/);
  });

  it('reports a torn line and a query that is not kept, and goes on', async () => {
    const copy = join(world.dir, 'copy', 'audit.jsonl');
    await mkdir(join(world.dir, 'copy'));
    await writeFile(copy, await readFile(join(world.dir, 'audit.jsonl')));
    await appendFile(copy, '{"time":"2025-03-01T1');
    const result = await runSiteAgentCli(['audit', 'list', '--audit-log', copy]);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/warning: line 4 is no audit record/);
    expect(result.out).toMatch(/\(the query [0-9a-f]{64} is not kept/);
  });
});

describe('resolveTimeBound', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('reads spans back from now, days and instants', () => {
    expect(resolveTimeBound('24h', now, false).toISOString()).toBe('2026-03-09T12:00:00.000Z');
    expect(resolveTimeBound('7d', now, false).toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(resolveTimeBound('2026-03-01', now, false).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(resolveTimeBound('2026-03-01', now, true).toISOString()).toBe('2026-03-01T23:59:59.999Z');
    expect(resolveTimeBound('2026-03-01T08:00:00+01:00', now, false).toISOString()).toBe('2026-03-01T07:00:00.000Z');
  });
});
