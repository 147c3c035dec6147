/**
 * Biobank vocabulary: SNOMED CT specimen types (MII probenart value set) and collection body sites. Tissue is only
 * collected from patients with a malignant neoplasm; its body site is then the tumour's ICD-O-3 topography.
 */
export interface SpecimenTypeEntry {
  code: string;
  display: string;
  tissue: boolean;
  weight: number;
}

export const SPECIMEN_TYPES: readonly SpecimenTypeEntry[] = [
  { code: '119297000', display: 'Blood specimen', tissue: false, weight: 20 },
  { code: '119364003', display: 'Serum specimen', tissue: false, weight: 25 },
  { code: '119361006', display: 'Plasma specimen', tissue: false, weight: 20 },
  { code: '122555007', display: 'Venous blood specimen', tissue: false, weight: 15 },
  { code: '258580003', display: 'Whole blood sample', tissue: false, weight: 6 },
  { code: '122575003', display: 'Urine specimen', tissue: false, weight: 8 },
  { code: '119376003', display: 'Tissue specimen', tissue: true, weight: 10 },
  { code: '441652008', display: 'Formalin-fixed paraffin-embedded tissue specimen', tissue: true, weight: 8 },
];

/** Venipuncture sites for liquid specimens. */
export const BLOOD_COLLECTION_SITES: readonly { code: string; display: string }[] = [
  { code: '368208006', display: 'Left upper arm structure' },
  { code: '368209003', display: 'Right upper arm structure' },
  { code: '789218009', display: 'Structure of dorsum of left hand' },
];
