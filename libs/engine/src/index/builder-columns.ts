import { GrowableFloat64, GrowableInt32, GrowableUint32 } from './growable';
import { type SlotPlan, type TablePlan, codeKey } from './index-plan';

// The index builder's working parts: interners, the patient numbering and the code dictionary, the per-table column
// builders, and dropping the rows of replaced resource versions.

/** Interns strings to dense numbers. */
export class Interner {
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(value, id);
    }
    return id;
  }
}

/** Patient id → patient number: dense in order of first sight, or the site's stable numbers (`CohortKeying`). */
export class PatientNumbers {
  private readonly numbers = new Map<string, number>();
  private bound = 0;

  constructor(private readonly stable: ((patientId: string) => number) | null) {}

  /** One past the highest number given out: the size of every patient bitset. */
  get size(): number {
    return this.bound;
  }

  numberOf(patientId: string): number {
    let number = this.numbers.get(patientId);
    if (number === undefined) {
      number = this.stable === null ? this.numbers.size : this.stable(patientId);
      if (!Number.isInteger(number) || number < 0 || number >= 2 ** 31) {
        throw new RangeError(`a patient number is an integer in [0, 2^31), got ${number}`);
      }
      this.numbers.set(patientId, number);
      this.bound = Math.max(this.bound, number + 1);
    }
    return number;
  }
}

export class CodeDictionary {
  private readonly ids = new Map<string, number>();
  private readonly systems: string[] = [];
  private readonly codes: string[] = [];

  /** The dictionary a snapshot saved: the code at position `id` of `systems` and `codes` has that id. */
  static restore(systems: readonly string[], codes: readonly string[]): CodeDictionary {
    const dictionary = new CodeDictionary();
    for (let id = 0; id < codes.length; id++) {
      dictionary.ids.set(codeKey(systems[id], codes[id]), id);
      dictionary.systems.push(systems[id]);
      dictionary.codes.push(codes[id]);
    }
    return dictionary;
  }

  get size(): number {
    return this.codes.length;
  }

  intern(system: string, code: string): number {
    const key = codeKey(system, code);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.codes.length;
      this.ids.set(key, id);
      this.systems.push(system);
      this.codes.push(code);
    }
    return id;
  }

  idOf(system: string, code: string): number | undefined {
    return this.ids.get(codeKey(system, code));
  }

  systemOf(id: number): string {
    return this.systems[id];
  }

  codeOf(id: number): string {
    return this.codes[id];
  }
}

export type SlotBuilder =
  | { kind: 'concept' | 'code'; plan: SlotPlan; codes: GrowableUint32; rows: GrowableUint32 }
  | { kind: 'quantity'; plan: SlotPlan; values: GrowableFloat64; units: GrowableInt32 }
  | { kind: 'age'; plan: SlotPlan; start: GrowableInt32; end: GrowableInt32 }
  | { kind: 'reference'; plan: SlotPlan; rows: GrowableUint32; targets: GrowableInt32 };

export interface TableBuilder {
  plan: TablePlan;
  rows: number;
  /** Per row, the ordinal of the resource it came from: rows of a replaced version are dropped by it. */
  ordinal: GrowableInt32;
  patient: GrowableInt32;
  selfKey?: GrowableInt32;
  timeStart?: GrowableInt32;
  timeEnd?: GrowableInt32;
  viaKey?: GrowableInt32;
  codes: GrowableUint32;
  codeRows: GrowableUint32;
  slots: SlotBuilder[];
}

/** A copy of `table` without the rows of replaced resources (`replaced`: a bitset over ordinals); rows renumbered. */
export function dropRows(table: TableBuilder, replaced: Uint8Array): TableBuilder {
  const newRow = new Int32Array(table.rows);
  let kept = 0;
  for (let row = 0; row < table.rows; row++) {
    const ordinal = table.ordinal.get(row);
    newRow[row] = (replaced[ordinal >>> 3] & (1 << (ordinal & 7))) === 0 ? kept++ : -1;
  }
  if (kept === table.rows) {
    return table;
  }
  const perRow = (column: GrowableInt32 | undefined): GrowableInt32 | undefined => {
    if (column === undefined) {
      return undefined;
    }
    const out = new GrowableInt32(Math.max(16, kept));
    for (let row = 0; row < table.rows; row++) {
      if (newRow[row] !== -1) {
        out.push(column.get(row));
      }
    }
    return out;
  };
  /** Pairs (row, value) of a row-keyed list, keeping those of kept rows with the row renumbered. */
  const pairs = <V extends GrowableInt32 | GrowableUint32>(
    rows: GrowableUint32,
    values: V,
    make: () => V,
  ): { rows: GrowableUint32; values: V } => {
    const outRows = new GrowableUint32(Math.max(16, rows.length));
    const outValues = make();
    for (let i = 0; i < rows.length; i++) {
      const row = newRow[rows.get(i)];
      if (row !== -1) {
        outRows.push(row);
        outValues.push(values.get(i));
      }
    }
    return { rows: outRows, values: outValues };
  };
  const codes = pairs(table.codeRows, table.codes, () => new GrowableUint32(Math.max(16, table.codes.length)));
  return {
    plan: table.plan,
    rows: kept,
    ordinal: perRow(table.ordinal)!,
    patient: perRow(table.patient)!,
    selfKey: perRow(table.selfKey),
    timeStart: perRow(table.timeStart),
    timeEnd: perRow(table.timeEnd),
    viaKey: perRow(table.viaKey),
    codes: codes.values,
    codeRows: codes.rows,
    slots: table.slots.map((slot): SlotBuilder => {
      switch (slot.kind) {
        case 'concept':
        case 'code': {
          const kept = pairs(slot.rows, slot.codes, () => new GrowableUint32(Math.max(16, slot.codes.length)));
          return { kind: slot.kind, plan: slot.plan, codes: kept.values, rows: kept.rows };
        }
        case 'reference': {
          const kept = pairs(slot.rows, slot.targets, () => new GrowableInt32(Math.max(16, slot.targets.length)));
          return { kind: 'reference', plan: slot.plan, rows: kept.rows, targets: kept.values };
        }
        case 'quantity': {
          const values = new GrowableFloat64(Math.max(16, kept));
          for (let row = 0; row < table.rows; row++) {
            if (newRow[row] !== -1) {
              values.push(slot.values.get(row));
            }
          }
          return { kind: 'quantity', plan: slot.plan, values, units: perRow(slot.units)! };
        }
        case 'age':
          return { kind: 'age', plan: slot.plan, start: perRow(slot.start)!, end: perRow(slot.end)! };
      }
    }),
  };
}
