import { type CompiledPath, compilePath } from '../fhirpath/compile-path';
import type { CodeHierarchy } from '../codes/code-hierarchy';
import type { MappingCatalog } from '../mapping/mapping-catalog';
import type { CriterionMapping, MappedCode } from '../mapping/mapping.schema';

export type SlotKind = 'concept' | 'code' | 'quantity' | 'age' | 'reference';

/** A value or attribute element extracted into a table column. */
export interface SlotPlan {
  readonly index: number;
  readonly kind: SlotKind;
  readonly path: CompiledPath;
  readonly targetResourceType?: string;
  /**
   * Extract only for rows carrying one of these codes (system, code) or their descendants; undefined = every row.
   * Keeps a costly expression (a blood pressure component) off rows no criterion could ask it of.
   */
  readonly appliesTo?: { context: MappedCode; codes: readonly MappedCode[] };
}

/** Codes on a referenced resource (Medication behind a MedicationAdministration). */
export interface ViaPlan {
  readonly reference: CompiledPath;
  readonly targetType: string;
  readonly targetKey: string;
}

/** One table: the rows of one resource type read with one patient link, code element and time element. */
export interface TablePlan {
  readonly index: number;
  readonly key: string;
  readonly resourceType: string;
  /** Rows are patients (row = patient number) rather than resources. */
  readonly patientSelf: boolean;
  readonly patientReference?: CompiledPath;
  readonly codePath?: CompiledPath;
  readonly via?: ViaPlan;
  readonly time?: CompiledPath;
  /** Code systems that make a resource worth a row; undefined = every resource gets a row. */
  readonly relevantSystems?: ReadonlySet<string>;
  readonly slots: SlotPlan[];
}

/** Codes of a referenced resource type read at ingestion (e.g. Medication.code.coding). */
export interface TargetCodePlan {
  readonly key: string;
  readonly resourceType: string;
  readonly path: CompiledPath;
}

/** Where each mapping entry's elements live in the index. */
export interface EntryLayout {
  readonly table: TablePlan;
  readonly values: ReadonlyMap<'concept' | 'quantity', SlotPlan>;
  readonly attributes: ReadonlyMap<string, SlotPlan>;
}

const part = (value: string | undefined): string => value ?? '-';
export const codeKey = (system: string, code: string): string => `${system}\u0000${code}`;

/** Compiles every path of a mapping once and groups entries that read the same rows into one table. */
export class IndexPlan {
  readonly tables: TablePlan[] = [];
  readonly targetCodes = new Map<string, TargetCodePlan>();
  /** Resource types whose ids must be known because something references them. */
  readonly referencedTypes = new Set<string>();
  private readonly layouts = new Map<CriterionMapping, EntryLayout>();
  private readonly paths = new Map<string, CompiledPath>();

  constructor(
    readonly catalog: MappingCatalog,
    readonly hierarchy: CodeHierarchy,
  ) {
    const tablesByKey = new Map<string, TablePlan & { slotsByKey: Map<string, SlotPlan> }>();
    for (const entry of catalog.mapping.criteria) {
      const table = this.tableFor(entry, tablesByKey);
      const values = new Map<'concept' | 'quantity', SlotPlan>();
      for (const value of entry.values ?? []) {
        const slot = this.slotFor(table, value.type, value.path, undefined, this.appliesTo(entry));
        values.set(value.type === 'age' || value.type === 'quantity' ? 'quantity' : 'concept', slot);
      }
      const attributes = new Map<string, SlotPlan>();
      for (const attribute of entry.attributes ?? []) {
        const target = attribute.type === 'reference' ? attribute.targetResourceType : undefined;
        if (target !== undefined) {
          this.referencedTypes.add(target);
        }
        const slot = this.slotFor(table, attribute.type, attribute.path, target, this.appliesTo(entry));
        attributes.set(codeKey(attribute.key.system, attribute.key.code), slot);
      }
      this.layouts.set(entry, { table, values, attributes });
    }
  }

  layout(entry: CriterionMapping): EntryLayout {
    const layout = this.layouts.get(entry);
    if (layout === undefined) {
      throw new Error(`mapping entry ${entry.name ?? entry.context.code} is not part of this plan`);
    }
    return layout;
  }

  /** Tables of a resource type, for ingestion. */
  tablesOf(resourceType: string): TablePlan[] {
    return this.tables.filter((t) => t.resourceType === resourceType);
  }

  private compile(expression: string, resourceType: string): CompiledPath {
    const k = `${resourceType}\u0000${expression}`;
    let compiled = this.paths.get(k);
    if (compiled === undefined) {
      compiled = compilePath(expression, resourceType);
      this.paths.set(k, compiled);
    }
    return compiled;
  }

  private tableFor(
    entry: CriterionMapping,
    tablesByKey: Map<string, TablePlan & { slotsByKey: Map<string, SlotPlan> }>,
  ): TablePlan & { slotsByKey: Map<string, SlotPlan> } {
    const patientSelf = 'self' in entry.patient;
    const patientRef = 'reference' in entry.patient ? entry.patient.reference : undefined;
    const via = entry.code?.via;
    const key = [
      entry.resourceType,
      patientSelf ? 'self' : part(patientRef),
      part(entry.code?.path),
      via === undefined ? '-' : `${via.reference}>${via.resourceType}.${via.path}`,
      part(entry.time),
    ].join('|');
    const systems = [
      ...(entry.termCodeSystems ?? []),
      ...(entry.termCodes ?? []).map((c) => c.system),
      ...Object.values(entry.codeConjunctions ?? {}).flatMap((codes) => codes.map((c) => c.system)),
    ].map((s) => this.catalog.normalizeSystem(s));
    const existing = tablesByKey.get(key);
    if (existing !== undefined) {
      if (existing.relevantSystems !== undefined) {
        for (const system of systems) {
          (existing.relevantSystems as Set<string>).add(system);
        }
      }
      return existing;
    }
    let viaPlan: ViaPlan | undefined;
    if (via !== undefined) {
      const targetKey = `${via.resourceType}\u0000${via.path}`;
      if (!this.targetCodes.has(targetKey)) {
        this.targetCodes.set(targetKey, {
          key: targetKey,
          resourceType: via.resourceType,
          path: this.compile(via.path, via.resourceType),
        });
      }
      this.referencedTypes.add(via.resourceType);
      viaPlan = { reference: this.compile(via.reference, entry.resourceType), targetType: via.resourceType, targetKey };
    }
    const table = {
      index: this.tables.length,
      key,
      resourceType: entry.resourceType,
      patientSelf,
      patientReference: patientRef === undefined ? undefined : this.compile(patientRef, entry.resourceType),
      codePath: entry.code?.path === undefined ? undefined : this.compile(entry.code.path, entry.resourceType),
      via: viaPlan,
      time: entry.time === undefined ? undefined : this.compile(entry.time, entry.resourceType),
      // Rows are only kept for resources coded in a system some entry asks about; codes behind a reference
      // are not known at ingestion, and tables without a code element keep every resource.
      relevantSystems: entry.code?.path !== undefined && via === undefined ? new Set(systems) : undefined,
      slots: [] as SlotPlan[],
      slotsByKey: new Map<string, SlotPlan>(),
    };
    tablesByKey.set(key, table);
    this.tables.push(table);
    return table;
  }

  private slotFor(
    table: TablePlan & { slotsByKey: Map<string, SlotPlan> },
    kind: SlotKind,
    expression: string,
    targetResourceType: string | undefined,
    appliesTo: SlotPlan['appliesTo'],
  ): SlotPlan {
    const key = `${kind}|${expression}|${targetResourceType ?? ''}`;
    const existing = table.slotsByKey.get(key);
    if (existing !== undefined) {
      // A slot shared by entries with different code lists must serve them all.
      if (existing.appliesTo !== undefined && !sameApplicability(existing.appliesTo, appliesTo)) {
        const widened = { ...existing, appliesTo: undefined };
        table.slotsByKey.set(key, widened);
        table.slots[existing.index] = widened;
        return widened;
      }
      return existing;
    }
    const slot: SlotPlan = {
      index: table.slots.length,
      kind,
      path: this.compile(expression, table.resourceType),
      targetResourceType,
      appliesTo,
    };
    table.slots.push(slot);
    table.slotsByKey.set(key, slot);
    return slot;
  }

  /** A slot of an entry that lists its term codes, on a table with codes on the resource, applies to those codes. */
  private appliesTo(entry: CriterionMapping): SlotPlan['appliesTo'] {
    if (entry.termCodes === undefined || entry.termCodeSystems !== undefined || entry.code?.path === undefined) {
      return undefined;
    }
    if (entry.code.via !== undefined) {
      return undefined;
    }
    return {
      context: entry.context,
      codes: entry.termCodes.map((c) => ({ system: this.catalog.normalizeSystem(c.system), code: c.code })),
    };
  }
}

function sameApplicability(a: SlotPlan['appliesTo'], b: SlotPlan['appliesTo']): boolean {
  if (a === undefined || b === undefined) {
    return a === b;
  }
  const keys = (x: NonNullable<SlotPlan['appliesTo']>): string =>
    x.codes
      .map((c) => codeKey(c.system, c.code))
      .sort()
      .join('|');
  return a.context.code === b.context.code && keys(a) === keys(b);
}
