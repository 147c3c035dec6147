import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../default-mapping';
import type { EngineMapping } from '../mapping.schema';
import { SYSTEMS } from '../systems';
import { resolveSiteMapping } from './site-mapping';

const ctx = (code: string) => ({ system: 'fdpg.mii.cds', code, display: code, version: '1.0.0' });

/** An upstream mapping_fhir.json with the two entries whose readings differ (consent provision, specimen diagnosis). */
const sample = (): unknown => [
  {
    name: 'yes-yes-no-no',
    context: ctx('Einwilligung'),
    key: { system: SYSTEMS.consentCombined, code: 'yes-yes-no-no' },
    fhirResourceType: 'Consent',
    timeRestrictionParameter: 'date',
    fixedCriteria: [
      {
        type: 'coding',
        searchParameter: 'mii-provision-provision-code',
        value: [{ system: SYSTEMS.consentPolicy, code: '2.16.840.1.113883.3.1937.777.24.5.3.8', display: 'x' }],
      },
    ],
  },
  {
    name: 'Specimen',
    context: ctx('Specimen'),
    key: { system: SYSTEMS.snomed, code: '119297000' },
    fhirResourceType: 'Specimen',
    termCodeSearchParameter: 'type',
    timeRestrictionParameter: 'collected',
    attributeSearchParameters: [
      {
        attributeKey: { system: SYSTEMS.structureDefinition, code: 'festgestellteDiagnose' },
        attributeType: 'reference',
        attributeSearchParameter: 'diagnose',
      },
    ],
  },
];

function expectMapping(json: unknown, upstreamCompatible: boolean): EngineMapping {
  const result = resolveSiteMapping(json, { upstreamCompatible });
  if (!result.ok) {
    throw new Error(`expected a mapping, got ${JSON.stringify(result.error.issues)}`);
  }
  return result.value;
}

const consentPaths = (mapping: EngineMapping): unknown[] =>
  mapping.criteria.filter((entry) => entry.resourceType === 'Consent').map((entry) => entry.code);
const specimenDiagnosis = (mapping: EngineMapping): unknown[] =>
  mapping.criteria
    .filter((entry) => entry.resourceType === 'Specimen')
    .flatMap((entry) => entry.attributes ?? [])
    .filter((attribute) => attribute.type === 'reference')
    .map((attribute) => (attribute as { samePatient?: boolean }).samePatient);

describe('resolveSiteMapping', () => {
  it('gives the built-in mapping of the chosen reading without a file', () => {
    expect(expectMapping(undefined, false)).toBe(DEFAULT_MAPPING);
    expect(expectMapping(undefined, true)).toBe(UPSTREAM_COMPATIBLE_MAPPING);
  });

  it('imports an upstream mapping file with the upstream reading when upstream-compatible', () => {
    const upstream = expectMapping(sample(), true);
    const imported = upstream.criteria.slice(UPSTREAM_COMPATIBLE_MAPPING.criteria.length);
    expect(consentPaths({ ...upstream, criteria: imported })).toEqual([{ path: 'provision.provision.code.coding' }]);
    expect(specimenDiagnosis({ ...upstream, criteria: imported })).toEqual([false]);
    expect(upstream.name).toBe(`${UPSTREAM_COMPATIBLE_MAPPING.name}+mapping_fhir`);
  });

  it('imports an upstream mapping file with the clinical reading by default', () => {
    const clinical = expectMapping(sample(), false);
    const imported = clinical.criteria.slice(DEFAULT_MAPPING.criteria.length);
    expect(consentPaths({ ...clinical, criteria: imported })).toEqual([
      { path: "provision.provision.where(type = 'permit').code.coding" },
    ]);
    expect(specimenDiagnosis({ ...clinical, criteria: imported })).toEqual([true]);
  });

  it('takes our own mapping format as written and lists its issues', () => {
    expect(expectMapping(DEFAULT_MAPPING, true).name).toBe(DEFAULT_MAPPING.name);
    const broken = resolveSiteMapping({ name: 'x' });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error.issues.length).toBeGreaterThan(0);
    expect(!broken.ok && broken.error.code).toBe('ENGINE_MAPPING_INVALID');
  });
});
