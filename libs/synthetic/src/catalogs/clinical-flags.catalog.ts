/**
 * Clinical flags: coarse patient states derived from ICD-10-GM codes. Labs, vital signs and medication read them so
 * that values correlate with diagnoses (diabetics have higher HbA1c, CKD patients higher creatinine, …).
 */
export type ClinicalFlag =
  | 'diabetes'
  | 'kidney'
  | 'anemia'
  | 'infection'
  | 'respiratory'
  | 'covid'
  | 'heartFailure'
  | 'coronary'
  | 'hypertension'
  | 'atrialFibrillation'
  | 'thrombosis'
  | 'stroke'
  | 'lipid'
  | 'obesity'
  | 'hypothyroid'
  | 'hyperthyroid'
  | 'liver'
  | 'cancer'
  | 'airways'
  | 'depression'
  | 'dementia'
  | 'parkinson'
  | 'epilepsy'
  | 'gout'
  | 'prostate'
  | 'osteoporosis'
  | 'gastric'
  | 'hyponatremia'
  | 'hypokalemia'
  | 'pain';

// Longest matching prefix is irrelevant: a code collects the flags of every prefix it starts with.
const FLAG_PREFIXES: readonly (readonly [string, readonly ClinicalFlag[]])[] = [
  ['E10', ['diabetes']],
  ['E11', ['diabetes']],
  ['E12', ['diabetes']],
  ['E13', ['diabetes']],
  ['E14', ['diabetes']],
  ['N17', ['kidney']],
  ['N18', ['kidney']],
  ['Z99.2', ['kidney']],
  ['D50', ['anemia']],
  ['D62', ['anemia']],
  ['D64', ['anemia']],
  ['A41', ['infection']],
  ['A46', ['infection']],
  ['A08', ['infection']],
  ['A09', ['infection']],
  ['J06', ['infection', 'respiratory']],
  ['J03', ['infection']],
  ['J15', ['infection', 'respiratory']],
  ['J18', ['infection', 'respiratory']],
  ['J20', ['infection', 'respiratory']],
  ['J21', ['infection', 'respiratory']],
  ['J44.0', ['infection', 'respiratory']],
  ['J96', ['respiratory']],
  ['U07.1', ['infection', 'respiratory', 'covid']],
  ['N39', ['infection']],
  ['L03', ['infection']],
  ['T81.4', ['infection']],
  ['T84.5', ['infection']],
  ['K35', ['infection']],
  ['K57.32', ['infection']],
  ['K80.10', ['infection']],
  ['K85', ['infection']],
  ['H66', ['infection']],
  ['I50', ['heartFailure']],
  ['I11', ['heartFailure', 'hypertension']],
  ['I10', ['hypertension']],
  ['I20', ['coronary']],
  ['I21', ['coronary']],
  ['I25', ['coronary']],
  ['Z95.1', ['coronary']],
  ['I48', ['atrialFibrillation']],
  ['Z92.1', ['atrialFibrillation']],
  ['I26', ['thrombosis']],
  ['I80', ['thrombosis']],
  ['I63', ['stroke']],
  ['E78', ['lipid']],
  ['E66', ['obesity']],
  ['E03', ['hypothyroid']],
  ['E05', ['hyperthyroid']],
  ['K70', ['liver']],
  ['K74', ['liver']],
  ['K76', ['liver']],
  ['C22', ['liver']],
  ['C78.7', ['liver']],
  ['C', ['cancer']],
  ['D05', ['cancer']],
  ['Z51.1', ['cancer']],
  ['J44', ['airways']],
  ['J45', ['airways']],
  ['F32', ['depression']],
  ['F33', ['depression']],
  ['F41', ['depression']],
  ['F03', ['dementia']],
  ['F05', ['dementia']],
  ['G30', ['dementia']],
  ['G20', ['parkinson']],
  ['G40', ['epilepsy']],
  ['M10', ['gout']],
  ['N40', ['prostate']],
  ['M80', ['osteoporosis']],
  ['M81', ['osteoporosis']],
  ['K21', ['gastric']],
  ['K25', ['gastric']],
  ['K29', ['gastric']],
  ['E87.1', ['hyponatremia']],
  ['E87.6', ['hypokalemia']],
  ['M16', ['pain']],
  ['M17', ['pain']],
  ['M48', ['pain']],
  ['M51', ['pain']],
  ['M54', ['pain']],
  ['S', ['pain']],
];

const cache = new Map<string, readonly ClinicalFlag[]>();

/** The clinical flags an ICD-10-GM code implies (none for most codes). */
export function flagsOfDiagnosis(icdCode: string): readonly ClinicalFlag[] {
  let flags = cache.get(icdCode);
  if (flags === undefined) {
    const found = new Set<ClinicalFlag>();
    for (const [prefix, prefixFlags] of FLAG_PREFIXES) {
      if (icdCode.startsWith(prefix)) {
        prefixFlags.forEach((flag) => found.add(flag));
      }
    }
    flags = [...found];
    cache.set(icdCode, flags);
  }
  return flags;
}
