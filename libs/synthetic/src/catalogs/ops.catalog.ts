/**
 * Weighted OPS procedure catalog: real OPS 2024 codes at several hierarchy depths; displays are shortened German
 * labels. The SNOMED category follows the OPS chapter.
 */
export interface ProcedureEntry {
  code: string;
  display: string;
  weights: readonly [number, number, number];
  sex?: 'female' | 'male';
  /** Procedures that take hours are more often recorded with a period. */
  long?: boolean;
}

function op(
  code: string,
  display: string,
  child: number,
  adult: number,
  senior: number,
  extra?: Pick<ProcedureEntry, 'sex' | 'long'>,
): ProcedureEntry {
  return { code, display, weights: [child, adult, senior], ...extra };
}

export const PROCEDURES: readonly ProcedureEntry[] = [
  // 1 Diagnostic measures
  op('1-207.0', 'Elektroenzephalographie: Routine-EEG', 3, 1, 1),
  op('1-204.2', 'Lumbalpunktion zur Liquorentnahme', 1.5, 0.8, 0.8),
  op('1-266.0', 'Elektrophysiologische Untersuchung bei implantiertem Schrittmacher', 0, 0.3, 2),
  op('1-275.0', 'Koronarangiographie ohne weitere Maßnahmen', 0, 3, 6),
  op('1-275.2', 'Koronarangiographie mit Druckmessung im linken Ventrikel', 0, 2, 4),
  op('1-440.a', 'Endoskopische Biopsie am oberen Verdauungstrakt, 1 bis 5 Biopsien', 0.5, 3, 5),
  op('1-632.0', 'Diagnostische Ösophagogastroduodenoskopie bei normalem Situs', 1, 5, 8),
  op('1-650.1', 'Diagnostische Koloskopie: Total, bis Zäkum', 0.3, 3, 5),
  op('1-650.2', 'Diagnostische Koloskopie: Total, mit Ileoskopie', 0.3, 2, 3),
  op('1-661', 'Diagnostische Urethrozystoskopie', 0.2, 1, 2.5),
  op('1-710', 'Ganzkörperplethysmographie', 1, 1.5, 2),
  op('1-844', 'Diagnostische perkutane Punktion der Pleurahöhle', 0.1, 0.5, 2),
  // 3 Imaging
  op('3-030', 'Komplexe differenzialdiagnostische Sonographie mit Kontrastmittel', 0.2, 1, 1.5),
  op('3-031', 'Komplexe differenzialdiagnostische transthorakale Echokardiographie', 0.5, 1.5, 3),
  op('3-052', 'Transösophageale Echokardiographie', 0, 1, 2.5),
  op('3-100.0', 'Mammographie: Eine oder mehr Ebenen', 0, 1, 0.6, { sex: 'female' }),
  op('3-200', 'Native Computertomographie des Schädels', 3, 8, 14),
  op('3-202', 'Native Computertomographie des Thorax', 0.5, 3, 5),
  op('3-203', 'Native Computertomographie von Wirbelsäule und Rückenmark', 0.3, 2, 3),
  op('3-205', 'Native Computertomographie des Muskel-Skelett-Systems', 0.5, 2, 3),
  op('3-207', 'Native Computertomographie des Abdomens', 0.3, 1.5, 2),
  op('3-220', 'Computertomographie des Schädels mit Kontrastmittel', 0.5, 2, 3),
  op('3-222', 'Computertomographie des Thorax mit Kontrastmittel', 0.3, 5, 8),
  op('3-225', 'Computertomographie des Abdomens mit Kontrastmittel', 0.5, 6, 8),
  op('3-226', 'Computertomographie des Beckens mit Kontrastmittel', 0.2, 2, 3),
  op('3-800', 'Native Magnetresonanztomographie des Schädels', 2, 3, 3),
  op('3-802', 'Native Magnetresonanztomographie von Wirbelsäule und Rückenmark', 0.5, 3, 2.5),
  op('3-820', 'Magnetresonanztomographie des Schädels mit Kontrastmittel', 1, 2.5, 2),
  op('3-990', 'Computergestützte Bilddatenanalyse mit 3D-Auswertung', 0.3, 2, 3),
  // 5 Operations
  op('5-144.5a', 'Phakoemulsifikation mit Einführung einer Hinterkammerlinse', 0, 0.3, 2.5),
  op('5-361.03', 'Aortokoronarer Bypass, einfach, mit autogenen Arterien', 0, 0.3, 0.8, { long: true }),
  op('5-377.30', 'Implantation eines Zweikammer-Herzschrittmachers', 0, 0.2, 2, { long: true }),
  op('5-399.5', 'Implantation oder Wechsel von venösen Katheterverweilsystemen', 0.2, 1, 1.5),
  op('5-401.11', 'Exzision axillärer Lymphknoten mit Radionuklidmarkierung (Sentinel)', 0, 0.6, 0.4, {
    sex: 'female',
  }),
  op('5-455.41', 'Resektion des Colon ascendens mit Coecum und rechter Flexur', 0, 0.3, 0.6, { long: true }),
  op('5-470.10', 'Appendektomie, laparoskopisch, Absetzung durch Ligatur', 2, 1, 0.2),
  op('5-470.11', 'Appendektomie, laparoskopisch, Absetzung durch Klammern', 2, 1.2, 0.2),
  op('5-511.11', 'Cholezystektomie, einfach, laparoskopisch', 0.1, 3, 2, { long: true }),
  op('5-530.31', 'Verschluss einer Hernia inguinalis, laparoskopisch transperitoneal', 0.5, 2, 1.5),
  op('5-601.0', 'Transurethrale Elektroresektion der Prostata', 0, 0.3, 1.5, { sex: 'male' }),
  op('5-740.0', 'Klassische Sectio caesarea, primär', 0, 1.5, 0, { sex: 'female', long: true }),
  op('5-749.11', 'Misgav-Ladach-Sectio, sekundär', 0, 1.5, 0, { sex: 'female', long: true }),
  op('5-790.16', 'Geschlossene Reposition einer Fraktur mit Osteosynthese durch Draht: Radius distal', 1, 0.5, 0.5),
  op('5-820.00', 'Implantation einer Totalendoprothese am Hüftgelenk, nicht zementiert', 0, 1, 2.5, { long: true }),
  op('5-820.02', 'Implantation einer Totalendoprothese am Hüftgelenk, hybrid', 0, 0.3, 1.5, { long: true }),
  op('5-822.g1', 'Implantation einer bikondylären Oberflächenersatzprothese am Kniegelenk, zementiert', 0, 1, 2.5, {
    long: true,
  }),
  op('5-870.a2', 'Partielle Resektion der Mamma mit Defektdeckung durch Mobilisation', 0, 0.6, 0.4, {
    sex: 'female',
  }),
  op('5-984', 'Mikrochirurgische Technik', 0.3, 1.5, 1.5),
  // 6 Medication
  op('6-002.p2', 'Applikation von Medikamenten: Caspofungin, parenteral', 0, 0.1, 0.2),
  // 8 Non-surgical therapy
  op('8-190.20', 'Vakuumtherapie an Haut und Unterhaut, bis 7 Tage', 0.2, 0.8, 1.5),
  op('8-192.1a', 'Debridement von erkranktem Gewebe an Haut und Unterhaut, großflächig: Fuß', 0, 0.5, 1.5),
  op('8-522.91', 'Hochvoltstrahlentherapie, intensitätsmoduliert, mit bildgestützter Einstellung', 0.1, 1, 1.5),
  op('8-542.11', 'Nicht komplexe Chemotherapie: 1 Tag, 1 Medikament', 0.3, 1.5, 1.5),
  op('8-550.1', 'Geriatrische frührehabilitative Komplexbehandlung, mindestens 14 Behandlungstage', 0, 0, 4, {
    long: true,
  }),
  op('8-561.1', 'Funktionsorientierte physikalische Monotherapie', 0.5, 2, 4),
  op('8-640.0', 'Externe elektrische Kardioversion, synchronisiert', 0, 0.5, 1.5),
  op('8-701', 'Einfache endotracheale Intubation', 0.5, 1, 2),
  op('8-706', 'Anlegen einer Maske zur maschinellen Beatmung', 0.3, 0.8, 2),
  op('8-771', 'Kardiale oder kardiopulmonale Reanimation', 0.1, 0.3, 1),
  op('8-800.c0', 'Transfusion von Erythrozytenkonzentrat: 1 TE bis unter 6 TE', 0.5, 3, 7),
  op('8-800.c1', 'Transfusion von Erythrozytenkonzentrat: 6 TE bis unter 11 TE', 0, 0.3, 0.8),
  op('8-831.0', 'Legen eines Katheters in zentralvenöse Gefäße', 0.5, 2.5, 4),
  op('8-837.00', 'Perkutan-transluminale Ballon-Angioplastie: Eine Koronararterie', 0, 0.6, 1.2),
  op('8-837.m0', 'Einlegen eines medikamentefreisetzenden Stents: Ein Stent in eine Koronararterie', 0, 1.5, 3),
  op('8-854.2', 'Hämodialyse, intermittierend, Antikoagulation mit Heparin', 0.05, 0.6, 2.5, { long: true }),
  op('8-910', 'Epidurale Injektion und Infusion zur Schmerztherapie', 0, 1, 1),
  op('8-919', 'Komplexe Akutschmerzbehandlung', 0.3, 2, 2),
  op('8-930', 'Monitoring von Atmung, Herz und Kreislauf ohne Messung des Pulmonalarteriendruckes', 4, 7, 12),
  op('8-931.0', 'Monitoring mit Messung des zentralen Venendruckes', 0.3, 1, 2),
  op('8-980.0', 'Intensivmedizinische Komplexbehandlung: 1 bis 184 Aufwandspunkte', 0.2, 1, 2.5, { long: true }),
  // 9 Supplementary measures
  op('9-260', 'Überwachung und Leitung einer normalen Geburt', 0, 2, 0, { sex: 'female', long: true }),
  op('9-262.0', 'Postnatale Versorgung des Neugeborenen: Routineversorgung', 10, 0, 0),
  op('9-401.00', 'Sozialrechtliche Beratung, mindestens 50 Minuten bis 2 Stunden', 0.2, 1, 2),
  op('9-500.0', 'Patientenschulung: Basisschulung', 0.5, 1, 1),
  op('9-984.7', 'Pflegebedürftig nach Pflegegrad 2', 0.3, 0.8, 6),
  op('9-984.8', 'Pflegebedürftig nach Pflegegrad 3', 0.2, 0.5, 4),
  op('9-984.9', 'Pflegebedürftig nach Pflegegrad 4', 0.1, 0.3, 2),
  op('9-984.b', 'Erfolgter Antrag auf Einstufung in einen Pflegegrad', 0.1, 0.5, 3),
];

/** SNOMED CT procedure category (MII value set) for an OPS chapter. */
export function procedureCategory(opsCode: string): { code: string; display: string } {
  switch (opsCode.charAt(0)) {
    case '1':
      return { code: '103693007', display: 'Diagnostic procedure' };
    case '3':
      return { code: '363679005', display: 'Imaging' };
    case '5':
      return { code: '387713003', display: 'Surgical procedure' };
    case '6':
      return { code: '18629005', display: 'Administration of drug or medicament' };
    case '8':
      return { code: '277132007', display: 'Therapeutic procedure' };
    default:
      return { code: '394841004', display: 'Other category' };
  }
}
