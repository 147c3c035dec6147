import type { ClinicalFlag } from './clinical-flags.catalog';

/**
 * Medication catalog: real ATC codes (BfArM/WIdO German ATC 2024, 7-character substance level) with German substance
 * names. `chronic` drugs are long-term medication for the listed flags (home medication, MedicationStatement);
 * `acute` drugs are given during a stay (MedicationRequest / MedicationAdministration). One shared Medication
 * resource is generated per entry.
 */
export interface MedicationEntry {
  code: string;
  display: string;
  use: 'chronic' | 'acute';
  /** Flags this drug treats; empty means it is given without a specific indication (analgesia, prophylaxis). */
  indications: readonly ClinicalFlag[];
  /** Relative weight among the drugs for the same indication. */
  weight: number;
  /** Also prescribed to children. */
  paediatric?: boolean;
}

function chronic(code: string, display: string, indications: ClinicalFlag[], weight: number): MedicationEntry {
  return { code, display, use: 'chronic', indications, weight };
}

function acute(
  code: string,
  display: string,
  indications: ClinicalFlag[],
  weight: number,
  paediatric = false,
): MedicationEntry {
  return { code, display, use: 'acute', indications, weight, ...(paediatric ? { paediatric } : {}) };
}

export const MEDICATIONS: readonly MedicationEntry[] = [
  // Diabetes
  chronic('A10BA02', 'Metformin', ['diabetes'], 10),
  chronic('A10BH01', 'Sitagliptin', ['diabetes'], 3),
  chronic('A10BK03', 'Empagliflozin', ['diabetes'], 4),
  chronic('A10AE04', 'Insulin glargin', ['diabetes'], 4),
  chronic('A10AB05', 'Insulin aspart', ['diabetes'], 2),
  chronic('A10AB04', 'Insulin lispro', ['diabetes'], 1.5),
  // Cardiovascular
  chronic('C09AA05', 'Ramipril', ['hypertension', 'heartFailure', 'coronary'], 10),
  chronic('C08CA01', 'Amlodipin', ['hypertension'], 7),
  chronic('C09CA06', 'Candesartan', ['hypertension'], 5),
  chronic('C03AA03', 'Hydrochlorothiazid', ['hypertension'], 4),
  chronic('C07AB07', 'Bisoprolol', ['hypertension', 'coronary', 'atrialFibrillation', 'heartFailure'], 8),
  chronic('C07AB02', 'Metoprolol', ['hypertension', 'coronary', 'atrialFibrillation'], 5),
  chronic('C10AA05', 'Atorvastatin', ['lipid', 'coronary', 'stroke'], 8),
  chronic('C10AA01', 'Simvastatin', ['lipid', 'coronary'], 4),
  chronic('B01AC06', 'Acetylsalicylsäure', ['coronary', 'stroke'], 8),
  chronic('B01AC04', 'Clopidogrel', ['coronary', 'stroke'], 3),
  chronic('B01AF02', 'Apixaban', ['atrialFibrillation', 'thrombosis'], 7),
  chronic('B01AF01', 'Rivaroxaban', ['atrialFibrillation', 'thrombosis'], 5),
  chronic('B01AF03', 'Edoxaban', ['atrialFibrillation'], 3),
  chronic('B01AA04', 'Phenprocoumon', ['atrialFibrillation', 'thrombosis'], 3),
  chronic('C01AA05', 'Digoxin', ['atrialFibrillation', 'heartFailure'], 1),
  chronic('C03CA04', 'Torasemid', ['heartFailure', 'kidney'], 6),
  chronic('C03DA01', 'Spironolacton', ['heartFailure', 'liver'], 4),
  chronic('C09DX04', 'Valsartan und Sacubitril', ['heartFailure'], 3),
  // Respiratory, endocrine, kidney, bone
  chronic('R03BB04', 'Tiotropiumbromid', ['airways'], 5),
  chronic('R03AK07', 'Formoterol und Budesonid', ['airways'], 5),
  chronic('H03AA01', 'Levothyroxin-Natrium', ['hypothyroid'], 10),
  chronic('H03BB02', 'Thiamazol', ['hyperthyroid'], 10),
  chronic('B03XA01', 'Erythropoietin', ['kidney'], 2),
  chronic('B03AA07', 'Eisen(II)-sulfat', ['anemia'], 6),
  chronic('M04AA01', 'Allopurinol', ['gout', 'kidney'], 4),
  chronic('G04CA02', 'Tamsulosin', ['prostate'], 10),
  chronic('M05BA04', 'Alendronsäure', ['osteoporosis'], 6),
  chronic('A11CC05', 'Colecalciferol', ['osteoporosis', 'kidney'], 4),
  chronic('A02BC02', 'Pantoprazol', ['gastric'], 8),
  // Nervous system
  chronic('N06AB06', 'Sertralin', ['depression'], 5),
  chronic('N06AB04', 'Citalopram', ['depression'], 4),
  chronic('N06AX11', 'Mirtazapin', ['depression', 'dementia'], 4),
  chronic('N05AH04', 'Quetiapin', ['dementia'], 3),
  chronic('N06DA02', 'Donepezil', ['dementia'], 3),
  chronic('N05AD03', 'Melperon', ['dementia'], 2),
  chronic('N04BA02', 'Levodopa und Decarboxylasehemmer', ['parkinson'], 10),
  chronic('N03AX14', 'Levetiracetam', ['epilepsy'], 10),
  chronic('N02AA05', 'Oxycodon', ['pain', 'cancer'], 2),
  // Oncology
  chronic('L02BA01', 'Tamoxifen', ['cancer'], 2),
  chronic('L02BG04', 'Letrozol', ['cancer'], 2),
  // Acute, by indication
  acute('J01CR05', 'Piperacillin und Enzym-Inhibitoren', ['infection'], 6),
  acute('J01CR01', 'Ampicillin und Enzym-Inhibitoren', ['infection'], 6),
  acute('J01DD04', 'Ceftriaxon', ['infection'], 7),
  acute('J01DC02', 'Cefuroxim', ['infection'], 6, true),
  acute('J01MA02', 'Ciprofloxacin', ['infection'], 3),
  acute('J01CA04', 'Amoxicillin', ['infection'], 5, true),
  acute('J01DH02', 'Meropenem', ['infection'], 2),
  acute('J01XD01', 'Metronidazol', ['infection'], 2),
  acute('R03AC02', 'Salbutamol', ['airways', 'respiratory'], 5, true),
  acute('H02AB06', 'Prednisolon', ['airways', 'respiratory'], 4, true),
  acute('L01CD01', 'Paclitaxel', ['cancer'], 3),
  acute('L01XA02', 'Carboplatin', ['cancer'], 3),
  acute('L01FF02', 'Pembrolizumab', ['cancer'], 2),
  acute('A04AA01', 'Ondansetron', ['cancer'], 4, true),
  acute('H02AB02', 'Dexamethason', ['cancer'], 3),
  acute('B01AB01', 'Heparin', ['thrombosis', 'atrialFibrillation'], 4),
  acute('C03CA01', 'Furosemid', ['heartFailure', 'kidney'], 5),
  acute('B05XA01', 'Kaliumchlorid', ['hypokalemia'], 5),
  // Acute, any inpatient
  acute('N02BB02', 'Metamizol-Natrium', [], 10, true),
  acute('N02BE01', 'Paracetamol', [], 8, true),
  acute('M01AE01', 'Ibuprofen', [], 6, true),
  acute('B01AB05', 'Enoxaparin', [], 8),
  acute('A02BC02', 'Pantoprazol', [], 6),
  acute('N02AC03', 'Piritramid', [], 3),
  acute('N02AX51', 'Tilidin, Kombinationen', [], 2),
  acute('N02AA01', 'Morphin', [], 2),
  acute('B05XA03', 'Natriumchlorid', [], 5, true),
  acute('N01AX10', 'Propofol', [], 2),
  acute('N05BA06', 'Lorazepam', [], 1.5),
  acute('A11CC05', 'Colecalciferol', [], 0.5, true),
  acute('B02BA01', 'Phytomenadion', [], 0.5, true),
];

/** The id of the shared Medication resource for an ATC code. */
export function medicationId(atcCode: string): string {
  return `med-${atcCode.toLowerCase()}`;
}
