import { PROCEDURES, type ProcedureEntry } from '../catalogs/ops.catalog';
import type { EncounterKind } from '../catalogs/encounter.catalog';
import type { SeededRandom, WeightedTable } from '../seeded-random';
import { SEX_KEYS, type SexKey, buildTable, sexAllows } from './band-tables';

const OBSTETRIC_PROCEDURES = ['5-740', '5-749', '9-260'];
const NEWBORN_PROCEDURE = '9-262.0';
// Built on first use; indexed by band and sex key.
const procedureTables: (WeightedTable<ProcedureEntry> | undefined)[] = [];

/** Procedures that may be drawn for an encounter; newborn care is placed explicitly instead. */
export function procedureTable(band: 0 | 1 | 2, sexKey: SexKey): WeightedTable<ProcedureEntry> {
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

export const NEWBORN_CARE = PROCEDURES.find((p) => p.code === NEWBORN_PROCEDURE);
export const ICU_PROCEDURE = PROCEDURES.find((p) => p.code === '8-980.0');

/** How many procedures an encounter of a class gets. */
export function procedureCount(random: SeededRandom, kind: EncounterKind): number {
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
