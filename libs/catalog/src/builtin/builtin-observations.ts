import { SYSTEMS } from '@fq/engine';
import { LAB_TESTS, SARS_COV_2_PCR } from '@fq/synthetic';
import type { CatalogBuilder } from './catalog-builder';
import { LAB_NAMES_DE, VITAL_SIGNS_DE } from './german-vocabularies';
import { miiContext, plainFilters } from './mii-contexts';

/** Readable names of UCUM codes the lab catalog uses; a code without one is shown as it is. */
const UNIT_DISPLAYS: Readonly<Record<string, string>> = {
  '/nL': 'pro nL',
  'mL/min/{1.73_m2}': 'mL/min/1,73 m²',
  'm[IU]/L': 'mIU/L',
  '{INR}': 'INR',
  'umol/L': 'µmol/L',
};

const unit = (code: string): { code: string; display: string } => ({ code, display: UNIT_DISPLAYS[code] ?? code });

/**
 * Laboratory tests (context Laboruntersuchung): every LOINC code the synthetic sites report, also the second code an
 * analyte is sometimes reported under (HbA1c in mmol/mol), with a quantity filter in its UCUM unit; the SARS-CoV-2
 * PCR with a concept filter (detected, not detected). A German display; the LOINC name stays searchable.
 */
export function addLabTests(builder: CatalogBuilder): void {
  const context = miiContext('Laboruntersuchung');
  const tests = LAB_TESTS.flatMap((lab) => [
    { code: lab.code, english: lab.display, unit: lab.unit, decimals: lab.decimals, limits: lab.limits },
    ...(lab.alternative === undefined
      ? []
      : [
          {
            code: lab.alternative.code,
            english: lab.alternative.display,
            unit: lab.alternative.unit,
            decimals: lab.alternative.decimals,
            limits: undefined,
          },
        ]),
  ]);
  for (const test of tests) {
    const german = LAB_NAMES_DE[test.code];
    const termCode = { system: SYSTEMS.loinc, code: test.code, display: german?.display ?? test.english };
    builder.add(context, termCode, {
      synonyms: [test.english, ...(german?.synonyms ?? [])],
      filters: {
        ...plainFilters('Laboruntersuchung', termCode),
        valueFilter: { type: 'quantity', allowedUnits: [unit(test.unit)], precision: test.decimals, optional: true },
      },
    });
  }
  const pcr = LAB_NAMES_DE[SARS_COV_2_PCR.code];
  const pcrCode = { system: SYSTEMS.loinc, code: SARS_COV_2_PCR.code, display: pcr?.display ?? SARS_COV_2_PCR.display };
  builder.add(context, pcrCode, {
    synonyms: [SARS_COV_2_PCR.display, ...(pcr?.synonyms ?? [])],
    filters: {
      ...plainFilters('Laboruntersuchung', pcrCode),
      valueFilter: {
        type: 'concept',
        allowedConcepts: [
          { system: SYSTEMS.loinc, code: SARS_COV_2_PCR.detected.code, display: 'Nachgewiesen' },
          { system: SYSTEMS.loinc, code: SARS_COV_2_PCR.notDetected.code, display: 'Nicht nachgewiesen' },
        ],
        optional: true,
      },
    },
  });
}

/** ICU vital signs (context Vitaldaten): a quantity each; the blood pressure panel by its systolic and diastolic parts. */
export function addVitalSigns(builder: CatalogBuilder): void {
  const context = miiContext('Vitaldaten');
  for (const vital of VITAL_SIGNS_DE) {
    const termCode = { system: SYSTEMS.loinc, code: vital.code, display: vital.display };
    const quantity = {
      type: 'quantity' as const,
      allowedUnits: [{ code: vital.unit, display: vital.unitDisplay }],
      optional: true,
    };
    const panel = vital.code === '85354-9';
    builder.add(context, termCode, {
      synonyms: [vital.english],
      filters: {
        ...plainFilters('Vitaldaten', termCode),
        valueFilter: panel ? null : quantity,
        attributeFilters: panel
          ? [
              {
                ...quantity,
                attributeCode: { system: SYSTEMS.loinc, code: '8480-6', display: 'Systolischer Blutdruck' },
              },
              {
                ...quantity,
                attributeCode: { system: SYSTEMS.loinc, code: '8462-4', display: 'Diastolischer Blutdruck' },
              },
            ]
          : [],
      },
    });
  }
}

/** Vital status (context Vitalstatus) with its coded values, and the molecular genetic report. */
export function addVitalStatusAndReports(builder: CatalogBuilder): void {
  const status = { system: SYSTEMS.loinc, code: '67162-8', display: 'Vitalstatus' };
  builder.add(miiContext('Vitalstatus'), status, {
    synonyms: ['lebend', 'verstorben'],
    filters: {
      ...plainFilters('Vitalstatus', status),
      valueFilter: {
        type: 'concept',
        allowedConcepts: [
          { system: SYSTEMS.vitalstatus, code: 'L', display: 'Patient lebt' },
          { system: SYSTEMS.vitalstatus, code: 'T', display: 'Patient verstorben' },
          { system: SYSTEMS.vitalstatus, code: 'X', display: 'Vitalstatus unbekannt' },
        ],
        optional: false,
      },
    },
  });
  const report = { system: SYSTEMS.loinc, code: '51969-4', display: 'Molekulargenetischer Befundbericht' };
  builder.add(miiContext('Molekulargenetischer Befundbericht'), report, {
    synonyms: ['Genetic analysis report', 'Genetik'],
    filters: plainFilters('Molekulargenetischer Befundbericht', report),
  });
}
