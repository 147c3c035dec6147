import type { ConceptTree } from '../../codes/code-hierarchy';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import { SYSTEMS } from '../../mapping/systems';
import {
  aQuery,
  condition,
  context,
  diagnose,
  icd,
  labObservation,
  patient,
  procedure,
  subject,
  ucum,
} from './builders';
import { countNaively, EVALUATION_DATE } from './naive-count';
import { evaluateQueryNaively } from './reference-evaluator';

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
});
