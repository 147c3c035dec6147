import { REFERENCE_DAY } from './calendar';
import type { MedicationEntry } from './catalogs/atc.catalog';
import { type ClinicalFlag, flagsOfDiagnosis } from './catalogs/clinical-flags.catalog';
import { DEPARTMENT, type EncounterKind, departmentForDiagnosis } from './catalogs/encounter.catalog';
import type { DiagnosisEntry } from './catalogs/icd10gm.catalog';
import type { ProcedureEntry } from './catalogs/ops.catalog';
import { type Person, ageBand, completedYears } from './demographics.generator';
import type { SeededRandom } from './seeded-random';
import { pickDistinct, sexKeyAt } from './plan/band-tables';
import {
  NEWBORN_EXTRAS,
  NEWBORN_MAIN,
  diagnosisTable,
  drawDiagnosis,
  isObstetric,
  type1Table,
  type2Prevalence,
  type2Tables,
} from './plan/diagnosis-tables';
import { MINUTES_PER_DAY, planSlots } from './plan/encounter-slots.generator';
import { acuteMedicationsFor, chronicMedicationsFor } from './plan/medications.generator';
import { ICU_PROCEDURE, NEWBORN_CARE, procedureCount, procedureTable } from './plan/procedure-tables';

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
