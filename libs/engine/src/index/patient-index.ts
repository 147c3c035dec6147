import type { CohortKeying } from './cohort-keying';
import type { IndexPlan, SlotPlan, TablePlan } from './index-plan';
import { type CodeDictionaryView, type Postings, postingsBytes } from './postings';

export type FinalSlot =
  | { kind: 'concept' | 'code'; plan: SlotPlan; postings: Postings }
  | { kind: 'quantity'; plan: SlotPlan; values: Float64Array; units: Int32Array }
  | { kind: 'age'; plan: SlotPlan; start: Int32Array; end: Int32Array }
  | { kind: 'reference'; plan: SlotPlan; offsets: Uint32Array; targets: Int32Array };

/** One table of the finished index: columns indexed by row. */
export interface FinalTable {
  readonly plan: TablePlan;
  readonly rows: number;
  readonly patient: Int32Array;
  /** Clinical time as an inclusive day range; a row without time has start > end. */
  readonly timeStart?: Int32Array;
  readonly timeEnd?: Int32Array;
  readonly codes?: Postings;
  readonly slots: readonly FinalSlot[];
  /** Referenced-resource key → row of this table, or -1 (only for referenced resource types). */
  readonly keyToRow?: Int32Array;
}

export interface IndexMemory {
  /** Bytes of every typed array the index keeps. */
  bytes: number;
  /** Rows over all tables: one per indexed (resource, table) pair. */
  rows: number;
  /** Resources that produced at least one row. */
  indexedResources: number;
}

/** The patient-level index a site evaluates queries on; immutable once built. */
export class PatientIndex {
  constructor(
    readonly plan: IndexPlan,
    readonly tables: readonly FinalTable[],
    /** 1 for every patient number that has a Patient resource; only they are counted. */
    readonly knownPatients: Uint8Array,
    readonly knownPatientCount: number,
    readonly dictionary: CodeDictionaryView & { idOf(system: string, code: string): number | undefined },
    readonly units: readonly string[],
    readonly indexedResources: number,
    /** The site's stable patient numbers and cohort keys; null when the index was built without them. */
    readonly cohortKeying: CohortKeying | null = null,
  ) {}

  get patientCount(): number {
    return this.knownPatients.length;
  }

  table(plan: TablePlan): FinalTable {
    return this.tables[plan.index];
  }

  memory(): IndexMemory {
    let bytes = this.knownPatients.byteLength;
    let rows = 0;
    for (const table of this.tables) {
      rows += table.rows;
      bytes += table.patient.byteLength + (table.timeStart?.byteLength ?? 0) + (table.timeEnd?.byteLength ?? 0);
      bytes += (table.codes === undefined ? 0 : postingsBytes(table.codes)) + (table.keyToRow?.byteLength ?? 0);
      for (const slot of table.slots) {
        switch (slot.kind) {
          case 'concept':
          case 'code':
            bytes += postingsBytes(slot.postings);
            break;
          case 'quantity':
            bytes += slot.values.byteLength + slot.units.byteLength;
            break;
          case 'age':
            bytes += slot.start.byteLength + slot.end.byteLength;
            break;
          case 'reference':
            bytes += slot.offsets.byteLength + slot.targets.byteLength;
            break;
        }
      }
    }
    return { bytes, rows, indexedResources: this.indexedResources };
  }
}
