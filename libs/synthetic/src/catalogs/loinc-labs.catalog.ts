import type { ClinicalFlag } from './clinical-flags.catalog';

/**
 * Laboratory catalog: real LOINC codes with UCUM units, value distributions for adults (by sex) and children, and
 * shifted distributions for patients with a clinical flag. Some analytes are sometimes reported under a second LOINC
 * code in another unit (HbA1c in % or mmol/mol, creatinine in mg/dL or µmol/L), as German sites do.
 */

/** Normal, or log-normal when `log` is set (then `mean` is the median and `sd` the standard deviation of ln x). */
export interface Distribution {
  mean: number;
  sd: number;
  log?: boolean;
}

/** The same analyte under another LOINC code and unit: value' = (value + offset) × factor. */
export interface LabAlternative {
  code: string;
  display: string;
  unit: string;
  factor: number;
  offset: number;
  decimals: number;
  /** Share of measurements reported this way. */
  share: number;
}

export interface LabEntry {
  code: string;
  display: string;
  /** UCUM code. */
  unit: string;
  decimals: number;
  female: Distribution;
  male: Distribution;
  child?: Distribution;
  /** The first flag of the patient listed here replaces the normal distribution. */
  shifted?: Partial<Record<ClinicalFlag, Distribution>>;
  /** Plausibility limits; values are clamped to them. */
  limits: readonly [number, number];
  /** Probability of being ordered at an inpatient or outpatient encounter without a matching flag. */
  inpatient: number;
  outpatient: number;
  /** Ordering probability per encounter for patients with a flag (the highest applies). */
  orderedFor?: Partial<Record<ClinicalFlag, number>>;
  alternative?: LabAlternative;
}

const normal = (mean: number, sd: number): Distribution => ({ mean, sd });
const logNormal = (median: number, sigma: number): Distribution => ({ mean: median, sd: sigma, log: true });

export const LAB_TESTS: readonly LabEntry[] = [
  {
    code: '718-7',
    display: 'Hemoglobin [Mass/volume] in Blood',
    unit: 'g/dL',
    decimals: 1,
    female: normal(13.6, 1.1),
    male: normal(15.0, 1.2),
    child: normal(12.8, 1.0),
    shifted: { anemia: normal(9.4, 1.3), cancer: normal(11.6, 1.6), kidney: normal(11.4, 1.4) },
    limits: [4, 21],
    inpatient: 0.3,
    outpatient: 0.131,
  },
  {
    code: '26464-8',
    display: 'Leukocytes [#/volume] in Blood',
    unit: '/nL',
    decimals: 1,
    female: logNormal(6.8, 0.25),
    male: logNormal(7.0, 0.25),
    child: logNormal(8.5, 0.3),
    shifted: { infection: logNormal(13.5, 0.3), cancer: logNormal(5.5, 0.45) },
    limits: [0.3, 80],
    inpatient: 0.3,
    outpatient: 0.131,
  },
  {
    code: '26515-7',
    display: 'Platelets [#/volume] in Blood',
    unit: '/nL',
    decimals: 0,
    female: normal(265, 55),
    male: normal(240, 50),
    child: normal(300, 70),
    shifted: { liver: normal(120, 40), cancer: normal(190, 80) },
    limits: [5, 1200],
    inpatient: 0.262,
    outpatient: 0.112,
  },
  {
    code: '2951-2',
    display: 'Sodium [Moles/volume] in Serum or Plasma',
    unit: 'mmol/L',
    decimals: 0,
    female: normal(140, 2.5),
    male: normal(140, 2.5),
    shifted: { hyponatremia: normal(127, 4), heartFailure: normal(136, 3.5) },
    limits: [110, 170],
    inpatient: 0.281,
    outpatient: 0.094,
  },
  {
    code: '2823-3',
    display: 'Potassium [Moles/volume] in Serum or Plasma',
    unit: 'mmol/L',
    decimals: 1,
    female: normal(4.2, 0.35),
    male: normal(4.2, 0.35),
    shifted: { hypokalemia: normal(3.1, 0.3), kidney: normal(4.9, 0.5) },
    limits: [2, 8],
    inpatient: 0.281,
    outpatient: 0.094,
  },
  {
    code: '2160-0',
    display: 'Creatinine [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 2,
    female: normal(0.8, 0.15),
    male: normal(1.0, 0.18),
    child: normal(0.5, 0.12),
    shifted: { kidney: logNormal(2.3, 0.4), heartFailure: normal(1.3, 0.3) },
    limits: [0.15, 14],
    inpatient: 0.281,
    outpatient: 0.112,
    orderedFor: { kidney: 0.95, diabetes: 0.8 },
    alternative: {
      code: '14682-9',
      display: 'Creatinine [Moles/volume] in Serum or Plasma',
      unit: 'umol/L',
      factor: 88.42,
      offset: 0,
      decimals: 0,
      share: 0.25,
    },
  },
  {
    code: '62238-1',
    display:
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)',
    unit: 'mL/min/{1.73_m2}',
    decimals: 0,
    female: normal(92, 16),
    male: normal(94, 16),
    shifted: { kidney: normal(34, 12), heartFailure: normal(58, 15) },
    limits: [3, 150],
    inpatient: 0.112,
    outpatient: 0.038,
    orderedFor: { kidney: 0.8, diabetes: 0.5 },
  },
  {
    code: '1988-5',
    display: 'C reactive protein [Mass/volume] in Serum or Plasma',
    unit: 'mg/L',
    decimals: 1,
    female: logNormal(2.2, 0.9),
    male: logNormal(2.0, 0.9),
    shifted: { infection: logNormal(85, 0.6), cancer: logNormal(12, 1) },
    limits: [0.1, 500],
    inpatient: 0.281,
    outpatient: 0.094,
    orderedFor: { infection: 0.95 },
  },
  {
    code: '2345-7',
    display: 'Glucose [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 0,
    female: normal(92, 10),
    male: normal(94, 10),
    shifted: { diabetes: normal(165, 48) },
    limits: [30, 700],
    inpatient: 0.206,
    outpatient: 0.075,
    orderedFor: { diabetes: 0.9 },
    alternative: {
      code: '15074-8',
      display: 'Glucose [Moles/volume] in Blood',
      unit: 'mmol/L',
      factor: 1 / 18.016,
      offset: 0,
      decimals: 1,
      share: 0.2,
    },
  },
  {
    code: '4548-4',
    display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    unit: '%',
    decimals: 1,
    female: normal(5.3, 0.3),
    male: normal(5.35, 0.3),
    child: normal(5.1, 0.25),
    shifted: { diabetes: normal(7.5, 1.25) },
    limits: [3.8, 16],
    inpatient: 0.015,
    outpatient: 0.011,
    orderedFor: { diabetes: 0.65 },
    alternative: {
      code: '59261-8',
      display: 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol',
      unit: 'mmol/mol',
      factor: 10.929,
      offset: -2.15,
      decimals: 0,
      share: 0.25,
    },
  },
  {
    code: '2093-3',
    display: 'Cholesterol [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 0,
    female: normal(205, 38),
    male: normal(198, 38),
    child: normal(160, 25),
    shifted: { lipid: normal(248, 45) },
    limits: [70, 600],
    inpatient: 0.03,
    outpatient: 0.03,
    orderedFor: { lipid: 0.6, coronary: 0.5, diabetes: 0.3 },
  },
  {
    code: '2089-1',
    display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 0,
    female: normal(122, 32),
    male: normal(126, 32),
    shifted: { lipid: normal(162, 40), coronary: normal(95, 30) },
    limits: [20, 400],
    inpatient: 0.019,
    outpatient: 0.019,
    orderedFor: { lipid: 0.5, coronary: 0.5 },
  },
  {
    code: '2085-9',
    display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 0,
    female: normal(62, 14),
    male: normal(50, 12),
    shifted: { diabetes: normal(44, 10), obesity: normal(42, 10) },
    limits: [10, 150],
    inpatient: 0.019,
    outpatient: 0.019,
    orderedFor: { lipid: 0.5, coronary: 0.4 },
  },
  {
    code: '2571-8',
    display: 'Triglyceride [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 0,
    female: logNormal(110, 0.45),
    male: logNormal(125, 0.45),
    shifted: { lipid: logNormal(195, 0.5), diabetes: logNormal(180, 0.5), obesity: logNormal(170, 0.5) },
    limits: [25, 3000],
    inpatient: 0.019,
    outpatient: 0.019,
    orderedFor: { lipid: 0.5 },
  },
  {
    code: '1742-6',
    display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
    unit: 'U/L',
    decimals: 0,
    female: logNormal(19, 0.4),
    male: logNormal(25, 0.4),
    shifted: { liver: logNormal(72, 0.6) },
    limits: [3, 3000],
    inpatient: 0.131,
    outpatient: 0.038,
    orderedFor: { liver: 0.9 },
  },
  {
    code: '1920-8',
    display: 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
    unit: 'U/L',
    decimals: 0,
    female: logNormal(21, 0.35),
    male: logNormal(25, 0.35),
    shifted: { liver: logNormal(68, 0.6) },
    limits: [3, 3000],
    inpatient: 0.094,
    outpatient: 0.03,
    orderedFor: { liver: 0.9 },
  },
  {
    code: '2324-2',
    display: 'Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma',
    unit: 'U/L',
    decimals: 0,
    female: logNormal(20, 0.55),
    male: logNormal(28, 0.55),
    shifted: { liver: logNormal(160, 0.8) },
    limits: [3, 3000],
    inpatient: 0.094,
    outpatient: 0.03,
    orderedFor: { liver: 0.9 },
  },
  {
    code: '1975-2',
    display: 'Bilirubin.total [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    decimals: 1,
    female: logNormal(0.55, 0.4),
    male: logNormal(0.65, 0.4),
    shifted: { liver: logNormal(2.6, 0.6) },
    limits: [0.1, 30],
    inpatient: 0.075,
    outpatient: 0.019,
    orderedFor: { liver: 0.85 },
  },
  {
    code: '33762-6',
    display: 'Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma',
    unit: 'pg/mL',
    decimals: 0,
    female: logNormal(95, 0.8),
    male: logNormal(80, 0.8),
    shifted: { heartFailure: logNormal(2600, 0.8), atrialFibrillation: logNormal(700, 0.8) },
    limits: [5, 70000],
    inpatient: 0.011,
    outpatient: 0.004,
    orderedFor: { heartFailure: 0.8, atrialFibrillation: 0.3 },
  },
  {
    code: '3016-3',
    display: 'Thyrotropin [Units/volume] in Serum or Plasma',
    unit: 'm[IU]/L',
    decimals: 2,
    female: logNormal(1.7, 0.45),
    male: logNormal(1.5, 0.45),
    shifted: { hypothyroid: logNormal(6.5, 0.5), hyperthyroid: logNormal(0.05, 0.8) },
    limits: [0.005, 100],
    inpatient: 0.045,
    outpatient: 0.03,
    orderedFor: { hypothyroid: 0.7, hyperthyroid: 0.8, atrialFibrillation: 0.4 },
  },
  {
    code: '6301-6',
    display: 'INR in Platelet poor plasma by Coagulation assay',
    unit: '{INR}',
    decimals: 2,
    female: normal(1.0, 0.08),
    male: normal(1.0, 0.08),
    shifted: { atrialFibrillation: normal(2.2, 0.6), liver: normal(1.5, 0.3) },
    limits: [0.7, 9],
    inpatient: 0.131,
    outpatient: 0.019,
    orderedFor: { atrialFibrillation: 0.7, thrombosis: 0.6 },
  },
];

/** SARS-CoV-2 PCR: a lab result with a coded value instead of a quantity. */
export const SARS_COV_2_PCR = {
  code: '94500-6',
  display: 'SARS-CoV-2 (COVID-19) RNA [Presence] in Respiratory system specimen by NAA with probe detection',
  detected: { code: 'LA11882-0', display: 'Detected' },
  notDetected: { code: 'LA11883-8', display: 'Not detected' },
} as const;
