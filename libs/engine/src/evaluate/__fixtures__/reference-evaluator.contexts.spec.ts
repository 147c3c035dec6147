import { UPSTREAM_COMPATIBLE_MAPPING } from '../../mapping/default-mapping';
import { SYSTEMS } from '../../mapping/systems';
import {
  condition,
  consent,
  context,
  diagnose,
  encounter,
  icd,
  loadMiiKds,
  medication,
  medicationAdministration,
  patient,
  policy,
  procedure,
  specimen,
} from './builders';
import { countNaively } from './naive-count';

describe('evaluateQueryNaively', () => {
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
