import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateQuery, SYSTEMS } from '@fq/engine';
import { DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { memoryNumbering } from '../protection/__fixtures__/memory-numbering';
import { CountProtectionService } from '../protection/count-protection.service';
import { SiteDataLoader } from './site-data.loader';

const COHORT_KEYS = new CountProtectionService(
  new Uint8Array(32).fill(5),
  DEFAULT_PROTECTION_POLICY,
  memoryNumbering(),
);
const POLICY = '2.16.840.1.113883.3.1937.777.24.5.3.8';

/** An upstream mapping_fhir.json entry for a combined consent: the one place the two readings differ here. */
const MAPPING_FHIR = [
  {
    name: 'yes-yes-no-no',
    context: { system: 'fdpg.mii.cds', code: 'Einwilligung', display: 'Einwilligung', version: '1.0.0' },
    key: { system: SYSTEMS.consentCombined, code: 'yes-yes-no-no' },
    fhirResourceType: 'Consent',
    timeRestrictionParameter: 'date',
    fixedCriteria: [
      {
        type: 'coding',
        searchParameter: 'mii-provision-provision-code',
        value: [{ system: SYSTEMS.consentPolicy, code: POLICY, display: 'x' }],
      },
    ],
  },
];

const CONSENT_QUERY = {
  version: 'http://to_be_decided.com/draft-1/schema#',
  inclusionCriteria: [
    [
      {
        context: { system: 'fdpg.mii.cds', code: 'Einwilligung' },
        termCodes: [{ system: SYSTEMS.consentCombined, code: 'yes-yes-no-no' }],
      },
    ],
  ],
};

describe('SiteDataLoader with an upstream mapping file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'site-data-mapping-'));
    await writeFile(join(dir, 'mapping_fhir.json'), JSON.stringify(MAPPING_FHIR));
    await writeFile(
      join(dir, 'data.ndjson'),
      [
        { resourceType: 'Patient', id: 'p1', gender: 'female' },
        {
          resourceType: 'Consent',
          id: 'c1',
          patient: { reference: 'Patient/p1' },
          dateTime: '2024-01-01',
          // The policy code sits in a deny provision: the FDPG stack counts it, the clinical reading does not.
          provision: {
            type: 'deny',
            provision: [{ type: 'deny', code: [{ coding: [{ system: SYSTEMS.consentPolicy, code: POLICY }] }] }],
          },
        },
      ]
        .map((resource) => JSON.stringify(resource))
        .join('\n'),
    );
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function count(upstreamCompatible: boolean): Promise<number> {
    const loaded = await new SiteDataLoader(
      {
        dataPaths: [join(dir, 'data.ndjson')],
        mappingFile: join(dir, 'mapping_fhir.json'),
        conceptTreeFiles: [],
        upstreamCompatible,
        dataVersionOverride: null,
      },
      COHORT_KEYS,
    ).load();
    if (!loaded.ok) {
      throw loaded.error;
    }
    return evaluateQuery(loaded.value.index, CONSENT_QUERY, { evaluationDate: '2025-01-01' }).rawCount;
  }

  it('imports the file with the upstream reading under SITE_UPSTREAM_COMPATIBLE (decision 0002)', async () => {
    expect(await count(true)).toBe(1);
  });

  it('imports the file with the clinical reading by default', async () => {
    expect(await count(false)).toBe(0);
  });
});
