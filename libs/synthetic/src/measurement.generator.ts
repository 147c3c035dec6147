import type { ClinicalFlag } from './catalogs/clinical-flags.catalog';
import type { Distribution, LabEntry } from './catalogs/loinc-labs.catalog';
import type { Gender } from './demographics.generator';
import { roundTo } from './fhir-shapes';
import type { SeededRandom } from './seeded-random';

/** A sampled lab result: the LOINC code and unit actually reported. */
export interface LabResult {
  code: string;
  unit: string;
  value: number;
}

function sample(random: SeededRandom, distribution: Distribution): number {
  const z = random.normal();
  return distribution.log === true
    ? distribution.mean * Math.exp(distribution.sd * z)
    : distribution.mean + distribution.sd * z;
}

function distributionFor(
  entry: LabEntry,
  gender: Gender,
  child: boolean,
  flags: ReadonlySet<ClinicalFlag>,
): Distribution {
  if (entry.shifted !== undefined) {
    for (const flag of Object.keys(entry.shifted) as ClinicalFlag[]) {
      const shifted = entry.shifted[flag];
      if (shifted !== undefined && flags.has(flag)) {
        return shifted;
      }
    }
  }
  if (child && entry.child !== undefined) {
    return entry.child;
  }
  return gender === 'female' ? entry.female : entry.male;
}

/** Probability that a lab is ordered at an encounter, raised for patients with a matching flag. */
export function orderProbability(entry: LabEntry, inpatient: boolean, flags: ReadonlySet<ClinicalFlag>): number {
  let p = inpatient ? entry.inpatient : entry.outpatient;
  if (entry.orderedFor !== undefined) {
    for (const flag of Object.keys(entry.orderedFor) as ClinicalFlag[]) {
      const q = entry.orderedFor[flag];
      const candidate = q === undefined ? 0 : inpatient ? q : q * 0.6;
      if (candidate > p && flags.has(flag)) {
        p = candidate;
      }
    }
  }
  return p;
}

/** Samples one lab value for a patient; sometimes reported under the analyte's alternative code and unit. */
export function sampleLab(
  random: SeededRandom,
  entry: LabEntry,
  gender: Gender,
  child: boolean,
  flags: ReadonlySet<ClinicalFlag>,
): LabResult {
  const [min, max] = entry.limits;
  const raw = Math.min(max, Math.max(min, sample(random, distributionFor(entry, gender, child, flags))));
  const value = roundTo(raw, entry.decimals);
  const alternative = entry.alternative;
  return alternative !== undefined && random.chance(alternative.share)
    ? {
        code: alternative.code,
        unit: alternative.unit,
        value: roundTo((value + alternative.offset) * alternative.factor, alternative.decimals),
      }
    : { code: entry.code, unit: entry.unit, value };
}

// Median height (cm) and weight (kg) of children by completed year of age, both sexes (KiGGS-like, rounded).
const CHILD_HEIGHT = [62, 80, 89, 97, 104, 111, 117, 123, 129, 134, 140, 145, 151, 158, 164, 168, 171, 173];
const CHILD_WEIGHT = [6, 10.5, 12.8, 14.8, 16.7, 18.8, 21.2, 23.8, 26.6, 30, 33.6, 37.4, 42, 47.5, 53, 57.5, 61, 63.5];

/** Stable body build of one patient: height percentile and adult BMI, so repeated measurements agree. */
export interface Build {
  heightZ: number;
  bmi: number;
}

export function drawBuild(random: SeededRandom, flags: ReadonlySet<ClinicalFlag>): Build {
  const heightZ = Math.max(-2.5, Math.min(2.5, random.normal()));
  const bmi = flags.has('obesity') ? 33 + Math.abs(random.normal()) * 4 : 25.5 + random.normal() * 3.8;
  return { heightZ, bmi: Math.max(16, Math.min(55, bmi)) };
}

/** Body height in cm at an age. */
export function heightAt(build: Build, gender: Gender, ageYears: number): number {
  if (ageYears < 18) {
    return roundTo(CHILD_HEIGHT[ageYears] * (1 + 0.04 * build.heightZ), 0);
  }
  const mean = gender === 'female' ? 166 : gender === 'male' ? 179 : 172;
  const shrink = ageYears > 70 ? (ageYears - 70) * 0.15 : 0;
  return roundTo(mean + 7 * build.heightZ - shrink, 0);
}

/** Body weight in kg at an age, with a little day-to-day variation. */
export function weightAt(random: SeededRandom, build: Build, gender: Gender, ageYears: number): number {
  if (ageYears < 18) {
    return roundTo(CHILD_WEIGHT[ageYears] * (1 + 0.1 * build.heightZ) * (1 + 0.03 * random.normal()), 1);
  }
  const metres = heightAt(build, gender, ageYears) / 100;
  return roundTo(build.bmi * metres * metres * (1 + 0.015 * random.normal()), 1);
}

export function heartRate(
  random: SeededRandom,
  ageYears: number,
  flags: ReadonlySet<ClinicalFlag>,
  icu: boolean,
): number {
  const base = ageYears < 1 ? 130 : ageYears < 6 ? 105 : ageYears < 13 ? 88 : 76;
  const af = flags.has('atrialFibrillation');
  const value = base + (af ? 12 : 0) + (icu ? 8 : 0) + random.normal() * (af ? 18 : 11);
  return Math.round(Math.max(30, Math.min(220, value)));
}

export function respiratoryRate(random: SeededRandom, ageYears: number, flags: ReadonlySet<ClinicalFlag>): number {
  const base = ageYears < 1 ? 40 : ageYears < 6 ? 26 : ageYears < 13 ? 20 : 16;
  const value = base + (flags.has('respiratory') ? 6 : 0) + random.normal() * 3;
  return Math.round(Math.max(6, Math.min(70, value)));
}

/** Systolic and diastolic arterial pressure in mm[Hg]. */
export function bloodPressure(
  random: SeededRandom,
  ageYears: number,
  flags: ReadonlySet<ClinicalFlag>,
): readonly [number, number] {
  const hypertensive = flags.has('hypertension');
  const systolic =
    ageYears < 18
      ? 100 + ageYears + random.normal() * 9
      : 118 + 0.45 * Math.max(0, ageYears - 30) + (hypertensive ? 14 : 0) + random.normal() * 14;
  const diastolic =
    ageYears < 18 ? 60 + ageYears / 2 + random.normal() * 7 : 76 + (hypertensive ? 6 : 0) + random.normal() * 9;
  const sys = Math.round(Math.max(70, Math.min(240, systolic)));
  const dia = Math.round(Math.max(35, Math.min(sys - 15, diastolic)));
  return [sys, dia];
}
