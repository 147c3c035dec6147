import { type MedicationEntry, MEDICATIONS } from '../catalogs/atc.catalog';
import type { ClinicalFlag } from '../catalogs/clinical-flags.catalog';
import type { EncounterKind } from '../catalogs/encounter.catalog';
import { type SeededRandom, WeightedTable } from '../seeded-random';
import { pickDistinct } from './band-tables';

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

/** Long-term medication for the patient's diagnoses (insulins for type 1 diabetes), at most six drugs. */
export function chronicMedicationsFor(
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

/** Medication given during a stay: by the encounter's diagnoses plus general drugs (paediatric for a child). */
export function acuteMedicationsFor(
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
