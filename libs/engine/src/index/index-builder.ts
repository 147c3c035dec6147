import { MAX_DAY, MIN_DAY, parseFhirDate, toDayRange } from '../dates';
import type { CompiledPath } from '../fhirpath/compile-path';
import type { FhirResource } from '../fhirpath/fhir-resource';
import { GrowableFloat64, GrowableInt32, GrowableUint32 } from './growable';
import { type IndexPlan, type SlotPlan, type TablePlan, type TargetCodePlan } from './index-plan';
import type { CohortKeying } from './cohort-keying';
import { type FinalSlot, type FinalTable, PatientIndex } from './patient-index';
import { buildPostings } from './postings';
import { ResourceVersions } from './resource-versions';
import {
  CodeDictionary,
  dropRows,
  Interner,
  PatientNumbers,
  type SlotBuilder,
  type TableBuilder,
} from './builder-columns';

/**
 * What became of a resource: `indexed`; or why it added nothing: its type is not one the mapping reads, it carries
 * no code (system) the mapping reads, or it links to no patient.
 */
export type AddOutcome = 'indexed' | 'type-not-mapped' | 'code-not-mapped' | 'no-patient';

const OUTCOMES: readonly AddOutcome[] = ['indexed', 'type-not-mapped', 'code-not-mapped', 'no-patient'];
const OUTCOME_CODES: Readonly<Record<AddOutcome, number>> = {
  indexed: 0,
  'type-not-mapped': 1,
  'code-not-mapped': 2,
  'no-patient': 3,
};

/** `Type/id` (relative, absolute or versioned) → [type, id]; null for anything else (urn:uuid, contained). */
export function parseReference(reference: unknown): [string, string] | null {
  if (typeof reference !== 'string') {
    return null;
  }
  const withoutHistory = reference.replace(/\/_history\/[^/]+$/, '');
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(withoutHistory);
  return match === null ? null : [match[1], match[2]];
}

/** Coding-like values → (system, code); bare strings are codes without a system. */
function eachCoding(values: unknown[], visit: (system: string, code: string) => void): void {
  for (const value of values) {
    if (typeof value === 'string') {
      visit('', value);
    } else if (typeof value === 'object' && value !== null) {
      const coding = value as { system?: unknown; code?: unknown };
      if (typeof coding.code === 'string') {
        visit(typeof coding.system === 'string' ? coding.system : '', coding.code);
      }
    }
  }
}

/** Code ids of one row, collected before the row is known to be kept; reused across rows to spare the GC. */
class RowCodes {
  ids: number[] = [];
  systems: string[] = [];
  length = 0;

  reset(): void {
    this.length = 0;
  }

  push(id: number, system: string): void {
    this.ids[this.length] = id;
    this.systems[this.length] = system;
    this.length++;
  }
}

/** Accumulates resources into column arrays; `finish()` turns them into a compact, immutable PatientIndex. */
export class IndexBuilder {
  private readonly patients: PatientNumbers;
  private readonly known = new GrowableInt32();
  private readonly references = new Map<string, Interner>();
  private readonly dictionary = new CodeDictionary();
  private readonly units = new Interner();
  private readonly unitNames: string[] = [];
  private readonly tables: TableBuilder[];
  private readonly tablesByType = new Map<string, TableBuilder[]>();
  private readonly targetCodes = new Map<string, Map<number, number[]>>();
  private readonly targetPlansByType = new Map<string, TargetCodePlan[]>();
  /** Per slot with `appliesTo`: code id → whether the slot is read for rows carrying it. */
  private readonly appliesMemo = new Map<SlotPlan, Map<number, boolean>>();
  private readonly rowCodes = new RowCodes();
  private indexedResources = 0;
  private finished = false;
  /** Every resource of a mapped type gets the next ordinal; its rows carry it. */
  private nextOrdinal = 0;
  private readonly versions = new ResourceVersions();
  /** Ordinals of indexed resources a later version with the same type and id replaced. */
  private readonly replacedOrdinals = new GrowableInt32(16);
  private replacedOutcome: AddOutcome | null = null;
  /** Element values recorded elsewhere (`addRecorded`), read in place of evaluating paths; null: evaluate. */
  private recorded: readonly (readonly unknown[])[] | null = null;
  private recordedAt = 0;
  /** Sees every element value read from a resource, in reading order (`recordReads`). */
  private onRead: ((values: unknown[]) => void) | null = null;

  constructor(
    private readonly plan: IndexPlan,
    private readonly cohortKeying: CohortKeying | null = null,
  ) {
    this.patients = new PatientNumbers(cohortKeying === null ? null : (id) => cohortKeying.patientNumber(id));
    for (const type of plan.referencedTypes) {
      this.references.set(type, new Interner());
    }
    this.tables = plan.tables.map((table) => this.createTable(table));
    for (const table of this.tables) {
      const list = this.tablesByType.get(table.plan.resourceType) ?? [];
      list.push(table);
      this.tablesByType.set(table.plan.resourceType, list);
    }
    for (const target of plan.targetCodes.values()) {
      this.targetCodes.set(target.key, new Map());
      const list = this.targetPlansByType.get(target.resourceType) ?? [];
      list.push(target);
      this.targetPlansByType.set(target.resourceType, list);
    }
  }

  /**
   * After `addResource`: what the earlier version of the same type and id had become, when the resource just added
   * replaced one (the later version wins, as a FHIR server keeps it); null when its id was new or it has none.
   */
  get lastReplaced(): AddOutcome | null {
    return this.replacedOutcome;
  }

  /**
   * Hands every element value this builder reads from a resource to `record`, in reading order: what `addRecorded`
   * needs to add the same resource to another builder without the resource (a worker thread records, the index's
   * builder adds).
   */
  recordReads(record: (values: unknown[]) => void): void {
    this.onRead = record;
  }

  /**
   * Adds a resource of `type` and `id` whose element values another builder read (`recordReads`), in the order it
   * read them: the same outcome and the same rows as `addResource` of the resource itself.
   */
  addRecorded(type: string, id: string | undefined, values: readonly (readonly unknown[])[]): AddOutcome {
    this.recorded = values;
    this.recordedAt = 0;
    try {
      const outcome = this.addResource(id === undefined ? { resourceType: type } : { resourceType: type, id });
      if (this.recordedAt !== values.length) {
        throw new Error(`a recording of ${type} holds ${values.length} reads, the builder made ${this.recordedAt}`);
      }
      return outcome;
    } finally {
      this.recorded = null;
    }
  }

  /** The values of `path` in `resource`, or the next recorded ones. */
  private read(path: CompiledPath, resource: FhirResource): unknown[] {
    if (this.recorded !== null) {
      const values = this.recorded[this.recordedAt++];
      if (values === undefined) {
        throw new Error(`a recording of ${resource.resourceType} ended before the builder's reads did`);
      }
      return values as unknown[];
    }
    const values = path.evaluate(resource);
    this.onRead?.(values);
    return values;
  }

  /** Adds one resource; never throws on odd content, it reads what the mapping asks for. */
  addResource(resource: FhirResource): AddOutcome {
    if (this.finished) {
      throw new Error('the index was already built');
    }
    this.replacedOutcome = null;
    const type = resource.resourceType;
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    if (type === 'Patient' && id !== undefined) {
      const patient = this.patients.numberOf(id);
      this.known.padTo(patient + 1, 0);
      this.known.set(patient, 1);
    }
    const targets = this.targetPlansByType.get(type);
    const tables = this.tablesByType.get(type);
    if (targets === undefined && tables === undefined) {
      return 'type-not-mapped';
    }
    const ordinal = this.nextOrdinal++;
    let indexed = false;
    let noPatient = false;
    for (const target of targets ?? []) {
      if (id !== undefined) {
        const codes: number[] = [];
        eachCoding(this.read(target.path, resource), (system, code) => {
          codes.push(this.dictionary.intern(this.plan.catalog.normalizeSystem(system), code));
        });
        // A later version's codes overwrite the earlier's.
        this.targetCodes.get(target.key)!.set(this.references.get(type)!.intern(id), codes);
        indexed = true;
      }
    }
    for (const table of tables ?? []) {
      const added = this.addRow(table, resource, id, ordinal);
      indexed ||= added === 'indexed';
      noPatient ||= added === 'no-patient';
    }
    const outcome: AddOutcome = indexed ? 'indexed' : noPatient ? 'no-patient' : 'code-not-mapped';
    if (indexed) {
      this.indexedResources++;
    }
    if (id !== undefined && this.versions.put(type, id, ordinal, OUTCOME_CODES[outcome])) {
      const previous = OUTCOMES[this.versions.previousOutcome];
      if (previous === 'indexed') {
        this.replacedOrdinals.push(this.versions.previousOrdinal);
        this.indexedResources--;
      }
      this.replacedOutcome = previous;
    }
    return outcome;
  }

  private addRow(table: TableBuilder, resource: FhirResource, id: string | undefined, ordinal: number): AddOutcome {
    const plan = table.plan;
    const rowCodes = this.rowCodes;
    rowCodes.reset();
    if (plan.codePath !== undefined) {
      let relevant = plan.relevantSystems === undefined;
      eachCoding(this.read(plan.codePath, resource), (rawSystem, code) => {
        const system = this.plan.catalog.normalizeSystem(rawSystem);
        relevant ||= plan.relevantSystems!.has(system);
        rowCodes.push(this.dictionary.intern(system, code), system);
      });
      if (!relevant) {
        return 'code-not-mapped';
      }
    }
    let patient: number;
    if (plan.patientSelf) {
      if (id === undefined) {
        return 'no-patient';
      }
      patient = this.patients.numberOf(id);
    } else {
      const ref = parseReference(this.read(plan.patientReference!, resource)[0]);
      if (ref === null || ref[0] !== 'Patient') {
        return 'no-patient';
      }
      patient = this.patients.numberOf(ref[1]);
    }
    const row = table.rows++;
    table.ordinal.push(ordinal);
    table.patient.push(patient);
    if (table.selfKey !== undefined) {
      table.selfKey.push(id === undefined ? -1 : this.references.get(plan.resourceType)!.intern(id));
    }
    if (plan.time !== undefined) {
      const range = toDayRange(this.read(plan.time, resource)[0]);
      table.timeStart!.push(range === null ? MAX_DAY : range.start);
      table.timeEnd!.push(range === null ? MIN_DAY : range.end);
    }
    if (plan.via !== undefined) {
      const ref = parseReference(this.read(plan.via.reference, resource)[0]);
      table.viaKey!.push(
        ref === null || ref[0] !== plan.via.targetType ? -1 : this.references.get(plan.via.targetType)!.intern(ref[1]),
      );
    }
    for (let i = 0; i < rowCodes.length; i++) {
      table.codes.push(rowCodes.ids[i]);
      table.codeRows.push(row);
    }
    for (const slot of table.slots) {
      const applies = slot.plan.appliesTo === undefined || this.applies(slot.plan, rowCodes);
      this.addSlotValue(slot, row, applies ? this.read(slot.plan.path, resource) : []);
    }
    return 'indexed';
  }

  /** Whether a slot restricted to some codes is read for a row with these codes; memoised per code id. */
  private applies(slot: SlotPlan, rowCodes: RowCodes): boolean {
    const appliesTo = slot.appliesTo!;
    let memo = this.appliesMemo.get(slot);
    if (memo === undefined) {
      memo = new Map();
      this.appliesMemo.set(slot, memo);
    }
    for (let i = 0; i < rowCodes.length; i++) {
      const id = rowCodes.ids[i];
      let applies = memo.get(id);
      if (applies === undefined) {
        const system = rowCodes.systems[i];
        const code = this.dictionary.codeOf(id);
        applies = appliesTo.codes.some(
          (c) => c.system === system && this.plan.hierarchy.covers(appliesTo.context, c.system, c.code, code),
        );
        memo.set(id, applies);
      }
      if (applies) {
        return true;
      }
    }
    return false;
  }

  private addSlotValue(slot: SlotBuilder, row: number, values: unknown[]): void {
    switch (slot.kind) {
      case 'concept':
      case 'code':
        eachCoding(values, (rawSystem, code) => {
          const system = slot.kind === 'code' ? '' : this.plan.catalog.normalizeSystem(rawSystem);
          slot.codes.push(this.dictionary.intern(system, code));
          slot.rows.push(row);
        });
        return;
      case 'quantity': {
        const quantity = values[0] as { value?: unknown; code?: unknown; unit?: unknown } | undefined;
        const ok = typeof quantity === 'object' && quantity !== null && typeof quantity.value === 'number';
        slot.values.push(ok ? (quantity.value as number) : Number.NaN);
        const unit = ok ? (typeof quantity.code === 'string' ? quantity.code : quantity.unit) : undefined;
        slot.units.push(typeof unit === 'string' ? this.internUnit(unit) : -1);
        return;
      }
      case 'age': {
        const range = typeof values[0] === 'string' ? parseFhirDate(values[0]) : null;
        slot.start.push(range === null ? MAX_DAY : range.start);
        slot.end.push(range === null ? MIN_DAY : range.end);
        return;
      }
      case 'reference':
        for (const value of values) {
          const ref = parseReference(value);
          if (ref !== null && ref[0] === slot.plan.targetResourceType) {
            slot.rows.push(row);
            slot.targets.push(this.references.get(ref[0])!.intern(ref[1]));
          }
        }
        return;
    }
  }

  private internUnit(unit: string): number {
    const id = this.units.intern(unit);
    if (id === this.unitNames.length) {
      this.unitNames.push(unit);
    }
    return id;
  }

  private createTable(plan: TablePlan): TableBuilder {
    return {
      plan,
      rows: 0,
      ordinal: new GrowableInt32(),
      patient: new GrowableInt32(),
      selfKey: this.plan.referencedTypes.has(plan.resourceType) ? new GrowableInt32() : undefined,
      timeStart: plan.time === undefined ? undefined : new GrowableInt32(),
      timeEnd: plan.time === undefined ? undefined : new GrowableInt32(),
      viaKey: plan.via === undefined ? undefined : new GrowableInt32(),
      codes: new GrowableUint32(),
      codeRows: new GrowableUint32(),
      slots: plan.slots.map((slot): SlotBuilder => {
        switch (slot.kind) {
          case 'concept':
          case 'code':
            return { kind: slot.kind, plan: slot, codes: new GrowableUint32(), rows: new GrowableUint32() };
          case 'quantity':
            return { kind: 'quantity', plan: slot, values: new GrowableFloat64(), units: new GrowableInt32() };
          case 'age':
            return { kind: 'age', plan: slot, start: new GrowableInt32(), end: new GrowableInt32() };
          case 'reference':
            return { kind: 'reference', plan: slot, rows: new GrowableUint32(), targets: new GrowableInt32() };
        }
      }),
    };
  }

  /** Resolves references, compresses postings and returns the immutable index; the builder is spent. */
  finish(): PatientIndex {
    this.finished = true;
    this.known.padTo(this.patients.size, 0);
    const known = new Uint8Array(this.known.trim());
    const replaced = this.replacedRows();
    const tables = this.tables.map((table) => this.finishTable(replaced === null ? table : dropRows(table, replaced)));
    let knownCount = 0;
    for (const flag of known) {
      knownCount += flag;
    }
    const dictionary = this.dictionary;
    return new PatientIndex(
      this.plan,
      tables,
      known,
      knownCount,
      dictionary,
      [...this.unitNames],
      this.indexedResources,
      this.cohortKeying,
    );
  }

  /** A bitset over ordinals of the resources whose rows a later version replaced, or null when there are none. */
  private replacedRows(): Uint8Array | null {
    if (this.replacedOrdinals.length === 0) {
      return null;
    }
    const bits = new Uint8Array((this.nextOrdinal >>> 3) + 1);
    for (let i = 0; i < this.replacedOrdinals.length; i++) {
      const ordinal = this.replacedOrdinals.get(i);
      bits[ordinal >>> 3] |= 1 << (ordinal & 7);
    }
    return bits;
  }

  private finishTable(table: TableBuilder): FinalTable {
    if (table.viaKey !== undefined) {
      const codes = this.targetCodes.get(table.plan.via!.targetKey)!;
      for (let row = 0; row < table.rows; row++) {
        const key = table.viaKey.get(row);
        for (const code of key === -1 ? [] : (codes.get(key) ?? [])) {
          table.codes.push(code);
          table.codeRows.push(row);
        }
      }
    }
    let keyToRow: Int32Array | undefined;
    if (table.selfKey !== undefined) {
      keyToRow = new Int32Array(this.references.get(table.plan.resourceType)!.size).fill(-1);
      for (let row = 0; row < table.rows; row++) {
        const key = table.selfKey.get(row);
        if (key !== -1) {
          keyToRow[key] = row;
        }
      }
    }
    const hasCodes = table.plan.codePath !== undefined || table.plan.via !== undefined;
    return {
      plan: table.plan,
      rows: table.rows,
      patient: table.patient.trim(),
      timeStart: table.timeStart?.trim(),
      timeEnd: table.timeEnd?.trim(),
      codes: hasCodes ? buildPostings(table.codes, table.codeRows, this.dictionary) : undefined,
      slots: table.slots.map((slot) => this.finishSlot(slot, table.rows)),
      keyToRow,
    };
  }

  private finishSlot(slot: SlotBuilder, rows: number): FinalSlot {
    switch (slot.kind) {
      case 'concept':
      case 'code':
        return { kind: slot.kind, plan: slot.plan, postings: buildPostings(slot.codes, slot.rows, this.dictionary) };
      case 'quantity':
        return { kind: 'quantity', plan: slot.plan, values: slot.values.trim(), units: slot.units.trim() };
      case 'age':
        return { kind: 'age', plan: slot.plan, start: slot.start.trim(), end: slot.end.trim() };
      case 'reference': {
        const offsets = new Uint32Array(rows + 1);
        for (let i = 0; i < slot.rows.length; i++) {
          offsets[slot.rows.get(i) + 1]++;
        }
        for (let row = 0; row < rows; row++) {
          offsets[row + 1] += offsets[row];
        }
        const cursor = offsets.slice(0, rows);
        const targets = new Int32Array(slot.rows.length);
        for (let i = 0; i < slot.rows.length; i++) {
          targets[cursor[slot.rows.get(i)]++] = slot.targets.get(i);
        }
        return { kind: 'reference', plan: slot.plan, offsets, targets };
      }
    }
  }
}
