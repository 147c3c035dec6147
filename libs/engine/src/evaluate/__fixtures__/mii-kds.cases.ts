import { parseStructuredQuery, type StructuredQuery } from '@fq/ccdl';
import { SYSTEMS } from '../../mapping/systems';

/** The two mappings the test data is evaluated under. */
export type Mapping = 'default' | 'upstream-compatible';

// Small builders: the queries below read like the CCDL a researcher would send.
const context = (code: string) => ({ system: SYSTEMS.mii, code });
const code = (system: string, value: string) => ({ system, code: value });
const icd = (value: string) => code(SYSTEMS.icd10gm, value);
const loinc = (value: string) => code(SYSTEMS.loinc, value);
const atc = (value: string) => code(SYSTEMS.atc, value);
const snomed = (value: string) => code(SYSTEMS.snomed, value);
const policy = (suffix: number) => code(SYSTEMS.consentPolicy, `2.16.840.1.113883.3.1937.777.24.5.3.${suffix}`);
const criterion = (ctx: string, termCodes: Array<{ system: string; code: string }>, extra: object = {}) => ({
  context: context(ctx),
  termCodes,
  ...extra,
});
const conceptAttribute = (attribute: string, ...concepts: Array<{ system: string; code: string }>) => ({
  type: 'concept',
  attributeCode: code(SYSTEMS.structureDefinition, attribute),
  selectedConcepts: concepts,
});
const AGE = snomed('424144002');
const GENDER = snomed('263495000');
const MALIGNANT = icd('C00-C97');

function query(inclusionCriteria: object[][], exclusionCriteria?: object[][]): StructuredQuery {
  const parsed = parseStructuredQuery({ inclusionCriteria, exclusionCriteria });
  if (!parsed.ok) {
    throw new Error(`a query in this spec is invalid: ${parsed.error.message}`);
  }
  return parsed.value;
}

/** The 9 Conditions the biobank specimens point to; each belongs to a `patient-N`, never to the specimen's patient. */
const SPECIMEN_DIAGNOSES = ['B05', 'C21', 'C16', 'N80', 'K29', 'J20', 'I25', 'N83', 'G43'].map(icd);
const SPECIMEN_TYPES = ['122555007', '119364003', '445295009'].map(snomed);
const specimenWithDiagnosis = (
  types: Array<{ system: string; code: string }>,
  diagnoses: Array<{ system: string; code: string }>,
) =>
  criterion('Specimen', types, {
    attributeFilters: [
      {
        type: 'reference',
        attributeCode: code(SYSTEMS.structureDefinition, 'festgestellteDiagnose'),
        criteria: [criterion('Diagnose', diagnoses)],
      },
    ],
  });
const BIOBANK_PATIENTS = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `biobank-patient-${n}`);
const PAT = (...numbers: number[]) => numbers.map((n) => `patient-${n}`);

export interface TestDataCase {
  name: string;
  query: StructuredQuery;
  mapping?: Mapping;
  /** Patient ids without the `mii-exa-test-data-` prefix; the count is their number. */
  patients: string[];
}

// Every expectation below was counted by hand with jq over ../shared/fixtures/mii-kds; the comment says how.
export const CASES: TestDataCase[] = [
  {
    // C34.1 on mtb-diagnose-primaertumor-1 (mtb-patient-1) and patient-2-diagnose-1.
    name: 'Diagnose C34 covers C34.1',
    query: query([[criterion('Diagnose', [icd('C34')])]]),
    patients: ['mtb-patient-1', 'patient-2'],
  },
  {
    // C-codes: mtb C34.1, onko C56 + C50.4, patient-2 C34.1, patient-3 C21.8, patient-4 C16.9, patho C61.
    name: 'Diagnose block C00-C97 finds every malignant neoplasm',
    query: query([[criterion('Diagnose', [MALIGNANT])]]),
    patients: ['mtb-patient-1', 'onko-patient-1', ...PAT(2, 3, 4), 'patho-patient-1'],
  },
  {
    // recordedDate of the C-codes: patient-3 2022-04-02, patient-4 2022-11-30; others 2015, 2021 or 2024.
    name: 'Diagnose C00-C97 recorded in 2022-2023',
    query: query([
      [criterion('Diagnose', [MALIGNANT], { timeRestriction: { afterDate: '2022-01-01', beforeDate: '2023-12-31' } })],
    ]),
    patients: PAT(3, 4),
  },
  {
    // No Condition has a code in E10-E14: the test data hold no diabetes.
    name: 'Diagnose block E10-E14 (diabetes) matches nobody',
    query: query([[criterion('Diagnose', [icd('E10-E14')])]]),
    patients: [],
  },
  {
    // The only E-code is E34.4 (seltene-patient-1).
    name: 'Diagnose block E00-E90 finds the E34.4 patient',
    query: query([[criterion('Diagnose', [icd('E00-E90')])]]),
    patients: ['seltene-patient-1'],
  },
  {
    // 718-7 values: patient-1 45, patient-10 14.2, patient-2 9.2, patient-5 11.8, patient-7 13.2, patient-9 12.8 g/dL.
    name: 'Laboruntersuchung haemoglobin below 12 g/dL',
    query: query([
      [
        criterion('Laboruntersuchung', [loinc('718-7')], {
          valueFilter: { type: 'quantity-comparator', comparator: 'lt', value: 12, unit: { code: 'g/dL' } },
        }),
      ],
    ]),
    patients: PAT(2, 5),
  },
  {
    // The same values converted: 92 and 118 g/L are below 120 g/L.
    name: 'Laboruntersuchung haemoglobin below 120 g/L converts the g/dL data',
    query: query([
      [
        criterion('Laboruntersuchung', [loinc('718-7')], {
          valueFilter: { type: 'quantity-comparator', comparator: 'lt', value: 120, unit: { code: 'g/L' } },
        }),
      ],
    ]),
    patients: PAT(2, 5),
  },
  {
    // In 2024: patient-1 45 (02-15), patient-7 13.2 (01-10), patient-9 12.8 (02-22); patient-2's 9.2 is too low.
    name: 'Laboruntersuchung haemoglobin at least 12 g/dL measured in 2024',
    query: query([
      [
        criterion('Laboruntersuchung', [loinc('718-7')], {
          valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: 12, unit: { code: 'g/dL' } },
          timeRestriction: { afterDate: '2024-01-01', beforeDate: '2024-12-31' },
        }),
      ],
    ]),
    patients: PAT(1, 7, 9),
  },
  {
    // Administrations of carboplatin/paclitaxel (patient-2), 5-FU/oxaliplatin (patient-3), cisplatin (patient-4); all by reference.
    name: 'Medikamentenverabreichung ATC L01',
    query: query([[criterion('Medikamentenverabreichung', [atc('L01')])]]),
    patients: PAT(2, 3, 4),
  },
  {
    // Requests by reference: patient-2, -3, -4; inline medicationCodeableConcept L01…: mtb-patient-1 and onko-patient-1.
    name: 'Medikamentenanordnung ATC L01 reads inline codes by default',
    query: query([[criterion('Medikamentenanordnung', [atc('L01')])]]),
    patients: ['mtb-patient-1', 'onko-patient-1', ...PAT(2, 3, 4)],
  },
  {
    // Without the 6 inline L01 requests of mtb-patient-1 and onko-patient-1.
    name: 'Medikamentenanordnung ATC L01 upstream-compatible ignores inline codes',
    query: query([[criterion('Medikamentenanordnung', [atc('L01')])]]),
    mapping: 'upstream-compatible',
    patients: PAT(2, 3, 4),
  },
  {
    // J01 administrations: dalbavancin bildgebung (2024-07-19) and patient-1 (2024-02-16), amox-clav patient-7 (2024-01-10); amoxicillin patient-6 was 2022.
    name: 'Medikamentenverabreichung ATC J01 since 2024',
    query: query([
      [criterion('Medikamentenverabreichung', [atc('J01')], { timeRestriction: { afterDate: '2024-01-01' } })],
    ]),
    patients: ['bildgebung-patient-1', ...PAT(1, 7)],
  },
  {
    // Every one of the 10 Consents has .8 in a nested permit provision.
    name: 'Einwilligung .8 (MDAT wissenschaftlich nutzen EU DSGVO NIVEAU)',
    query: query([[criterion('Einwilligung', [policy(8)])]]),
    patients: PAT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
  },
  {
    // .9 is permitted only in the Consents of patient-1, -5 and -10.
    name: 'Einwilligung .9 (MDAT zusammenführen Dritte)',
    query: query([[criterion('Einwilligung', [policy(9)])]]),
    patients: PAT(1, 5, 10),
  },
  {
    // no-yes-no-no needs .9, .47, .8, .46; no Consent has .46 or .47.
    name: 'Einwilligung combined no-yes-no-no matches nobody',
    query: query([[criterion('Einwilligung', [code(SYSTEMS.consentCombined, 'no-yes-no-no')])]]),
    patients: [],
  },
  {
    // The 17 biobank specimens with a Diagnose extension all point to a patient-N Condition, never their own patient's.
    name: 'Specimen with a festgestellteDiagnose of the same patient matches nobody',
    query: query([[specimenWithDiagnosis(SPECIMEN_TYPES, SPECIMEN_DIAGNOSES)]]),
    patients: [],
  },
  {
    // Plain resolution: the 17 specimens belong to biobank-patient-1 … -9 (patient-10's specimens to biobank-patient-2).
    name: 'Specimen with a festgestellteDiagnose upstream-compatible finds all 9 biobank patients',
    query: query([[specimenWithDiagnosis(SPECIMEN_TYPES, SPECIMEN_DIAGNOSES)]]),
    mapping: 'upstream-compatible',
    patients: BIOBANK_PATIENTS,
  },
  {
    // Serum specimens (119364003) pointing to C21.8 (patient-3-specimen-2) and C16.9 (patient-4-specimen-3).
    name: 'Serum specimen with a malignant diagnosis upstream-compatible',
    query: query([[specimenWithDiagnosis([snomed('119364003')], [MALIGNANT])]]),
    mapping: 'upstream-compatible',
    patients: ['biobank-patient-3', 'biobank-patient-4'],
  },
  {
    // Only the patient-N encounters carry Kontaktebene; each has one einrichtungskontakt.
    name: 'Fall IMP with Kontaktebene einrichtungskontakt',
    query: query([
      [
        criterion('Fall', [code(SYSTEMS.actCode, 'IMP')], {
          attributeFilters: [conceptAttribute('Kontaktebene', code(SYSTEMS.kontaktebene, 'einrichtungskontakt'))],
        }),
      ],
    ]),
    patients: PAT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
  },
  {
    // 0100 on the main encounters of patient-1, -3, -6; patient-1's sub-encounter is versorgungsstellenkontakt with 2000.
    name: 'Fall IMP with Fachabteilungsschluessel 0100, not on a versorgungsstellenkontakt',
    query: query([
      [
        criterion('Fall', [code(SYSTEMS.actCode, 'IMP')], {
          attributeFilters: [conceptAttribute('Fachabteilungsschluessel', code(SYSTEMS.fachabteilung, '0100'))],
        }),
      ],
    ]),
    patients: PAT(1, 3, 6),
  },
  {
    // All 22 encounters are IMP; patient-11 and the 9 biobank patients have none.
    name: 'Fall IMP',
    query: query([[criterion('Fall', [code(SYSTEMS.actCode, 'IMP')])]]),
    patients: [
      'bildgebung-patient-1',
      'dokument-patient-1',
      'icu-patient-1',
      'molgen-patient-1',
      'molgen-patient-2',
      'mtb-patient-1',
      'onko-patient-1',
      ...PAT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
      'patho-patient-1',
      'pro-patient-1',
      'seltene-patient-1',
      'studien-patient-1',
    ],
  },
  {
    // 15 female Patient resources (README: 15 f, 15 m, 1 other).
    name: 'gender female',
    query: query([
      [
        criterion('Patient', [GENDER], {
          valueFilter: {
            type: 'concept',
            selectedConcepts: [code('http://hl7.org/fhir/administrative-gender', 'female')],
          },
        }),
      ],
    ]),
    patients: [
      ...[1, 3, 5, 7, 9].map((n) => `biobank-patient-${n}`),
      'dokument-patient-1',
      'molgen-patient-1',
      'mtb-patient-1',
      'onko-patient-1',
      ...PAT(3, 5, 7, 9),
      'pro-patient-1',
      'seltene-patient-1',
    ],
  },
  {
    // On 2025-06-15: biobank-6 (1955-12-07) 69, icu-1 (1959-01-28) 66, onko-1 (1956-03-14) 69, patient-8 (1958-02-28) 67; next is biobank-3 at 63.
    name: 'age at least 65 years',
    query: query([
      [
        criterion('Patient', [AGE], {
          valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: 65, unit: { code: 'a' } },
        }),
      ],
    ]),
    patients: ['biobank-patient-6', 'icu-patient-1', 'onko-patient-1', 'patient-8'],
  },
  {
    // biobank-3 (1962-05-22) 63, patient-4 (year-only 1962) 62 or 63, patho-1 (1963-06-30) 61 (birthday not yet).
    name: 'age 60 to 64 years includes the year-only birth date 1962',
    query: query([
      [
        criterion('Patient', [AGE], {
          valueFilter: { type: 'quantity-range', minValue: 60, maxValue: 64, unit: { code: 'a' } },
        }),
      ],
    ]),
    patients: ['biobank-patient-3', 'patho-patient-1', 'patient-4'],
  },
  {
    // patient-2 (2000-06-30) is 24; seltene-1 (1995-02-10) turned 30; patient-11 has no birth date.
    name: 'age below 30 years',
    query: query([
      [
        criterion('Patient', [AGE], {
          valueFilter: { type: 'quantity-comparator', comparator: 'lt', value: 30, unit: { code: 'a' } },
        }),
      ],
    ]),
    patients: ['patient-2'],
  },
  {
    // Vitalstatus T: patient-1, -2, -8; the other five Vitalstatus observations are L.
    name: 'Vitalstatus deceased (T)',
    query: query([
      [
        criterion('Vitalstatus', [loinc('67162-8')], {
          valueFilter: { type: 'concept', selectedConcepts: [code(SYSTEMS.vitalstatus, 'T')] },
        }),
      ],
    ]),
    patients: PAT(1, 2, 8),
  },
  {
    // 51969-4 reports: molgen-patient-1 (2022-04-12), molgen-patient-2 (2022-12-05), mtb-patient-1 (2024-03-15).
    name: 'Molekulargenetischer Befundbericht 51969-4',
    query: query([[criterion('Molekulargenetischer Befundbericht', [loinc('51969-4')])]]),
    patients: ['molgen-patient-1', 'molgen-patient-2', 'mtb-patient-1'],
  },
  {
    // Only mtb-ngs-bericht-1 was issued after 2023-01-01.
    name: 'Molekulargenetischer Befundbericht issued since 2023',
    query: query([
      [
        criterion('Molekulargenetischer Befundbericht', [loinc('51969-4')], {
          timeRestriction: { afterDate: '2023-01-01' },
        }),
      ],
    ]),
    patients: ['mtb-patient-1'],
  },
  {
    // Todesursache Conditions of patient-1 (A15.0), -2 (C34.8), -8 (I21.9), all with category 16100001.
    name: 'Todesursache with icd10-who I21.9',
    query: query([
      [
        criterion('Todesursache', [snomed('16100001')], {
          attributeFilters: [conceptAttribute('icd10-who', code(SYSTEMS.icd10who, 'I21.9'))],
        }),
      ],
    ]),
    patients: PAT(8),
  },
  {
    // The Todesursache Conditions have no onset, so any time restriction fails.
    name: 'Todesursache with a time restriction matches nobody',
    query: query([[criterion('Todesursache', [snomed('16100001')], { timeRestriction: { afterDate: '2000-01-01' } })]]),
    patients: [],
  },
  {
    // OPS 1-694 (patient-5, patient-9) and 1-690.0 (patient-7).
    name: 'Procedure OPS 1-69',
    query: query([[criterion('Procedure', [code(SYSTEMS.ops, '1-69')])]]),
    patients: PAT(5, 7, 9),
  },
  {
    // The 6 malignant-diagnosis patients minus the deceased patient-1, -2, -8: only patient-2 is in both.
    name: 'malignant diagnosis excluding deceased patients',
    query: query(
      [[criterion('Diagnose', [MALIGNANT])]],
      [
        [
          criterion('Vitalstatus', [loinc('67162-8')], {
            valueFilter: { type: 'concept', selectedConcepts: [code(SYSTEMS.vitalstatus, 'T')] },
          }),
        ],
      ],
    ),
    patients: ['mtb-patient-1', 'onko-patient-1', ...PAT(3, 4), 'patho-patient-1'],
  },
  {
    // Female (15) AND consent .9 (patient-1 m, -5 f, -10 m): patient-5.
    name: 'female with consent .9',
    query: query([
      [
        criterion('Patient', [GENDER], {
          valueFilter: {
            type: 'concept',
            selectedConcepts: [code('http://hl7.org/fhir/administrative-gender', 'female')],
          },
        }),
      ],
      [criterion('Einwilligung', [policy(9)])],
    ]),
    patients: PAT(5),
  },
];
