import { dayNumber } from '../calendar';
import { DIAGNOSES, type DiagnosisEntry, isDiabetes } from '../catalogs/icd10gm.catalog';
import { type Person, ageBand } from '../demographics.generator';
import type { SeededRandom, WeightedTable } from '../seeded-random';
import { SEX_KEYS, type SexKey, buildTable, sexAllows, sexKeyAt } from './band-tables';

const COVID_CODE = 'U07.1';
const COVID_START_DAY = dayNumber(2020, 3, 1);

function isPerinatal(code: string): boolean {
  return code.startsWith('P') || code.startsWith('Z38');
}

/** Whether an ICD-10-GM code is an obstetric diagnosis (chapter O). */
export function isObstetric(code: string): boolean {
  return code.startsWith('O');
}

// Built on first use; indexed by band, sex key and whether COVID-19 can occur yet.
const diagnosisTables: (WeightedTable<DiagnosisEntry> | undefined)[] = [];

/** Diagnoses that may be drawn for an encounter; diabetes and perinatal codes are placed explicitly instead. */
export function diagnosisTable(band: 0 | 1 | 2, sexKey: SexKey, covidEra: boolean): WeightedTable<DiagnosisEntry> {
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

const diagnosisByCode = new Map(DIAGNOSES.map((d) => [d.code, d]));
export const NEWBORN_MAIN = requireDiagnosis('Z38.0');
export const NEWBORN_EXTRAS: readonly (readonly [DiagnosisEntry, number])[] = [
  [requireDiagnosis('P59.9'), 0.15],
  [requireDiagnosis('P07.12'), 0.06],
  [requireDiagnosis('P22.1'), 0.05],
];

function requireDiagnosis(code: string): DiagnosisEntry {
  const entry = diagnosisByCode.get(code);
  if (entry === undefined) {
    throw new Error(`ICD-10-GM catalog lacks ${code}`);
  }
  return entry;
}

// Type 2 diabetes is not drawn for children, so the adult weights stand in for band 0.
const type2Adult = buildTable(DIAGNOSES, 1, (d) => d.code.startsWith('E11'));
export const type2Tables = [type2Adult, type2Adult, buildTable(DIAGNOSES, 2, (d) => d.code.startsWith('E11'))];
export const type1Table = buildTable(DIAGNOSES, 1, (d) => d.code.startsWith('E10'));

/** Type 2 diabetes prevalence by age (German adults, rising with age). */
export function type2Prevalence(age: number): number {
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

/** Draws an encounter diagnosis fitting the patient's age, sex and the date. */
export function drawDiagnosis(random: SeededRandom, person: Person, ageYears: number, day: number): DiagnosisEntry {
  return diagnosisTable(ageBand(ageYears), sexKeyAt(person, ageYears), day >= COVID_START_DAY).pick(random);
}
