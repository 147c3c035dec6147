/**
 * Encounter vocabulary: v3-ActCode classes with the German Kontaktart that goes with each, and the DKG
 * Fachabteilungsschlüssel (§ 301 SGB V) chosen from the main diagnosis.
 */

export type EncounterKind = 'IMP' | 'AMB' | 'SS' | 'EMER';

/** The kontaktart-de code written beside each class. */
export const KONTAKTART: Record<EncounterKind, string> = {
  IMP: 'normalstationaer',
  AMB: 'ub',
  SS: 'teilstationaer',
  EMER: 'ub',
};

/** Relative frequency of encounter classes at a university hospital. */
export const ENCOUNTER_KIND_WEIGHTS: readonly (readonly [EncounterKind, number])[] = [
  ['IMP', 50],
  ['AMB', 38],
  ['SS', 5],
  ['EMER', 7],
];

export const DEPARTMENT = {
  internal: '0100',
  geriatrics: '0200',
  cardiology: '0300',
  nephrology: '0400',
  oncology: '0500',
  gastroenterology: '0700',
  pneumology: '0800',
  paediatrics: '1000',
  surgery: '1500',
  traumaSurgery: '1600',
  neurosurgery: '1700',
  vascularSurgery: '1800',
  urology: '2200',
  orthopaedics: '2300',
  gynaecology: '2400',
  ent: '2600',
  ophthalmology: '2700',
  neurology: '2800',
  psychiatry: '2900',
  dermatology: '3400',
  intensiveCare: '3600',
} as const;

// Checked in order; the first matching ICD-10-GM prefix decides.
const DEPARTMENT_BY_DIAGNOSIS: readonly (readonly [string, string])[] = [
  ['C50', DEPARTMENT.gynaecology],
  ['C54', DEPARTMENT.gynaecology],
  ['C56', DEPARTMENT.gynaecology],
  ['D05', DEPARTMENT.gynaecology],
  ['D25', DEPARTMENT.gynaecology],
  ['C61', DEPARTMENT.urology],
  ['C64', DEPARTMENT.urology],
  ['C67', DEPARTMENT.urology],
  ['C71', DEPARTMENT.neurosurgery],
  ['C18', DEPARTMENT.surgery],
  ['C20', DEPARTMENT.surgery],
  ['C', DEPARTMENT.oncology],
  ['D12', DEPARTMENT.gastroenterology],
  ['D', DEPARTMENT.internal],
  ['I6', DEPARTMENT.neurology],
  ['I7', DEPARTMENT.vascularSurgery],
  ['I8', DEPARTMENT.vascularSurgery],
  ['I', DEPARTMENT.cardiology],
  ['J3', DEPARTMENT.ent],
  ['J', DEPARTMENT.pneumology],
  ['N1', DEPARTMENT.nephrology],
  ['N', DEPARTMENT.urology],
  ['K35', DEPARTMENT.surgery],
  ['K40', DEPARTMENT.surgery],
  ['K57', DEPARTMENT.surgery],
  ['K80', DEPARTMENT.surgery],
  ['K', DEPARTMENT.gastroenterology],
  ['F', DEPARTMENT.psychiatry],
  ['G', DEPARTMENT.neurology],
  ['H6', DEPARTMENT.ent],
  ['H8', DEPARTMENT.ent],
  ['H', DEPARTMENT.ophthalmology],
  ['M', DEPARTMENT.orthopaedics],
  ['S', DEPARTMENT.traumaSurgery],
  ['T', DEPARTMENT.surgery],
  ['L', DEPARTMENT.dermatology],
  ['O', DEPARTMENT.gynaecology],
  ['P', DEPARTMENT.paediatrics],
  ['Q', DEPARTMENT.paediatrics],
  ['Z38', DEPARTMENT.paediatrics],
];

/** The department that usually treats a main diagnosis (internal medicine when nothing more specific fits). */
export function departmentForDiagnosis(icdCode: string): string {
  let department = departmentCache.get(icdCode);
  if (department === undefined) {
    department = DEPARTMENT_BY_DIAGNOSIS.find(([prefix]) => icdCode.startsWith(prefix))?.[1] ?? DEPARTMENT.internal;
    departmentCache.set(icdCode, department);
  }
  return department;
}

const departmentCache = new Map<string, string>();
