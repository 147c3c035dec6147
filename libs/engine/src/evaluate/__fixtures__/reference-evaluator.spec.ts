import fc from 'fast-check';
import type { ConceptTree } from '../codes/code-hierarchy';
import { evaluateQuery } from '../evaluate/evaluate-query';
import type { FhirResource } from '../fhirpath/fhir-resource';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../mapping/default-mapping';
import type { EngineMapping } from '../mapping/mapping.schema';
import { SYSTEMS } from '../mapping/systems';
import { createIndexBuilder } from '../site-engine';
import { conceptTreesArb, evaluationDateArb, miiDataSetArb, miiQueryArb } from './__fixtures__/arbitraries';
import {
  aQuery,
  condition,
  consent,
  context,
  encounter,
  icd,
  labObservation,
  loadMiiKds,
  medication,
  medicationAdministration,
  patient,
  policy,
  procedure,
  specimen,
  subject,
  ucum,
} from './__fixtures__/builders';
import { evaluateQueryNaively } from './reference-evaluator';

const EVALUATION_DATE = '2025-01-01';

function countNaively(
  resources: FhirResource[],
  inclusion: unknown[][],
  options: {
    exclusion?: unknown[][];
    evaluationDate?: string;
    mapping?: EngineMapping;
    conceptTrees?: ConceptTree[];
  } = {},
): number {
  const { exclusion, evaluationDate = EVALUATION_DATE, ...rest } = options;
  return evaluateQueryNaively(resources, aQuery(inclusion, exclusion), { evaluationDate, ...rest }).rawCount;
}

const diagnose = (codes: Array<{ system: string; code: string }>, extra: Record<string, unknown> = {}) => ({
  context: context('Diagnose'),
  termCodes: codes,
  ...extra,
});
const e11 = diagnose([icd('E11')]);
const i10 = diagnose([icd('I10')]);
const j45 = diagnose([icd('J45')]);
const lab = (loinc: string, extra: Record<string, unknown> = {}) => ({
  context: context('Laboruntersuchung'),
  termCodes: [{ system: SYSTEMS.loinc, code: loinc }],
  ...extra,
});
const comparator = (comparatorCode: string, value: number, unit?: string) => ({
  type: 'quantity-comparator',
  comparator: comparatorCode,
  value,
  ...(unit === undefined ? {} : { unit: { code: unit } }),
});
const age = (valueFilter: Record<string, unknown>) => ({
  context: context('Patient'),
  termCodes: [{ system: SYSTEMS.snomed, code: '424144002' }],
  valueFilter,
});

describe('evaluateQueryNaively', () => {
  describe('patients', () => {
    it('counts only patients for whom a Patient resource exists', () => {
      const data = [patient('p1'), patient('p2'), condition('c1', 'p1', ['E11']), condition('c2', 'p2', ['E11'])];
      data.push(condition('c3', 'ghost', ['E11']));
      expect(countNaively(data, [[e11]])).toBe(2);
    });

    it('follows relative, absolute and versioned Patient references but not urn:uuid or other types', () => {
      const data: FhirResource[] = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((id) => patient(id));
      const references = [
        'Patient/p1',
        'https://fhir.example.org/fhir/Patient/p2',
        'Patient/p3/_history/7',
        'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427',
        'Group/p5',
      ];
      references.forEach((reference, i) => data.push({ ...condition(`c${i}`, 'x', ['E11']), subject: { reference } }));
      data.push({ ...condition('c-none', 'x', ['E11']), subject: undefined });
      const result = evaluateQueryNaively(data, aQuery([[e11]]), { evaluationDate: EVALUATION_DATE });
      expect(result.patientIds).toEqual(['p1', 'p2', 'p3']);
    });
  });

  describe('inclusion and exclusion', () => {
    const data = [
      ...['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => patient(id)),
      condition('c1', 'p1', ['E11']),
      condition('c2', 'p1', ['I10']),
      condition('c3', 'p2', ['E11']),
      condition('c4', 'p3', ['I10']),
      condition('c5', 'p4', ['J45']),
      condition('c6', 'p5', ['E11', 'J45']),
    ];

    it('ANDs the inclusion groups and ORs the criteria inside a group', () => {
      const result = evaluateQueryNaively(data, aQuery([[e11], [i10, j45]]), { evaluationDate: EVALUATION_DATE });
      expect(result.patientIds).toEqual(['p1', 'p5']);
    });

    it('ORs the exclusion groups and ANDs the criteria inside a group', () => {
      const result = evaluateQueryNaively(data, aQuery([[e11, i10, j45]], [[e11, i10], [j45]]), {
        evaluationDate: EVALUATION_DATE,
      });
      expect(result.patientIds).toEqual(['p2', 'p3']);
    });

    it('reports each top-level criterion with its own patients', () => {
      const result = evaluateQueryNaively(data, aQuery([[e11]], [[j45]]), { evaluationDate: EVALUATION_DATE });
      expect(result.criteria).toEqual([
        { path: '$.inclusionCriteria[0][0]', patientIds: ['p1', 'p2', 'p5'] },
        { path: '$.exclusionCriteria[0][0]', patientIds: ['p4', 'p5'] },
      ]);
    });
  });

  describe('code hierarchy', () => {
    const data = [
      ...['p1', 'p2', 'p3', 'p4'].map((id) => patient(id)),
      condition('c1', 'p1', ['E11.90']),
      condition('c2', 'p2', ['E11']),
      condition('c3', 'p3', ['E10.9']),
      condition('c4', 'p4', ['E11.91']),
    ];

    it.each([
      ['E11', 3],
      ['E11.9', 2],
      ['E11.90', 1],
      ['E10-E14', 4],
      ['E13', 0],
    ])('lets ICD-10-GM %s cover %i patients', (code, expected) => {
      expect(countNaively(data, [[diagnose([icd(code)])]])).toBe(expected);
    });

    it('normalises legacy DIMDI system URLs in the data and in the query', () => {
      const legacy = 'http://fhir.de/CodeSystem/dimdi/icd-10-gm';
      const mixed = [patient('p1'), patient('p2'), condition('c1', 'p1', ['E11.9'])];
      mixed.push({ ...condition('c2', 'p2', []), code: { coding: [icd('E11.9', legacy)] } });
      expect(countNaively(mixed, [[diagnose([icd('E11', legacy)])]])).toBe(2);
      expect(countNaively(mixed, [[e11]])).toBe(2);
    });

    it('follows a concept tree instead of the ICD-10 rule when one covers the context', () => {
      const trees: ConceptTree[] = [
        {
          context: context('Diagnose'),
          system: SYSTEMS.icd10gm,
          children: new Map([
            ['E11', ['E11.9']],
            ['E11.9', ['E11.90']],
          ]),
        },
      ];
      expect(countNaively(data, [[e11]], { conceptTrees: trees })).toBe(2);
      expect(countNaively(data, [[diagnose([icd('E10-E14')])]], { conceptTrees: trees })).toBe(0);
    });

    it('applies the OPS prefix rule', () => {
      const ops = [
        patient('p1'),
        patient('p2'),
        patient('p3'),
        procedure('o1', 'p1', '5-010.0'),
        procedure('o2', 'p2', '5-011'),
        procedure('o3', 'p3', '8-192.1a'),
      ];
      const opsCriterion = (code: string) => ({
        context: context('Procedure'),
        termCodes: [{ system: SYSTEMS.ops, code }],
      });
      expect(countNaively(ops, [[opsCriterion('5-01')]])).toBe(2);
      expect(countNaively(ops, [[opsCriterion('5-010')]])).toBe(1);
      expect(countNaively(ops, [[opsCriterion('8-192.1')]])).toBe(1);
    });

    it('ignores term codes without a mapping entry but still evaluates the other term codes', () => {
      const unknown = { system: 'http://example.org/unknown', code: 'E11' };
      expect(countNaively(data, [[diagnose([unknown])]])).toBe(0);
      expect(countNaively(data, [[diagnose([unknown, icd('E10')])]])).toBe(1);
    });
  });

  describe('same-resource rule', () => {
    it('needs the value filter and the time restriction to hold on one resource', () => {
      const data = [
        patient('p1'),
        patient('p2'),
        labObservation('o1', 'p1', '4548-4', ucum(8, '%'), '2020-01-01'),
        labObservation('o2', 'p1', '4548-4', ucum(6, '%'), '2024-06-01'),
        labObservation('o3', 'p2', '4548-4', ucum(8, '%'), '2024-06-01'),
      ];
      const criterion = lab('4548-4', {
        valueFilter: comparator('gt', 7, '%'),
        timeRestriction: { afterDate: '2024-01-01' },
      });
      expect(countNaively(data, [[criterion]])).toBe(1);
    });
  });

  describe('value filters', () => {
    it('converts convertible units before comparing', () => {
      const data = [
        patient('p1'),
        patient('p2'),
        patient('p3'),
        labObservation('o1', 'p1', '2339-0', ucum(1.26, 'g/L')),
        labObservation('o2', 'p2', '2339-0', ucum(125, 'mg/dL')),
        labObservation('o3', 'p3', '2339-0', ucum(7, 'mmol/L')),
      ];
      expect(countNaively(data, [[lab('2339-0', { valueFilter: comparator('ge', 126, 'mg/dL') })]])).toBe(1);
      expect(countNaively(data, [[lab('2339-0', { valueFilter: comparator('ge', 7, 'mmol/L') })]])).toBe(1);
    });

    it('never converts HbA1c between % and mmol/mol', () => {
      const data = [patient('p1'), patient('p2')];
      data.push(
        labObservation('o1', 'p1', '4548-4', ucum(53, 'mmol/mol')),
        labObservation('o2', 'p2', '4548-4', ucum(7, '%')),
      );
      expect(countNaively(data, [[lab('4548-4', { valueFilter: comparator('ge', 48, 'mmol/mol') })]])).toBe(1);
      expect(countNaively(data, [[lab('4548-4', { valueFilter: comparator('ge', 6.5, '%') })]])).toBe(1);
    });

    it('compares any unit as is when the filter names none, and never matches a missing value', () => {
      const data = [
        ...['p1', 'p2', 'p3', 'p4'].map((id) => patient(id)),
        labObservation('o1', 'p1', '4548-4', ucum(53, 'mmol/mol')),
        labObservation('o2', 'p2', '4548-4', ucum(7, '%')),
        labObservation('o3', 'p3', '4548-4', { value: 60, unit: 'Prozent' }),
        labObservation('o4', 'p4', '4548-4', { unit: '%', code: '%' }),
      ];
      expect(countNaively(data, [[lab('4548-4', { valueFilter: comparator('gt', 50) })]])).toBe(2);
      expect(countNaively(data, [[lab('4548-4', { valueFilter: comparator('ne', 0) })]])).toBe(3);
    });

    it('reads the unit from `unit` when the Quantity has no `code`', () => {
      const data = [patient('p1'), labObservation('o1', 'p1', '2339-0', { value: 1, unit: 'g/L' })];
      expect(countNaively(data, [[lab('2339-0', { valueFilter: comparator('eq', 100, 'mg/dL') })]])).toBe(1);
    });

    it.each([
      ['gt', 0],
      ['ge', 1],
      ['lt', 0],
      ['le', 1],
      ['eq', 1],
      ['ne', 0],
    ])('applies comparator %s to an equal value (%i match)', (comparatorCode, expected) => {
      const data = [patient('p1'), labObservation('o1', 'p1', '4548-4', ucum(7, '%'))];
      expect(countNaively(data, [[lab('4548-4', { valueFilter: comparator(comparatorCode, 7, '%') })]])).toBe(expected);
    });

    it('includes both ends of a quantity range', () => {
      const data = [6.4, 6.5, 7, 7.5].flatMap((value, i) => [
        patient(`p${i}`),
        labObservation(`o${i}`, `p${i}`, '4548-4', ucum(value, '%')),
      ]);
      const range = { type: 'quantity-range', minValue: 6.5, maxValue: 7, unit: { code: '%' } };
      expect(countNaively(data, [[lab('4548-4', { valueFilter: range })]])).toBe(2);
    });

    it('compares only the code of a gender and system plus code of a vital status', () => {
      const vital = (id: string, patientId: string, code: string, system: string): FhirResource => ({
        resourceType: 'Observation',
        id,
        subject: subject(patientId),
        code: { coding: [{ system: SYSTEMS.loinc, code: '67162-8' }] },
        valueCodeableConcept: { coding: [{ system, code }] },
      });
      const data = [
        patient('p1', { gender: 'female' }),
        patient('p2', { gender: 'male' }),
        patient('p3'),
        vital('v1', 'p1', 'T', SYSTEMS.vitalstatus),
        vital('v2', 'p2', 'T', 'http://example.org/other'),
      ];
      const gender = {
        context: context('Patient'),
        termCodes: [{ system: SYSTEMS.snomed, code: '263495000' }],
        valueFilter: { type: 'concept', selectedConcepts: [{ system: 'any-system', code: 'female' }] },
      };
      const deceased = {
        context: context('Vitalstatus'),
        termCodes: [{ system: SYSTEMS.loinc, code: '67162-8' }],
        valueFilter: { type: 'concept', selectedConcepts: [{ system: SYSTEMS.vitalstatus, code: 'T' }] },
      };
      expect(countNaively(data, [[gender]])).toBe(1);
      expect(countNaively(data, [[deceased]])).toBe(1);
    });

    it('drops only the term code whose entry cannot read the value filter; the other alternative still counts', () => {
      const data = [patient('p1', { birthDate: '2000-01-01' })];
      const genderAndAge = {
        context: context('Patient'),
        termCodes: [
          { system: SYSTEMS.snomed, code: '263495000' },
          { system: SYSTEMS.snomed, code: '424144002' },
        ],
        valueFilter: comparator('ge', 18, 'a'),
      };
      expect(countNaively(data, [[age(comparator('ge', 18, 'a'))]])).toBe(1);
      expect(countNaively(data, [[genderAndAge]])).toBe(1);
      const genderOnly = { ...genderAndAge, termCodes: [genderAndAge.termCodes[0]] };
      expect(countNaively(data, [[genderOnly]])).toBe(0);
    });

    it('converts a component quantity attribute into the filter unit', () => {
      const bloodPressure = (id: string, patientId: string, loinc: string, quantity: Record<string, unknown>) => ({
        resourceType: 'Observation',
        id,
        subject: subject(patientId),
        code: { coding: [{ system: SYSTEMS.loinc, code: '85354-9' }] },
        component: [{ code: { coding: [{ system: SYSTEMS.loinc, code: loinc }] }, valueQuantity: quantity }],
      });
      const data = [
        patient('p1'),
        patient('p2'),
        patient('p3'),
        bloodPressure('b1', 'p1', '8480-6', ucum(140, 'mm[Hg]')),
        bloodPressure('b2', 'p2', '8480-6', ucum(18.67, 'kPa')),
        bloodPressure('b3', 'p3', '8462-4', ucum(150, 'mm[Hg]')),
      ];
      const systolicAtLeast140 = {
        context: context('Vitaldaten'),
        termCodes: [{ system: SYSTEMS.loinc, code: '85354-9' }],
        attributeFilters: [
          { ...comparator('ge', 140, 'mm[Hg]'), attributeCode: { system: SYSTEMS.loinc, code: '8480-6' } },
        ],
      };
      expect(countNaively(data, [[systolicAtLeast140]])).toBe(2);
    });

    it('matches nothing when the entry has no value of the filter kind', () => {
      const data = [patient('p1'), condition('c1', 'p1', ['E11'])];
      expect(countNaively(data, [[diagnose([icd('E11')], { valueFilter: comparator('gt', 0) })]])).toBe(0);
    });
  });

  describe('age', () => {
    it('counts completed years at the evaluation date', () => {
      const data = [patient('p1', { birthDate: '2007-03-01' }), patient('p2', { birthDate: '2007-03-02' })];
      expect(countNaively(data, [[age(comparator('ge', 18, 'a'))]], { evaluationDate: '2025-03-01' })).toBe(1);
      expect(countNaively(data, [[age(comparator('ge', 18))]], { evaluationDate: '2025-03-01' })).toBe(1);
    });

    it('turns 18 on the day after 28 February for someone born on a leap day', () => {
      const data = [patient('p1', { birthDate: '2008-02-29' })];
      expect(countNaively(data, [[age(comparator('ge', 18, 'a'))]], { evaluationDate: '2026-02-28' })).toBe(0);
      expect(countNaively(data, [[age(comparator('ge', 18, 'a'))]], { evaluationDate: '2026-03-01' })).toBe(1);
    });

    it.each([
      ['2007', 'ge', 17, 1],
      ['2007', 'ge', 18, 0],
      ['2007', 'le', 18, 1],
      ['2007', 'eq', 18, 0],
      ['2007-06', 'ge', 18, 0],
      ['2007-06', 'ge', 17, 1],
      ['2007-05', 'ge', 18, 1],
      ['2007-05', 'eq', 18, 1],
    ])(
      'matches birthDate %s for "%s %i a" only if every possible birth day does (%i)',
      (birthDate, cmp, value, expected) => {
        const data = [patient('p1', { birthDate })];
        expect(countNaively(data, [[age(comparator(cmp, value, 'a'))]], { evaluationDate: '2025-06-15' })).toBe(
          expected,
        );
      },
    );

    it('counts completed months', () => {
      const data = [patient('p1', { birthDate: '2024-12-31' })];
      expect(countNaively(data, [[age(comparator('eq', 2, 'mo'))]], { evaluationDate: '2025-03-01' })).toBe(1);
      expect(countNaively(data, [[age(comparator('eq', 2, 'mo'))]], { evaluationDate: '2025-02-28' })).toBe(0);
    });

    it('never matches a patient without a birth date, nor an unsupported unit', () => {
      const data = [patient('p1'), patient('p2', { birthDate: '1990-01-01' })];
      expect(countNaively(data, [[age(comparator('lt', 200, 'a'))]])).toBe(1);
      expect(countNaively(data, [[age(comparator('gt', 0, 'h'))]])).toBe(0);
    });

    it('applies an age range inclusively', () => {
      const data = [patient('p1', { birthDate: '2007-01-01' }), patient('p2', { birthDate: '1960-01-01' })];
      const range = { type: 'quantity-range', minValue: 18, maxValue: 65, unit: { code: 'a' } };
      expect(countNaively(data, [[age(range)]], { evaluationDate: '2025-01-01' })).toBe(2);
      expect(countNaively(data, [[age(range)]], { evaluationDate: '2024-12-31' })).toBe(1);
    });
  });

  describe('attribute filters', () => {
    const kontaktebene = (code: string) => ({
      type: 'concept',
      attributeCode: { system: SYSTEMS.structureDefinition, code: 'Kontaktebene' },
      selectedConcepts: [{ system: SYSTEMS.kontaktebene, code }],
    });
    const fall = (classCode: string, attributeFilters: unknown[]) => ({
      context: context('Fall'),
      termCodes: [{ system: SYSTEMS.actCode, code: classCode }],
      attributeFilters,
    });
    const data = [
      patient('p1'),
      patient('p2'),
      patient('p3'),
      encounter('e1', 'p1', 'IMP', 'einrichtungskontakt'),
      encounter('e2', 'p2', 'IMP', 'abteilungskontakt'),
      encounter('e3', 'p3', 'IMP'),
      encounter('e4', 'p3', 'AMB', 'abteilungskontakt'),
    ];

    it('needs the attribute on the same resource as the term code', () => {
      expect(countNaively(data, [[fall('IMP', [kontaktebene('abteilungskontakt')])]])).toBe(1);
      expect(countNaively(data, [[fall('AMB', [kontaktebene('abteilungskontakt')])]])).toBe(1);
    });

    it('matches nothing for an attribute code the entry does not know', () => {
      const unknown = {
        ...kontaktebene('abteilungskontakt'),
        attributeCode: { system: SYSTEMS.structureDefinition, code: 'Unbekannt' },
      };
      expect(countNaively(data, [[fall('IMP', [unknown])]])).toBe(0);
    });
  });

  describe('reference attribute filters', () => {
    const data = [
      patient('p1'),
      patient('p2'),
      patient('p3'),
      condition('c-p2', 'p2', ['C50.9'], '2024-05-01'),
      condition('c-p3', 'p3', ['C50.9'], '2019-05-01'),
      specimen('s1', 'p1', '119297000', 'c-p2'),
      specimen('s3', 'p3', '119297000', 'c-p3'),
      specimen('s2', 'p2', '119297000', 'c-missing'),
    ];
    const withDiagnosis = (nested: Record<string, unknown>) => ({
      context: context('Specimen'),
      termCodes: [{ system: SYSTEMS.snomed, code: '119297000' }],
      attributeFilters: [
        {
          type: 'reference',
          attributeCode: { system: SYSTEMS.structureDefinition, code: 'festgestellteDiagnose' },
          criteria: [nested],
        },
      ],
    });

    it('needs the referenced Condition to belong to the same patient under the default mapping', () => {
      expect(countNaively(data, [[withDiagnosis(diagnose([icd('C50')]))]])).toBe(1);
    });

    it('accepts a Condition of any patient under the upstream-compatible mapping', () => {
      expect(
        countNaively(data, [[withDiagnosis(diagnose([icd('C50')]))]], { mapping: UPSTREAM_COMPATIBLE_MAPPING }),
      ).toBe(2);
    });

    it('never resolves a reference to a Condition without a patient link, whichever mapping', () => {
      const orphan = { ...condition('c-orphan', 'x', ['C50.9']), subject: undefined };
      const withOrphan = [patient('p1'), orphan, specimen('s1', 'p1', '119297000', 'c-orphan')];
      expect(countNaively(withOrphan, [[withDiagnosis(diagnose([icd('C50')]))]])).toBe(0);
      const upstream = { mapping: UPSTREAM_COMPATIBLE_MAPPING };
      expect(countNaively(withOrphan, [[withDiagnosis(diagnose([icd('C50')]))]], upstream)).toBe(0);
    });

    it('applies the nested time restriction to the referenced Condition', () => {
      const nested = diagnose([icd('C50')], { timeRestriction: { afterDate: '2024-01-01' } });
      expect(countNaively(data, [[withDiagnosis(nested)]])).toBe(0);
      expect(countNaively(data, [[withDiagnosis(nested)]], { mapping: UPSTREAM_COMPATIBLE_MAPPING })).toBe(1);
    });
  });

  describe('medication', () => {
    const data = [
      ...['p1', 'p2', 'p3', 'p4'].map((id) => patient(id)),
      medication('m1', 'A10BA02'),
      medication('m2', 'C09AA05'),
      medicationAdministration('a1', 'p1', { medicationReference: { reference: 'Medication/m1' } }),
      medicationAdministration('a2', 'p2', {
        medicationCodeableConcept: { coding: [{ system: SYSTEMS.atc, code: 'A10BF01' }] },
      }),
      medicationAdministration('a3', 'p3', { medicationReference: { reference: 'Medication/missing' } }),
      medicationAdministration('a4', 'p4', {
        medicationReference: { reference: 'https://fhir.example.org/fhir/Medication/m2' },
      }),
    ];
    const administered = (atc: string, name = 'Medikamentenverabreichung') => ({
      context: context(name),
      termCodes: [{ system: SYSTEMS.atc, code: atc }],
    });

    it('reads ATC codes from the referenced Medication and, by default, inline codes', () => {
      expect(countNaively(data, [[administered('A10')]])).toBe(2);
      expect(countNaively(data, [[administered('C09')]])).toBe(1);
    });

    it('ignores inline codes under the upstream-compatible mapping', () => {
      expect(countNaively(data, [[administered('A10')]], { mapping: UPSTREAM_COMPATIBLE_MAPPING })).toBe(1);
    });

    it('keeps the three medication contexts apart', () => {
      expect(countNaively(data, [[administered('A10', 'Medikamentenanordnung')]])).toBe(0);
    });
  });

  describe('consent', () => {
    const single = (suffix: number, extra: Record<string, unknown> = {}) => ({
      context: context('Einwilligung'),
      termCodes: [policy(suffix)],
      ...extra,
    });
    const combined = (code: string, extra: Record<string, unknown> = {}) => ({
      context: context('Einwilligung'),
      termCodes: [{ system: SYSTEMS.consentCombined, code }],
      ...extra,
    });

    it('counts only permitted policy codes by default and denied ones too upstream', () => {
      const data = [
        patient('p1'),
        patient('p2'),
        consent('k1', 'p1', [{ type: 'permit', suffixes: [8] }]),
        consent('k2', 'p2', [{ type: 'deny', suffixes: [8] }]),
      ];
      expect(countNaively(data, [[single(8)]])).toBe(1);
      expect(countNaively(data, [[single(8)]], { mapping: UPSTREAM_COMPATIBLE_MAPPING })).toBe(2);
    });

    it('needs every policy code of a combined consent code on one Consent', () => {
      const data = [
        patient('p1'),
        patient('p2'),
        patient('p3'),
        consent(
          'k1',
          'p1',
          [
            { type: 'permit', suffixes: [8] },
            { type: 'permit', suffixes: [46] },
          ],
          '2024-03-01',
        ),
        consent('k2', 'p2', [{ type: 'permit', suffixes: [8] }]),
        consent('k3', 'p3', [{ type: 'permit', suffixes: [8] }]),
        consent('k4', 'p3', [{ type: 'permit', suffixes: [46] }]),
      ];
      expect(countNaively(data, [[combined('yes-yes-no-no')]])).toBe(1);
      expect(countNaively(data, [[combined('no-yes-no-no')]])).toBe(0);
      expect(countNaively(data, [[combined('yes-yes-no-no', { timeRestriction: { beforeDate: '2024-02-29' } })]])).toBe(
        0,
      );
      expect(countNaively(data, [[combined('yes-yes-no-no', { timeRestriction: { afterDate: '2024-03-01' } })]])).toBe(
        1,
      );
    });

    it('matches nothing for a time restriction on a single policy code, which has no time element', () => {
      const data = [patient('p1'), consent('k1', 'p1', [{ type: 'permit', suffixes: [8] }], '2024-03-01')];
      expect(countNaively(data, [[single(8, { timeRestriction: { afterDate: '2020-01-01' } })]])).toBe(0);
    });
  });

  describe('time restriction', () => {
    const at = (recordedDate: string) => [patient('p1'), condition('c1', 'p1', ['E11'], recordedDate)];
    const restricted = (timeRestriction: Record<string, string>) => [[diagnose([icd('E11')], { timeRestriction })]];

    it.each([
      ['2024-01-01', { afterDate: '2024-01-01' }, 1],
      ['2024-01-01', { beforeDate: '2024-01-01' }, 1],
      ['2024-01-01', { beforeDate: '2023-12-31' }, 0],
      ['2024-01-01T00:30:00+14:00', { beforeDate: '2024-01-01' }, 1],
      ['2024-01-01T00:30:00+14:00', { afterDate: '2024-01-02' }, 0],
      ['2023-12-31T23:30:00-05:00', { afterDate: '2024-01-01' }, 0],
      ['2024', { afterDate: '2024-12-31' }, 1],
      ['2024-03', { beforeDate: '2024-02-29' }, 0],
      ['2024-02', { afterDate: '2024-02-29', beforeDate: '2024-03-31' }, 1],
    ])('reads recordedDate %s as its calendar day(s) against %j (%i)', (recordedDate, restriction, expected) => {
      expect(countNaively(at(recordedDate), restricted(restriction))).toBe(expected);
    });

    it('treats a missing Period end as open and a missing time as never matching', () => {
      const data = [
        patient('p1'),
        patient('p2'),
        procedure('o1', 'p1', '5-010', { performedPeriod: { start: '2020-01-01' } }),
        procedure('o2', 'p2', '5-010'),
      ];
      const criterion = (timeRestriction: Record<string, string>) => ({
        context: context('Procedure'),
        termCodes: [{ system: SYSTEMS.ops, code: '5-010' }],
        timeRestriction,
      });
      expect(countNaively(data, [[criterion({ afterDate: '2025-01-01' })]])).toBe(1);
      expect(countNaively(data, [[criterion({ beforeDate: '2019-12-31' })]])).toBe(0);
    });
  });

  describe('on the MII test data (MII-CONTEXTS.md section 10)', () => {
    const kds = loadMiiKds();
    const gender = (code: string) => ({
      context: context('Patient'),
      termCodes: [{ system: SYSTEMS.snomed, code: '263495000' }],
      valueFilter: {
        type: 'concept',
        selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code }],
      },
    });
    const consentCode = (suffix: number) => ({ context: context('Einwilligung'), termCodes: [policy(suffix)] });

    it('counts 15 female, 15 male and 31 patients in all', () => {
      expect(countNaively(kds, [[gender('female')]])).toBe(15);
      expect(countNaively(kds, [[gender('male')]])).toBe(15);
      expect(countNaively(kds, [[gender('female'), gender('male'), gender('other')]])).toBe(31);
    });

    it('finds policy .9 in three consents and .8 in all ten', () => {
      expect(countNaively(kds, [[consentCode(9)]])).toBe(3);
      expect(countNaively(kds, [[consentCode(8)]])).toBe(10);
    });

    it('finds no combined consent, since no consent carries .46, .47 or .49', () => {
      const combined = {
        context: context('Einwilligung'),
        termCodes: [{ system: SYSTEMS.consentCombined, code: 'no-no-no-no' }],
      };
      expect(countNaively(kds, [[combined]])).toBe(0);
    });

    it('finds no specimen diagnosis of the same patient, but some across patients upstream', () => {
      const specimens = {
        context: context('Specimen'),
        termCodes: [{ system: SYSTEMS.snomed, code: '122555007' }],
        attributeFilters: [
          {
            type: 'reference',
            attributeCode: { system: SYSTEMS.structureDefinition, code: 'festgestellteDiagnose' },
            criteria: [diagnose([icd('A00-Z99')])],
          },
        ],
      };
      expect(countNaively(kds, [[specimens]])).toBe(0);
      expect(countNaively(kds, [[specimens]], { mapping: UPSTREAM_COMPATIBLE_MAPPING })).toBeGreaterThan(0);
    });
  });
});

const MAPPINGS: Record<string, EngineMapping> = { default: DEFAULT_MAPPING, upstream: UPSTREAM_COMPATIBLE_MAPPING };
const mappingNameArb = fc.constantFrom('default', 'upstream');

function evaluateIndexed(
  resources: readonly FhirResource[],
  mappingName: string,
  conceptTrees: ConceptTree[],
  query: Parameters<typeof evaluateQuery>[1],
  evaluationDate: string,
) {
  const builder = createIndexBuilder({ mapping: MAPPINGS[mappingName], conceptTrees });
  for (const resource of resources) {
    builder.addResource(resource);
  }
  return evaluateQuery(builder.finish(), query, { evaluationDate });
}

describe('evaluateQuery against the naive reference evaluator', () => {
  it('gives the same rawCount for random data, queries, evaluation dates, mappings and concept trees', () => {
    fc.assert(
      fc.property(
        miiDataSetArb,
        miiQueryArb,
        evaluationDateArb,
        mappingNameArb,
        conceptTreesArb,
        (resources, query, evaluationDate, mappingName, conceptTrees) => {
          const indexed = evaluateIndexed(resources, mappingName, conceptTrees, query, evaluationDate);
          const naive = evaluateQueryNaively(resources, query, {
            evaluationDate,
            mapping: MAPPINGS[mappingName],
            conceptTrees,
          });
          expect(indexed.rawCount).toBe(naive.rawCount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same patient count for every single criterion', () => {
    fc.assert(
      fc.property(
        miiDataSetArb,
        miiQueryArb,
        evaluationDateArb,
        mappingNameArb,
        (resources, query, evaluationDate, mappingName) => {
          const indexed = evaluateIndexed(resources, mappingName, [], query, evaluationDate);
          const naive = evaluateQueryNaively(resources, query, { evaluationDate, mapping: MAPPINGS[mappingName] });
          const indexedCounts = Object.fromEntries(indexed.criteria.map((c) => [c.path, c.rawPatientCount]));
          const naiveCounts = Object.fromEntries(naive.criteria.map((c) => [c.path, c.patientIds.length]));
          expect(indexedCounts).toEqual(naiveCounts);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same rawCount as the naive evaluator on the MII test data', () => {
    const kds = loadMiiKds();
    fc.assert(
      fc.property(miiQueryArb, evaluationDateArb, mappingNameArb, (query, evaluationDate, mappingName) => {
        const indexed = evaluateIndexed(kds, mappingName, [], query, evaluationDate);
        const naive = evaluateQueryNaively(kds, query, { evaluationDate, mapping: MAPPINGS[mappingName] });
        expect(indexed.rawCount).toBe(naive.rawCount);
      }),
      { numRuns: 100 },
    );
  });

  it('does not depend on the order in which resources are added to the index', () => {
    const permutedArb = miiDataSetArb.chain((resources) =>
      fc.tuple(
        fc.constant(resources),
        fc.shuffledSubarray(resources, { minLength: resources.length, maxLength: resources.length }),
      ),
    );
    fc.assert(
      fc.property(
        permutedArb,
        miiQueryArb,
        evaluationDateArb,
        mappingNameArb,
        ([resources, permuted], query, evaluationDate, mappingName) => {
          const first = evaluateIndexed(resources, mappingName, [], query, evaluationDate);
          const second = evaluateIndexed(permuted, mappingName, [], query, evaluationDate);
          expect(second.rawCount).toBe(first.rawCount);
        },
      ),
      { numRuns: 100 },
    );
  });
});
