import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSiteAgentCli } from './__fixtures__/cli-run';
import { FEMALE_QUERY } from '../queries/__fixtures__/site-world';

const KDS = join(__dirname, '../../../../../shared/fixtures/mii-kds');

describe('site-agent evaluate: the load summary', () => {
  let dir: string;
  let query: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'evaluate-load-'));
    query = join(dir, 'female.json');
    writeFileSync(query, JSON.stringify(FEMALE_QUERY));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const evaluate = (data: string, ...more: string[]) =>
    runSiteAgentCli(['evaluate', '--data', data, '--query', query, '--today', '2025-01-01', '--exact', ...more]);

  it('accounts for every resource of the MII example bundles, per type and reason', async () => {
    const result = await evaluate(KDS);
    expect(result.code).toBe(0);
    expect(result.err).toContain(
      '697 resources read: 453 indexed, 244 not used (171 type not in the mapping, 73 no code the mapping reads); ' +
        '0 invalid lines, entries or files',
    );
    expect(result.err).toMatch(
      /^ {2}resource type +read +indexed +type not mapped +no mapped code +no patient +replaced$/m,
    );
    expect(result.err).toMatch(/^ {2}Observation +238 +172 +0 +66 +0 +0$/m);
    expect(result.err).toMatch(/^ {2}Organization +30 +0 +30 +0 +0 +0$/m);
    expect(result.err).toMatch(/^warning: 1 file is no FHIR input .* not read: .*README\.md$/m);
  });

  it('gives the same account as JSON', async () => {
    const result = await evaluate(KDS, '--json');
    const report = JSON.parse(result.out) as {
      ingestion: {
        resources: number;
        indexed: number;
        notUsed: Record<string, number>;
        byType: Array<{ resourceType: string; read: number; indexed: number }>;
        unsupportedFiles: { count: number; listed: string[] };
      };
    };
    const { ingestion } = report;
    expect(ingestion).toMatchObject({ resources: 697, indexed: 453 });
    expect(ingestion.notUsed).toEqual({ typeNotMapped: 171, codeNotMapped: 73, noPatient: 0, replaced: 0 });
    expect(ingestion.byType.reduce((sum, row) => sum + row.read, 0)).toBe(697);
    expect(ingestion.byType.find((row) => row.resourceType === 'Patient')).toMatchObject({ read: 31, indexed: 31 });
    expect(ingestion.unsupportedFiles.count).toBe(1);
  });

  it('refuses a directory without FHIR input and names the files it did not read', async () => {
    const empty = join(dir, 'no-input');
    await mkdir(empty);
    await writeFile(join(empty, 'export.ndjson.xz'), 'xz');
    await writeFile(join(empty, 'notes.txt'), 'notes');
    const result = await evaluate(empty);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(
      /site-agent: no FHIR input files .* in .*no-input; not read: .*export\.ndjson\.xz, .*notes\.txt/,
    );
  });

  it('refuses input files none of which gives a resource', async () => {
    const broken = join(dir, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'Patient.ndjson.bz2'), Buffer.from('BZh9 this is not bzip2 data'));
    const result = await evaluate(broken);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /site-agent: none of the 1 input files gave a resource: 1 problems, the first ENGINE_INPUT_BZIP2_INVALID/,
    );
  });

  it('warns when many resources link to no patient, naming the types', async () => {
    const orphans = join(dir, 'orphans');
    await mkdir(orphans);
    const lines = [
      JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'female' }),
      ...Array.from({ length: 3 }, (_, i) =>
        JSON.stringify({
          resourceType: 'Condition',
          id: `c${i}`,
          subject: { reference: `urn:uuid:4d7c7a34-0000-4000-8000-00000000000${i}` },
          code: { coding: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'E11.9' }] },
        }),
      ),
    ];
    await writeFile(join(orphans, 'data.ndjson'), lines.join('\n'));
    const result = await evaluate(orphans);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(
      /^warning: 75 % of the resources the mapping reads \(3 of 4\) link to no patient .*\(Condition 3\)/m,
    );
  });

  it('imports an upstream mapping file with the upstream reading under --upstream-compatible', async () => {
    const site = join(dir, 'consent');
    await mkdir(site);
    const policy = {
      system: 'urn:oid:2.16.840.1.113883.3.1937.777.24.5.3',
      code: '2.16.840.1.113883.3.1937.777.24.5.3.8',
    };
    await writeFile(
      join(site, 'data.ndjson'),
      [
        { resourceType: 'Patient', id: 'p1' },
        {
          resourceType: 'Consent',
          id: 'c1',
          patient: { reference: 'Patient/p1' },
          provision: { type: 'deny', provision: [{ type: 'deny', code: [{ coding: [policy] }] }] },
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const mapping = join(dir, 'mapping_fhir.json');
    await writeFile(
      mapping,
      JSON.stringify([
        {
          name: 'yes-yes-no-no',
          context: { system: 'fdpg.mii.cds', code: 'Einwilligung', display: 'Einwilligung', version: '1.0.0' },
          key: { system: 'fdpg.consent.combined', code: 'yes-yes-no-no' },
          fhirResourceType: 'Consent',
          timeRestrictionParameter: 'date',
          fixedCriteria: [
            { type: 'coding', searchParameter: 'mii-provision-provision-code', value: [{ ...policy, display: 'x' }] },
          ],
        },
      ]),
    );
    const consentQuery = join(dir, 'consent.json');
    await writeFile(
      consentQuery,
      JSON.stringify({
        inclusionCriteria: [
          [
            {
              context: { system: 'fdpg.mii.cds', code: 'Einwilligung' },
              termCodes: [{ system: 'fdpg.consent.combined', code: 'yes-yes-no-no' }],
            },
          ],
        ],
      }),
    );
    const args = ['evaluate', '--data', site, '--query', consentQuery, '--mapping', mapping, '--exact', '--json'];
    const upstream = await runSiteAgentCli([...args, '--upstream-compatible']);
    const clinical = await runSiteAgentCli(args);
    const count = (out: string): number => (JSON.parse(out) as { count: number }).count;
    expect([count(upstream.out), count(clinical.out)]).toEqual([1, 0]);
  });
});
