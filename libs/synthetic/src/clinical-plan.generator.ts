import { REFERENCE_DAY, WINDOW_START_DAY, atMinute, dayNumber } from './calendar';
import { type MedicationEntry, MEDICATIONS } from './catalogs/atc.catalog';
import { type ClinicalFlag, flagsOfDiagnosis } from './catalogs/clinical-flags.catalog';
import {
  DEPARTMENT,
  ENCOUNTER_KIND_WEIGHTS,
  type EncounterKind,
  departmentForDiagnosis,
} from './catalogs/encounter.catalog';
import { DIAGNOSES, type DiagnosisEntry, isDiabetes } from './catalogs/icd10gm.catalog';
import { PROCEDURES, type ProcedureEntry } from './catalogs/ops.catalog';
import { type Person, ageBand, completedYears } from './demographics.generator';
import { type SeededRandom, WeightedTable } from './seeded-random';

/**
 * Plans a patient's hospital history before any resource is built: encounters with dates, diagnoses, procedures and
 * medication. Building resources from a finished plan lets labs and drugs depend on every diagnosis of the patient.
 */

/** An ICU stay inside an inpatient encounter (a department contact of its own). */
export interface IcuStay {
  start: number;
  end: number;
}

export interface PlannedEncounter {
  /** 1-based position in the patient's history. */
  index: number;
  kind: EncounterKind;
  /** Local minutes since 1970-01-01. */
  start: number;
  /** Absent when the stay is still going on at the reference date. */
  end?: number;
  ageYears: number;
  department: string;
  main: DiagnosisEntry;
  /** Further diagnoses of this encounter, comorbidities first. */
  secondary: DiagnosisEntry[];
  /** Which secondary diagnoses are long-term conditions of the patient. */
  chronicCodes: ReadonlySet<string>;
  procedures: ProcedureEntry[];
  acuteMedications: MedicationEntry[];
  /** Flags of this encounter's diagnoses only. */
  flags: ReadonlySet<ClinicalFlag>;
  icu?: IcuStay;
  newborn: boolean;
  /** The patient dies at the end of this stay. */
  fatal: boolean;
}

export interface ClinicalPlan {
  encounters: PlannedEncounter[];
  /** Flags of every diagnosis the patient ever gets. */
  flags: ReadonlySet<ClinicalFlag>;
  /** Flags of the patient's long-term conditions (diabetes, comorbidities), present at every encounter. */
  chronicFlags: ReadonlySet<ClinicalFlag>;
  chronicMedications: MedicationEntry[];
}

type SexKey = 'f' | 'ff' | 'm' | 'o';

const COVID_CODE = 'U07.1';
const COVID_START_DAY = dayNumber(2020, 3, 1);
const MINUTES_PER_DAY = 1440;

function isPerinatal(code: string): boolean {
  return code.startsWith('P') || code.startsWith('Z38');
}

function isObstetric(code: string): boolean {
  return code.startsWith('O');
}

const OBSTETRIC_PROCEDURES = ['5-740', '5-749', '9-260'];
const NEWBORN_PROCEDURE = '9-262.0';

function sexAllows(entrySex: 'female' | 'male' | undefined, sexKey: SexKey): boolean {
  if (entrySex === undefined) {
    return true;
  }
  return entrySex === 'female' ? sexKey === 'f' || sexKey === 'ff' : sexKey === 'm';
}

function buildTable<T extends { weights: readonly [number, number, number] }>(
  entries: readonly T[],
  band: 0 | 1 | 2,
  keep: (entry: T) => boolean,
): WeightedTable<T> {
  const kept = entries.filter((entry) => keep(entry) && entry.weights[band] > 0);
  return new WeightedTable(
    kept,
    kept.map((entry) => entry.weights[band]),
  );
}

const SEX_KEYS: readonly SexKey[] = ['f', 'ff', 'm', 'o'];
// Built on first use; indexed by band, sex key and (for diagnoses) whether COVID-19 can occur yet.
const diagnosisTables: (WeightedTable<DiagnosisEntry> | undefined)[] = [];
const procedureTables: (WeightedTable<ProcedureEntry> | undefined)[] = [];

/** Diagnoses that may be drawn for an encounter; diabetes and perinatal codes are placed explicitly instead. */
function diagnosisTable(band: 0 | 1 | 2, sexKey: SexKey, covidEra: boolean): WeightedTable<DiagnosisEntry> {
  const key = (band * SEX_KEYS.length + SEX_KEYS.indexOf(sexKey)) * 2 + (covidEra ? 1 : 0);
  let table = diagnosisTables[key];
  if (table === undefined) {
    table = buildTable(
      DIAGNOSES,
      band,
      (d) =>
        !isDiabetes(d.code) &&
        !isPerinatal(d.code) &&
        (sexKey === 'ff' || !isObstetric(d.code)) &&
        (covidEra || d.code !== COVID_CODE) &&
        sexAllows(d.sex, sexKey),
    );
    diagnosisTables[key] = table;
  }
  return table;
}

function procedureTable(band: 0 | 1 | 2, sexKey: SexKey): WeightedTable<ProcedureEntry> {
  const key = band * SEX_KEYS.length + SEX_KEYS.indexOf(sexKey);
  let table = procedureTables[key];
  if (table === undefined) {
    table = buildTable(
      PROCEDURES,
      band,
      (p) =>
        p.code !== NEWBORN_PROCEDURE &&
        (sexKey === 'ff' || !OBSTETRIC_PROCEDURES.some((prefix) => p.code.startsWith(prefix))) &&
        sexAllows(p.sex, sexKey),
    );
    procedureTables[key] = table;
  }
  return table;
}

const diagnosisByCode = new Map(DIAGNOSES.map((d) => [d.code, d]));
const NEWBORN_MAIN = requireDiagnosis('Z38.0');
const NEWBORN_EXTRAS: readonly (readonly [DiagnosisEntry, number])[] = [
  [requireDiagnosis('P59.9'), 0.15],
  [requireDiagnosis('P07.12'), 0.06],
  [requireDiagnosis('P22.1'), 0.05],
];
const NEWBORN_CARE = PROCEDURES.find((p) => p.code === NEWBORN_PROCEDURE);
const ICU_PROCEDURE = PROCEDURES.find((p) => p.code === '8-980.0');

function requireDiagnosis(code: string): DiagnosisEntry {
  const entry = diagnosisByCode.get(code);
  if (entry === undefined) {
    throw new Error(`ICD-10-GM catalog lacks ${code}`);
  }
  return entry;
}

// Type 2 diabetes is not drawn for children, so the adult weights stand in for band 0.
const type2Adult = buildTable(DIAGNOSES, 1, (d) => d.code.startsWith('E11'));
const type2Tables = [type2Adult, type2Adult, buildTable(DIAGNOSES, 2, (d) => d.code.startsWith('E11'))];
const type1Table = buildTable(DIAGNOSES, 1, (d) => d.code.startsWith('E10'));

/** Type 2 diabetes prevalence by age (German adults, rising with age). */
function type2Prevalence(age: number): number {
  if (age < 18) {
    return 0;
  }
  if (age < 30) {
    return 0.005;
  }
  if (age < 40) {
    return 0.015;
  }
  if (age < 50) {
    return 0.04;
  }
  if (age < 60) {
    return 0.08;
  }
  if (age < 70) {
    return 0.14;
  }
  if (age < 80) {
    return 0.2;
  }
  return 0.22;
}

const KIND_TABLES = [
  new WeightedTable(
    ENCOUNTER_KIND_WEIGHTS.map(([kind]) => kind),
    ENCOUNTER_KIND_WEIGHTS.map(([kind, weight]) => (kind === 'AMB' ? weight * 1.3 : weight)),
  ),
  new WeightedTable(
    ENCOUNTER_KIND_WEIGHTS.map(([kind]) => kind),
    ENCOUNTER_KIND_WEIGHTS.map(([, weight]) => weight),
  ),
  new WeightedTable(
    ENCOUNTER_KIND_WEIGHTS.map(([kind]) => kind),
    ENCOUNTER_KIND_WEIGHTS.map(([kind, weight]) => (kind === 'IMP' ? weight * 1.5 : weight)),
  ),
];

function medicationTable(entries: readonly MedicationEntry[]): WeightedTable<MedicationEntry> | undefined {
  return entries.length === 0
    ? undefined
    : new WeightedTable(
        entries,
        entries.map((e) => e.weight),
      );
}

function tablesByFlag(use: 'chronic' | 'acute'): Map<ClinicalFlag, WeightedTable<MedicationEntry>> {
  const byFlag = new Map<ClinicalFlag, MedicationEntry[]>();
  for (const entry of MEDICATIONS) {
    if (entry.use !== use) {
      continue;
    }
    for (const flag of entry.indications) {
      const list = byFlag.get(flag) ?? [];
      list.push(entry);
      byFlag.set(flag, list);
    }
  }
  const tables = new Map<ClinicalFlag, WeightedTable<MedicationEntry>>();
  for (const [flag, entries] of byFlag) {
    const table = medicationTable(entries);
    if (table !== undefined) {
      tables.set(flag, table);
    }
  }
  return tables;
}

const CHRONIC_BY_FLAG = tablesByFlag('chronic');
const ACUTE_BY_FLAG = tablesByFlag('acute');
const ACUTE_GENERAL = medicationTable(MEDICATIONS.filter((m) => m.use === 'acute' && m.indications.length === 0));
const ACUTE_PAEDIATRIC = medicationTable(
  MEDICATIONS.filter((m) => m.use === 'acute' && m.indications.length === 0 && m.paediatric === true),
);
const INSULINS = medicationTable(MEDICATIONS.filter((m) => m.code.startsWith('A10A')));

function sexKeyAt(person: Person, ageYears: number): SexKey {
  switch (person.gender) {
    case 'female':
      return ageYears >= 18 && ageYears < 50 ? 'ff' : 'f';
    case 'male':
      return 'm';
    case 'other':
      return 'o';
  }
}

function drawDiagnosis(random: SeededRandom, person: Person, ageYears: number, day: number): DiagnosisEntry {
  return diagnosisTable(ageBand(ageYears), sexKeyAt(person, ageYears), day >= COVID_START_DAY).pick(random);
}

/** Length of a stay in days by encounter class. */
function stayDays(random: SeededRandom, kind: EncounterKind, ageYears: number): number {
  switch (kind) {
    case 'IMP': {
      const median = ageYears >= 65 ? 6 : 4;
      return Math.min(60, 1 + Math.floor(median * Math.exp(0.7 * random.normal())));
    }
    case 'SS':
      return random.chance(0.7) ? 0 : random.int(1, 3);
    case 'AMB':
    case 'EMER':
      return 0;
  }
}

function admissionMinute(random: SeededRandom, kind: EncounterKind, day: number): number {
  switch (kind) {
    case 'IMP':
      return atMinute(day, random.int(7 * 60, 19 * 60));
    case 'SS':
    case 'AMB':
      return atMinute(day, random.int(7 * 60 + 30, 16 * 60));
    case 'EMER':
      return atMinute(day, random.int(0, 22 * 60));
  }
}

function dischargeMinute(random: SeededRandom, kind: EncounterKind, start: number, days: number): number {
  switch (kind) {
    case 'IMP':
    case 'SS':
      return days === 0
        ? start + random.int(4 * 60, 9 * 60)
        : atMinute(Math.floor(start / MINUTES_PER_DAY) + days, random.int(9 * 60, 15 * 60));
    case 'AMB':
      return start + random.int(15, 150);
    case 'EMER':
      return start + random.int(60, 8 * 60);
  }
}

interface Slot {
  kind: EncounterKind;
  start: number;
  end?: number;
  newborn: boolean;
  fatal: boolean;
}

/** Places encounters in the patient's lifetime within the data window, without overlap. */
function planSlots(random: SeededRandom, person: Person, diabetic: boolean): Slot[] {
  const firstDay = Math.max(WINDOW_START_DAY, person.birthDay);
  const lastDay = person.deathDay ?? REFERENCE_DAY;
  const lastMinute = atMinute(lastDay, MINUTES_PER_DAY - 1);
  const band = ageBand(person.ageYears);
  const extraMean = (band === 0 ? 0.45 : band === 1 ? 0.6 : 1.15) + (diabetic ? 0.4 : 0);
  const count = 1 + random.poisson(extraMean);

  const newborn = person.birthDay >= WINDOW_START_DAY && random.chance(0.5);
  const days: number[] = [];
  for (let i = newborn ? 1 : 0; i < count; i++) {
    days.push(random.int(firstDay, lastDay));
  }
  days.sort((a, b) => a - b);
  if (newborn) {
    days.unshift(person.birthDay);
  }

  const fatalStay = person.deathDay !== undefined && random.chance(0.6);
  const slots: Slot[] = [];
  let previousEnd = -Infinity;
  for (let i = 0; i < days.length; i++) {
    const isNewborn = newborn && i === 0;
    const fatal = fatalStay && i === days.length - 1;
    const ageYears = completedYears(person.birthDay, days[i]);
    const kind: EncounterKind = isNewborn || fatal ? 'IMP' : KIND_TABLES[ageBand(ageYears)].pick(random);
    const stay = isNewborn ? random.int(2, 5) : stayDays(random, kind, ageYears);
    const day = fatal ? Math.max(days[i], lastDay - stay) : days[i];
    let start = isNewborn ? atMinute(day, random.int(0, MINUTES_PER_DAY - 1)) : admissionMinute(random, kind, day);
    if (start <= previousEnd) {
      start = previousEnd + random.int(1, 20) * MINUTES_PER_DAY;
    }
    if (start >= lastMinute) {
      break;
    }
    let end: number | undefined = isNewborn
      ? start + stay * MINUTES_PER_DAY
      : dischargeMinute(random, kind, start, stay);
    if (fatal || (person.deathDay !== undefined && end > lastMinute)) {
      end = Math.max(start + 60, atMinute(lastDay, random.int(0, MINUTES_PER_DAY - 1)));
    } else if (end > lastMinute) {
      // Still in hospital at the reference date: the encounter has no end yet.
      end = undefined;
    }
    slots.push({ kind, start, ...(end === undefined ? {} : { end }), newborn: isNewborn, fatal });
    if (end === undefined) {
      break;
    }
    previousEnd = end;
  }
  return slots;
}

function pickDistinct<T>(table: WeightedTable<T>, random: SeededRandom, count: number, into: T[]): void {
  for (let i = 0; i < count; i++) {
    const item = table.pick(random);
    if (!into.includes(item)) {
      into.push(item);
    }
  }
}

function chronicMedicationsFor(
  random: SeededRandom,
  flags: ReadonlySet<ClinicalFlag>,
  type1: boolean,
): MedicationEntry[] {
  const chosen: MedicationEntry[] = [];
  if (type1 && INSULINS !== undefined) {
    pickDistinct(INSULINS, random, 2, chosen);
  }
  for (const flag of flags) {
    const table = CHRONIC_BY_FLAG.get(flag);
    if (table === undefined || (type1 && flag === 'diabetes') || !random.chance(0.8)) {
      continue;
    }
    pickDistinct(table, random, flag === 'hypertension' || flag === 'diabetes' ? random.int(1, 2) : 1, chosen);
  }
  return chosen.slice(0, 6);
}

function acuteMedicationsFor(
  random: SeededRandom,
  kind: EncounterKind,
  flags: ReadonlySet<ClinicalFlag>,
  child: boolean,
): MedicationEntry[] {
  if (kind === 'AMB') {
    return [];
  }
  const chosen: MedicationEntry[] = [];
  for (const flag of flags) {
    const table = ACUTE_BY_FLAG.get(flag);
    if (table !== undefined && random.chance(0.75)) {
      const drug = table.pick(random);
      if ((!child || drug.paediatric === true) && !chosen.includes(drug)) {
        chosen.push(drug);
      }
    }
  }
  const general = child ? ACUTE_PAEDIATRIC : ACUTE_GENERAL;
  if (general !== undefined) {
    pickDistinct(general, random, random.poisson(kind === 'IMP' ? 0.8 : 0.4), chosen);
  }
  return chosen;
}

function procedureCount(random: SeededRandom, kind: EncounterKind): number {
  switch (kind) {
    case 'IMP':
      return random.poisson(1.1);
    case 'SS':
      return random.poisson(0.8);
    case 'EMER':
      return random.poisson(0.5);
    case 'AMB':
      return random.poisson(0.15);
  }
}

function addFlags(into: Set<ClinicalFlag>, entry: DiagnosisEntry): void {
  for (const flag of flagsOfDiagnosis(entry.code)) {
    into.add(flag);
  }
}

/** Plans the whole clinical history of one patient; empty for the few patients without any hospital contact. */
export function planClinicalHistory(random: SeededRandom, person: Person): ClinicalPlan {
  const patientFlags = new Set<ClinicalFlag>();
  // A few patients only exist as master data (registered, never treated in the data window).
  if (person.deathDay === undefined && random.chance(0.03)) {
    return { encounters: [], flags: patientFlags, chronicFlags: new Set(), chronicMedications: [] };
  }
  const currentAge = completedYears(person.birthDay, person.deathDay ?? REFERENCE_DAY);
  let diabetes: DiagnosisEntry | undefined;
  let type1 = false;
  if (random.chance(0.003)) {
    diabetes = type1Table.pick(random);
    type1 = true;
  } else if (random.chance(type2Prevalence(currentAge))) {
    diabetes = type2Tables[ageBand(currentAge)].pick(random);
  }

  const comorbidities: DiagnosisEntry[] = [];
  const band = ageBand(currentAge);
  const comorbidityCount = random.poisson(band === 0 ? 0.15 : band === 1 ? 0.7 : 2);
  for (let i = 0; i < comorbidityCount; i++) {
    const entry = diagnosisTable(band, sexKeyAt(person, currentAge), false).pick(random);
    if (!comorbidities.includes(entry) && !isObstetric(entry.code)) {
      comorbidities.push(entry);
    }
  }

  const encounters: PlannedEncounter[] = [];
  const slots = planSlots(random, person, diabetes !== undefined);
  for (const slot of slots) {
    const day = Math.floor(slot.start / MINUTES_PER_DAY);
    const ageYears = completedYears(person.birthDay, day);
    const child = ageYears < 18;
    const flags = new Set<ClinicalFlag>();
    let main: DiagnosisEntry;
    const secondary: DiagnosisEntry[] = [];
    const chronicCodes = new Set<string>();
    const procedures: ProcedureEntry[] = [];
    if (slot.newborn) {
      main = NEWBORN_MAIN;
      for (const [entry, share] of NEWBORN_EXTRAS) {
        if (random.chance(share)) {
          secondary.push(entry);
        }
      }
      if (NEWBORN_CARE !== undefined) {
        procedures.push(NEWBORN_CARE);
      }
    } else {
      main = drawDiagnosis(random, person, ageYears, day);
      const inpatient = slot.kind === 'IMP' || slot.kind === 'SS';
      const carryOver = slot.kind === 'IMP' ? 0.6 : slot.kind === 'SS' ? 0.4 : 0.25;
      if (diabetes !== undefined && (encounters.length === 0 || random.chance(inpatient ? 0.5 : 0.2))) {
        secondary.push(diabetes);
        chronicCodes.add(diabetes.code);
      }
      for (const comorbidity of comorbidities) {
        if (comorbidity !== main && random.chance(carryOver)) {
          secondary.push(comorbidity);
          chronicCodes.add(comorbidity.code);
        }
      }
      const fresh = random.poisson(slot.kind === 'IMP' ? 0.5 : 0.1);
      for (let i = 0; i < fresh; i++) {
        const entry = drawDiagnosis(random, person, ageYears, day);
        if (entry !== main && !secondary.includes(entry)) {
          secondary.push(entry);
        }
      }
      const table = procedureTable(ageBand(ageYears), sexKeyAt(person, ageYears));
      pickDistinct(table, random, procedureCount(random, slot.kind), procedures);
    }
    addFlags(flags, main);
    secondary.forEach((entry) => addFlags(flags, entry));
    flags.forEach((flag) => patientFlags.add(flag));

    let icu: IcuStay | undefined;
    const critical =
      flags.has('infection') || flags.has('coronary') || flags.has('stroke') || flags.has('heartFailure');
    if (slot.kind === 'IMP' && !slot.newborn && random.chance((critical ? 0.2 : 0.05) + (slot.fatal ? 0.5 : 0))) {
      const stayEnd = slot.end ?? slot.start + 3 * MINUTES_PER_DAY;
      const icuStart = Math.min(slot.start + random.int(30, 24 * 60), stayEnd - 60);
      icu = { start: icuStart, end: Math.min(stayEnd, icuStart + random.int(12 * 60, 5 * MINUTES_PER_DAY)) };
      if (ICU_PROCEDURE !== undefined && random.chance(0.5) && !procedures.includes(ICU_PROCEDURE)) {
        procedures.push(ICU_PROCEDURE);
      }
    }

    let department: string;
    if (slot.newborn) {
      department = DEPARTMENT.gynaecology;
    } else if (child && random.chance(0.7)) {
      department = DEPARTMENT.paediatrics;
    } else if (ageYears >= 75 && slot.kind === 'IMP' && random.chance(0.15)) {
      department = DEPARTMENT.geriatrics;
    } else {
      department = departmentForDiagnosis(main.code);
    }

    encounters.push({
      index: encounters.length + 1,
      kind: slot.kind,
      start: slot.start,
      ...(slot.end === undefined ? {} : { end: slot.end }),
      ageYears,
      department,
      main,
      secondary,
      chronicCodes,
      procedures,
      acuteMedications: slot.newborn ? [] : acuteMedicationsFor(random, slot.kind, flags, child),
      flags,
      ...(icu === undefined ? {} : { icu }),
      newborn: slot.newborn,
      fatal: slot.fatal,
    });
  }
  const chronicFlags = new Set<ClinicalFlag>();
  comorbidities.forEach((entry) => addFlags(chronicFlags, entry));
  if (diabetes !== undefined) {
    chronicFlags.add('diabetes');
  }
  return {
    encounters,
    flags: patientFlags,
    chronicFlags,
    chronicMedications: chronicMedicationsFor(random, patientFlags, type1),
  };
}
