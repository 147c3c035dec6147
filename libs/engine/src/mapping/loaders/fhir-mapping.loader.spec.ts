import { readFileSync } from 'node:fs';
import type { EngineIssue } from '../../errors';
import { createIndexBuilder } from '../../site-engine';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../default-mapping';
import { MappingCatalog } from '../mapping-catalog';
import { type CriterionMapping, EngineMapping } from '../mapping.schema';
import { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from '../systems';
import { type ImportFhirMappingOptions, importFhirMapping } from './fhir-mapping.loader';

const SAMPLE = '/work/shared/fixtures/mii-mapping-samples/mapping_fhir.json';
const ctx = (code: string) => ({ system: 'fdpg.mii.cds', code, display: code, version: '1.0.0' });
const sct = (code: string) => ({ system: SYSTEMS.snomed, code, display: `SNOMED ${code}` });

function expectImported(json: unknown, base: EngineMapping = DEFAULT_MAPPING, options: ImportFhirMappingOptions = {}) {
  const result = importFhirMapping(json, base, options);
  if (!result.ok) {
    throw new Error(`expected an import, got ${JSON.stringify(result.error.issues, null, 2)}`);
  }
  expect(EngineMapping.safeParse(result.value).success).toBe(true);
  return result.value;
}

function expectIssues(json: unknown, base: EngineMapping = DEFAULT_MAPPING): EngineIssue[] {
  const result = importFhirMapping(json, base);
  if (result.ok) {
    throw new Error('expected the import to fail');
  }
  expect(result.error.code).toBe('ENGINE_MAPPING_INVALID');
  return result.error.issues;
}

/** The criteria the import appended after the `kept` base entries. */
const added = (mapping: EngineMapping, kept = DEFAULT_MAPPING.criteria.length): CriterionMapping[] =>
  mapping.criteria.slice(kept);

describe('importFhirMapping', () => {
  describe('with the FLARE sample', () => {
    const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Array<{
      context: { code: string };
      key: { system: string; code: string };
    }>;

    it('merges entries that read the same resource the same way and keeps one term code per entry', () => {
      const warnings: EngineIssue[] = [];
      const mapping = expectImported(sample, DEFAULT_MAPPING, { onWarning: (w) => warnings.push(w) });
      const imported = added(mapping);
      const termCodes = imported.flatMap((entry) => entry.termCodes ?? []);
      expect(termCodes).toEqual(sample.map((entry) => ({ system: entry.key.system, code: entry.key.code })));

      const diagnose = imported.filter((entry) => entry.context.code === 'Diagnose');
      expect(diagnose).toEqual([
        {
          name: 'Diagnose',
          context: { system: 'fdpg.mii.cds', code: 'Diagnose' },
          termCodes: sample
            .filter((e) => e.context.code === 'Diagnose')
            .map((e) => ({ system: e.key.system, code: e.key.code })),
          resourceType: 'Condition',
          patient: { reference: 'subject.reference' },
          code: { path: 'code.coding' },
          time: 'recordedDate',
        },
      ]);
      const lab = imported.filter((entry) => entry.context.code === 'Laboruntersuchung');
      expect(lab.map((entry) => [entry.termCodes, entry.time, entry.values])).toEqual([
        [
          [{ system: SYSTEMS.loinc, code: '72166-2' }],
          'effective',
          [{ type: 'concept', path: 'value.ofType(CodeableConcept).coding' }],
        ],
        [
          [{ system: SYSTEMS.loinc, code: '17861-6' }],
          'effective',
          [{ type: 'quantity', path: 'value.ofType(Quantity)' }],
        ],
      ]);
    });

    it('warns that the sample pairs value-quantity with valueType concept and reads it as a quantity', () => {
      const warnings: EngineIssue[] = [];
      expectImported(sample, DEFAULT_MAPPING, { onWarning: (w) => warnings.push(w) });
      const index = sample.findIndex((entry) => entry.key.code === '17861-6');
      expect(warnings.map((w) => [w.path, w.code])).toEqual([
        [`$[${index}].valueType`, 'ENGINE_MAPPING_TYPE_MISMATCH'],
      ]);
      expect(warnings[0].message).toBe(
        `entry ${index}: type "concept" does not fit quantity parameter "value-quantity"; read as quantity`,
      );
    });

    it('keeps the base system aliases, hierarchy rules and entries, and lets imported codes win', () => {
      const mapping = expectImported(sample);
      expect(mapping.name).toBe('mii-default+mapping_fhir');
      expect(mapping.systemAliases).toEqual(DEFAULT_MAPPING.systemAliases);
      expect(mapping.hierarchyRules).toEqual(DEFAULT_MAPPING.hierarchyRules);
      expect(mapping.criteria.slice(0, DEFAULT_MAPPING.criteria.length)).toEqual(DEFAULT_MAPPING.criteria);

      const catalog = new MappingCatalog(mapping);
      const diagnose = { system: 'fdpg.mii.cds', code: 'Diagnose' };
      expect(catalog.resolve(diagnose, { system: SYSTEMS.snomed, code: '444814009' })?.entry.termCodes).toHaveLength(
        15,
      );
      // Codes the file does not list still fall back to the base entry for their system.
      expect(catalog.resolve(diagnose, { system: SYSTEMS.snomed, code: '73211009' })?.entry.name).toBe('Diagnose');
      expect(
        catalog.resolve(diagnose, { system: SYSTEMS.snomed, code: '73211009' })?.entry.termCodeSystems,
      ).toBeDefined();
    });

    it('produces paths the index builder compiles', () => {
      expect(() => createIndexBuilder({ mapping: expectImported(sample) })).not.toThrow();
    });
  });

  describe('translation', () => {
    const medication = (code: string) => ({
      name: 'MedicationAdministration',
      context: ctx('Medikamentenverabreichung'),
      key: { system: SYSTEMS.atc, code },
      fhirResourceType: 'MedicationAdministration',
      termCodeSearchParameter: 'medication.code',
      timeRestrictionParameter: 'effective-time',
    });
    const combinedConsent = (code: string, policies: string[]) => ({
      name: code,
      context: ctx('Einwilligung'),
      key: { system: SYSTEMS.consentCombined, code },
      fhirResourceType: 'Consent',
      timeRestrictionParameter: 'date',
      fixedCriteria: policies.map((suffix) => ({
        type: 'coding',
        searchParameter: 'mii-provision-provision-code',
        value: [{ system: SYSTEMS.consentPolicy, code: `2.16.840.1.113883.3.1937.777.24.5.3.${suffix}`, display: 'x' }],
      })),
    });
    const specimen = {
      name: 'Specimen',
      context: ctx('Specimen'),
      key: sct('119297000'),
      fhirResourceType: 'Specimen',
      termCodeSearchParameter: 'type',
      timeRestrictionParameter: 'collected',
      attributeSearchParameters: [
        {
          attributeKey: { system: SYSTEMS.structureDefinition, code: 'festgestellteDiagnose' },
          attributeType: 'reference',
          attributeSearchParameter: 'diagnose',
        },
        {
          attributeKey: { system: SYSTEMS.structureDefinition, code: 'icd-o-3' },
          attributeType: 'concept',
          attributeSearchParameter: 'bodysite',
        },
      ],
    };
    const bloodPressure = {
      name: 'BloodPressure',
      context: ctx('Vitaldaten'),
      key: { system: SYSTEMS.loinc, code: '85354-9' },
      fhirResourceType: 'Observation',
      termCodeSearchParameter: 'code',
      timeRestrictionParameter: 'date',
      attributeSearchParameters: [
        {
          attributeKey: { system: SYSTEMS.loinc, code: '8480-6' },
          attributeType: 'composite-quantity',
          attributeSearchParameter: 'component-code-value-quantity',
          compositeCode: { system: SYSTEMS.loinc, code: '8480-6' },
        },
      ],
    };
    const patientEntries = [
      {
        name: 'Gender',
        context: ctx('Patient'),
        key: sct('263495000'),
        fhirResourceType: 'Patient',
        valueSearchParameter: 'gender',
        valueType: 'code',
      },
      {
        name: 'Age',
        context: ctx('Patient'),
        key: sct('424144002'),
        fhirResourceType: 'Patient',
        valueSearchParameter: 'birthdate',
        valueType: 'Age',
      },
    ];
    const vitalstatus = {
      name: 'Vitalstatus',
      context: ctx('Vitalstatus'),
      key: { system: SYSTEMS.loinc, code: '67162-8' },
      fhirResourceType: 'Observation',
      termCodeSearchParameter: 'code',
      valueSearchParameter: 'value-concept',
      valueType: 'code',
      timeRestrictionParameter: 'date',
    };
    const file = [
      medication('A10'),
      medication('B01'),
      combinedConsent('yes-yes-no-no', ['8', '46']),
      combinedConsent('yes-no-no-no', ['49']),
      specimen,
      bloodPressure,
      ...patientEntries,
      vitalstatus,
    ];

    // The file replaces every term code of the base's Vitalstatus entry, so that entry is dropped.
    const kept = DEFAULT_MAPPING.criteria.length - 1;

    function byName(mapping: EngineMapping, name: string): CriterionMapping {
      const found = added(mapping, kept).filter((entry) => entry.name === name);
      expect(found).toHaveLength(1);
      return found[0];
    }

    it('reads medication codes through the reference and, clinically, inline too', () => {
      const clinical = byName(expectImported(file), 'MedicationAdministration');
      expect(clinical).toMatchObject({
        termCodes: [
          { system: SYSTEMS.atc, code: 'A10' },
          { system: SYSTEMS.atc, code: 'B01' },
        ],
        code: {
          path: 'medication.ofType(CodeableConcept).coding',
          via: { reference: 'medication.ofType(Reference).reference', resourceType: 'Medication', path: 'code.coding' },
        },
        time: 'effective',
      });
      const upstream = byName(
        expectImported(file, UPSTREAM_COMPATIBLE_MAPPING, { reading: 'upstream' }),
        'MedicationAdministration',
      );
      expect(upstream.code).toEqual({
        via: { reference: 'medication.ofType(Reference).reference', resourceType: 'Medication', path: 'code.coding' },
      });
    });

    it('turns combined-consent fixed criteria into code conjunctions on one criterion', () => {
      const mapping = expectImported(file);
      const consents = added(mapping, kept).filter((entry) => entry.context.code === 'Einwilligung');
      expect(consents).toHaveLength(1);
      const policy = (suffix: string) => ({
        system: SYSTEMS.consentPolicy,
        code: `2.16.840.1.113883.3.1937.777.24.5.3.${suffix}`,
      });
      expect(consents[0]).toMatchObject({
        resourceType: 'Consent',
        patient: { reference: 'patient.reference' },
        code: { path: "provision.provision.where(type = 'permit').code.coding" },
        time: 'dateTime',
        termCodes: [
          { system: SYSTEMS.consentCombined, code: 'yes-yes-no-no' },
          { system: SYSTEMS.consentCombined, code: 'yes-no-no-no' },
        ],
        codeConjunctions: { 'yes-yes-no-no': [policy('8'), policy('46')], 'yes-no-no-no': [policy('49')] },
      });
      const upstream = expectImported(file, UPSTREAM_COMPATIBLE_MAPPING, { reading: 'upstream' });
      const upstreamConsents = added(upstream, kept).filter((entry) => entry.context.code === 'Einwilligung');
      expect(upstreamConsents.map((entry) => entry.code)).toEqual([{ path: 'provision.provision.code.coding' }]);
      expect(upstreamConsents[0].code).toEqual({ path: 'provision.provision.code.coding' });
    });

    it('maps reference, concept and composite attributes', () => {
      const mapping = expectImported(file);
      expect(byName(mapping, 'Specimen')).toMatchObject({
        code: { path: 'type.coding' },
        time: 'collection.collected',
        attributes: [
          {
            key: { system: SYSTEMS.structureDefinition, code: 'festgestellteDiagnose' },
            type: 'reference',
            path: `extension.where(url = '${SPECIMEN_DIAGNOSIS_EXTENSION}').value.ofType(Reference).reference`,
            targetResourceType: 'Condition',
            samePatient: true,
          },
          {
            key: { system: SYSTEMS.structureDefinition, code: 'icd-o-3' },
            type: 'concept',
            path: 'collection.bodySite.coding',
          },
        ],
      });
      expect(byName(mapping, 'BloodPressure').attributes).toEqual([
        {
          key: { system: SYSTEMS.loinc, code: '8480-6' },
          type: 'quantity',
          path: "component.where(code.coding.exists(system = 'http://loinc.org' and code = '8480-6')).value.ofType(Quantity)",
        },
      ]);
      const upstream = expectImported(file, UPSTREAM_COMPATIBLE_MAPPING, { reading: 'upstream' });
      expect(byName(upstream, 'Specimen').attributes?.[0]).toMatchObject({ type: 'reference', samePatient: false });
    });

    it('maps Patient gender and age, and a code-typed concept value', () => {
      const mapping = expectImported(file);
      expect(byName(mapping, 'Gender')).toMatchObject({
        resourceType: 'Patient',
        patient: { self: true },
        values: [{ type: 'code', path: 'gender' }],
      });
      expect(byName(mapping, 'Gender').code).toBeUndefined();
      expect(byName(mapping, 'Age')).toMatchObject({ values: [{ type: 'age', path: 'birthDate' }] });
      expect(byName(mapping, 'Vitalstatus')).toMatchObject({
        values: [{ type: 'code', path: 'value.ofType(CodeableConcept).coding' }],
        time: 'effective',
      });
    });

    it('removes overridden term codes from base entries and drops entries left without any', () => {
      const mapping = expectImported(file);
      const baseGender = mapping.criteria.filter((entry) => entry.name === 'Gender');
      expect(baseGender.map((entry) => entry.termCodes)).toEqual([
        [{ system: SYSTEMS.loinc, code: 'LL2191-6' }],
        [{ system: SYSTEMS.snomed, code: '263495000' }],
      ]);
      expect(mapping.criteria.filter((entry) => entry.name === 'Vitalstatus')).toEqual([
        byName(mapping, 'Vitalstatus'),
      ]);
      const both = expectImported([
        patientEntries[0],
        { ...patientEntries[0], key: { system: SYSTEMS.loinc, code: 'LL2191-6' } },
      ]);
      expect(both.criteria.filter((entry) => entry.name === 'Gender')).toHaveLength(1);
      expect(both.criteria.filter((entry) => entry.name === 'Gender')[0].termCodes).toHaveLength(2);
    });

    it('produces paths the index builder compiles', () => {
      expect(() => createIndexBuilder({ mapping: expectImported(file) })).not.toThrow();
      expect(() =>
        createIndexBuilder({ mapping: expectImported(file, UPSTREAM_COMPATIBLE_MAPPING, { reading: 'upstream' }) }),
      ).not.toThrow();
    });

    it('names the produced mapping as asked and keeps the base unchanged for an empty file', () => {
      const mapping = expectImported([], DEFAULT_MAPPING, { name: 'site-x' });
      expect(mapping).toEqual({ ...DEFAULT_MAPPING, name: 'site-x' });
    });
  });

  describe('bad input', () => {
    const entry = {
      context: ctx('Diagnose'),
      key: sct('1'),
      fhirResourceType: 'Condition',
      termCodeSearchParameter: 'code',
      timeRestrictionParameter: 'recorded-date',
    };

    it('lists every unknown search parameter with its entry index', () => {
      const issues = expectIssues([
        entry,
        { ...entry, key: sct('2'), termCodeSearchParameter: 'kode' },
        { ...entry, key: sct('3'), timeRestrictionParameter: 'when', valueSearchParameter: 'value-quantity' },
        { ...entry, key: sct('4'), fhirResourceType: 'Flag' },
      ]);
      expect(issues).toEqual([
        {
          path: '$[1].termCodeSearchParameter',
          code: 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
          message: 'entry 1: unknown search parameter "kode" for Condition',
        },
        {
          path: '$[2].timeRestrictionParameter',
          code: 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
          message: 'entry 2: unknown search parameter "when" for Condition',
        },
        {
          path: '$[2].valueSearchParameter',
          code: 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
          message: 'entry 2: unknown search parameter "value-quantity" for Condition',
        },
        {
          path: '$[3].termCodeSearchParameter',
          code: 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
          message: 'entry 3: unknown search parameter "code" for Flag',
        },
        {
          path: '$[3].timeRestrictionParameter',
          code: 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
          message: 'entry 3: unknown search parameter "recorded-date" for Flag',
        },
      ]);
    });

    it('reports a duplicate (context, key) as FLARE refuses it', () => {
      const issues = expectIssues([entry, { ...entry, name: 'again' }]);
      expect(issues.map((issue) => [issue.path, issue.code])).toEqual([['$[1]', 'ENGINE_MAPPING_DUPLICATE_ENTRY']]);
      expect(issues[0].message).toContain('entry 1 has the same context and key as entry 0');
    });

    it('reports parameters of the wrong kind and fixed criteria it cannot express', () => {
      const issues = expectIssues([
        { ...entry, termCodeSearchParameter: 'recorded-date' },
        { ...entry, key: sct('2'), timeRestrictionParameter: 'code' },
        {
          ...entry,
          key: sct('3'),
          fixedCriteria: [{ type: 'coding', searchParameter: 'category', value: [sct('x')] }],
        },
        {
          ...entry,
          key: sct('4'),
          termCodeSearchParameter: undefined,
          fixedCriteria: [{ type: 'code', searchParameter: 'status', value: [sct('x')] }],
        },
        { ...entry, key: sct('5'), termCodeSearchParameter: 'subject.code' },
      ]);
      expect(issues.map((issue) => [issue.path, issue.code])).toEqual([
        ['$[0].termCodeSearchParameter', 'ENGINE_MAPPING_UNSUPPORTED'],
        ['$[1].timeRestrictionParameter', 'ENGINE_MAPPING_UNSUPPORTED'],
        ['$[2].fixedCriteria', 'ENGINE_MAPPING_UNSUPPORTED'],
        ['$[3].fixedCriteria[0].type', 'ENGINE_MAPPING_UNSUPPORTED'],
        ['$[4].termCodeSearchParameter', 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN'],
      ]);
    });

    it('lists shape problems with JSON paths', () => {
      const issues = expectIssues([
        { ...entry, key: undefined },
        { ...entry, valueType: 'Range', valueSearchParameter: 'value-quantity' },
        {
          ...entry,
          attributeSearchParameters: [
            {
              attributeKey: sct('a'),
              attributeType: 'composite-quantity',
              attributeSearchParameter: 'component-code-value-quantity',
            },
          ],
        },
        { ...entry, valueType: 'concept' },
      ]);
      expect(issues.map((issue) => [issue.path, issue.code])).toEqual([
        ['$[0].key', 'ENGINE_MAPPING_REQUIRED'],
        ['$[1].valueType', 'ENGINE_MAPPING_INVALID_VALUE'],
        ['$[2].attributeSearchParameters[0].compositeCode', 'ENGINE_MAPPING_INVALID'],
        ['$[3].valueSearchParameter', 'ENGINE_MAPPING_INVALID'],
      ]);
    });

    it('rejects a document that is not an array of entries', () => {
      const issues = expectIssues({ entries: [] });
      expect(issues.map((issue) => [issue.path, issue.code])).toEqual([['$', 'ENGINE_MAPPING_INVALID_TYPE']]);
    });
  });
});
