// German names for the code systems whose catalogs in @fq/synthetic carry English displays (LOINC, SNOMED CT), and
// the group titles of ATC and OPS. The English display stays searchable as a synonym.

/** German names of the LOINC laboratory tests, with abbreviations researchers type. */
export const LAB_NAMES_DE: Readonly<Record<string, { display: string; synonyms?: readonly string[] }>> = {
  '718-7': { display: 'Hämoglobin im Blut', synonyms: ['Hb'] },
  '26464-8': { display: 'Leukozyten im Blut', synonyms: ['Leukos', 'WBC'] },
  '26515-7': { display: 'Thrombozyten im Blut', synonyms: ['Thrombos'] },
  '2951-2': { display: 'Natrium im Serum oder Plasma', synonyms: ['Na'] },
  '2823-3': { display: 'Kalium im Serum oder Plasma', synonyms: ['K'] },
  '2160-0': { display: 'Kreatinin im Serum oder Plasma (Masse/Volumen)' },
  '14682-9': { display: 'Kreatinin im Serum oder Plasma (Stoffmenge/Volumen)' },
  '62238-1': { display: 'Glomeruläre Filtrationsrate, geschätzt (CKD-EPI)', synonyms: ['eGFR', 'GFR'] },
  '1988-5': { display: 'C-reaktives Protein im Serum oder Plasma', synonyms: ['CRP'] },
  '2345-7': { display: 'Glukose im Serum oder Plasma (Masse/Volumen)', synonyms: ['Blutzucker', 'Glucose'] },
  '15074-8': { display: 'Glukose im Blut (Stoffmenge/Volumen)', synonyms: ['Blutzucker', 'Glucose'] },
  '4548-4': { display: 'Hämoglobin A1c/Hämoglobin gesamt im Blut', synonyms: ['HbA1c', 'glykiertes Hämoglobin'] },
  '59261-8': {
    display: 'Hämoglobin A1c/Hämoglobin gesamt im Blut (IFCC)',
    synonyms: ['HbA1c', 'glykiertes Hämoglobin'],
  },
  '2093-3': { display: 'Cholesterin im Serum oder Plasma', synonyms: ['Gesamtcholesterin'] },
  '2089-1': { display: 'LDL-Cholesterin im Serum oder Plasma', synonyms: ['LDL'] },
  '2085-9': { display: 'HDL-Cholesterin im Serum oder Plasma', synonyms: ['HDL'] },
  '2571-8': { display: 'Triglyceride im Serum oder Plasma', synonyms: ['TG'] },
  '1742-6': { display: 'Alanin-Aminotransferase im Serum oder Plasma', synonyms: ['ALT', 'GPT'] },
  '1920-8': { display: 'Aspartat-Aminotransferase im Serum oder Plasma', synonyms: ['AST', 'GOT'] },
  '2324-2': { display: 'Gamma-Glutamyltransferase im Serum oder Plasma', synonyms: ['GGT', 'Gamma-GT'] },
  '1975-2': { display: 'Bilirubin gesamt im Serum oder Plasma' },
  '33762-6': { display: 'NT-proBNP im Serum oder Plasma', synonyms: ['BNP'] },
  '3016-3': { display: 'Thyreotropin im Serum oder Plasma', synonyms: ['TSH'] },
  '6301-6': { display: 'INR im plättchenarmen Plasma', synonyms: ['Quick'] },
  '94500-6': { display: 'SARS-CoV-2-RNA im Atemwegsmaterial (PCR)', synonyms: ['COVID-19', 'Corona'] },
};

/** German names of the ICU vital signs (LOINC), with their UCUM unit. */
export const VITAL_SIGNS_DE: ReadonlyArray<{
  code: string;
  display: string;
  english: string;
  unit: string;
  unitDisplay: string;
}> = [
  { code: '8867-4', display: 'Herzfrequenz', english: 'Heart rate', unit: '/min', unitDisplay: 'Schläge pro Minute' },
  {
    code: '9279-1',
    display: 'Atemfrequenz',
    english: 'Respiratory rate',
    unit: '/min',
    unitDisplay: 'Atemzüge pro Minute',
  },
  { code: '29463-7', display: 'Körpergewicht', english: 'Body weight', unit: 'kg', unitDisplay: 'kg' },
  { code: '8302-2', display: 'Körpergröße', english: 'Body height', unit: 'cm', unitDisplay: 'cm' },
  { code: '85354-9', display: 'Blutdruck', english: 'Blood pressure panel', unit: 'mm[Hg]', unitDisplay: 'mmHg' },
];

/** German names of the SNOMED CT specimen types (MII Bioprobe). */
export const SPECIMEN_TYPES_DE: ReadonlyArray<readonly [code: string, display: string, english: string]> = [
  ['119297000', 'Blutprobe', 'Blood specimen'],
  ['119364003', 'Serumprobe', 'Serum specimen'],
  ['119361006', 'Plasmaprobe', 'Plasma specimen'],
  ['122555007', 'Venöse Blutprobe', 'Venous blood specimen'],
  ['258580003', 'Vollblutprobe', 'Whole blood sample'],
  ['122575003', 'Urinprobe', 'Urine specimen'],
  ['119376003', 'Gewebeprobe', 'Tissue specimen'],
  [
    '441652008',
    'Formalinfixierte, paraffineingebettete Gewebeprobe (FFPE)',
    'Formalin-fixed paraffin-embedded tissue specimen',
  ],
];

/** ATC anatomical main groups. */
export const ATC_MAIN_GROUPS: Readonly<Record<string, string>> = {
  A: 'Alimentäres System und Stoffwechsel',
  B: 'Blut und blutbildende Organe',
  C: 'Kardiovaskuläres System',
  D: 'Dermatika',
  G: 'Urogenitalsystem und Sexualhormone',
  H: 'Systemische Hormonpräparate, exkl. Sexualhormone und Insuline',
  J: 'Antiinfektiva zur systemischen Gabe',
  L: 'Antineoplastische und immunmodulierende Mittel',
  M: 'Muskel- und Skelettsystem',
  N: 'Nervensystem',
  P: 'Antiparasitäre Mittel, Insektizide und Repellenzien',
  R: 'Respirationstrakt',
  S: 'Sinnesorgane',
  V: 'Varia',
};

/** ATC therapeutic subgroups of the medications the synthetic sites prescribe. */
export const ATC_SUBGROUPS: Readonly<Record<string, string>> = {
  A02: 'Mittel bei Säure bedingten Erkrankungen',
  A04: 'Antiemetika und Mittel gegen Übelkeit',
  A10: 'Antidiabetika',
  A11: 'Vitamine',
  B01: 'Antithrombotische Mittel',
  B02: 'Antihämorrhagika',
  B03: 'Antianämika',
  B05: 'Blutersatzmittel und Perfusionslösungen',
  C01: 'Herztherapie',
  C03: 'Diuretika',
  C07: 'Beta-Adrenozeptor-Antagonisten',
  C08: 'Calciumkanalblocker',
  C09: 'Mittel mit Wirkung auf das Renin-Angiotensin-System',
  C10: 'Mittel, die den Lipidstoffwechsel beeinflussen',
  G04: 'Urologika',
  H02: 'Corticosteroide zur systemischen Anwendung',
  H03: 'Schilddrüsentherapie',
  J01: 'Antibiotika zur systemischen Anwendung',
  L01: 'Antineoplastische Mittel',
  L02: 'Endokrine Therapie',
  M01: 'Antiphlogistika und Antirheumatika',
  M04: 'Gichtmittel',
  M05: 'Mittel zur Behandlung von Knochenerkrankungen',
  N01: 'Anästhetika',
  N02: 'Analgetika',
  N03: 'Antiepileptika',
  N04: 'Antiparkinsonmittel',
  N05: 'Psycholeptika',
  N06: 'Psychoanaleptika',
  R03: 'Mittel bei obstruktiven Atemwegserkrankungen',
};

/** OPS chapters. */
export const OPS_CHAPTERS: Readonly<Record<string, string>> = {
  '1': 'Diagnostische Maßnahmen',
  '3': 'Bildgebende Diagnostik',
  '5': 'Operationen',
  '6': 'Medikamente',
  '8': 'Nichtoperative therapeutische Maßnahmen',
  '9': 'Ergänzende Maßnahmen',
};

/** DKG Fachabteilungsschlüssel of the departments the synthetic sites have. */
export const DEPARTMENTS_DE: ReadonlyArray<readonly [code: string, display: string]> = [
  ['0100', 'Innere Medizin'],
  ['0200', 'Geriatrie'],
  ['0300', 'Kardiologie'],
  ['0400', 'Nephrologie'],
  ['0500', 'Hämatologie und internistische Onkologie'],
  ['0700', 'Gastroenterologie'],
  ['0800', 'Pneumologie'],
  ['1000', 'Pädiatrie'],
  ['1500', 'Allgemeine Chirurgie'],
  ['1600', 'Unfallchirurgie'],
  ['1700', 'Neurochirurgie'],
  ['1800', 'Gefäßchirurgie'],
  ['2200', 'Urologie'],
  ['2300', 'Orthopädie'],
  ['2400', 'Frauenheilkunde und Geburtshilfe'],
  ['2600', 'Hals-, Nasen-, Ohrenheilkunde'],
  ['2700', 'Augenheilkunde'],
  ['2800', 'Neurologie'],
  ['2900', 'Allgemeine Psychiatrie'],
  ['3400', 'Dermatologie'],
  ['3600', 'Intensivmedizin'],
];
