import type {
  AttributeFilter,
  Comparator,
  Criterion,
  ReferencedCriterion,
  StructuredQuery,
  ValueFilter,
} from '@fq/ccdl';
import { CodeHierarchy, type ConceptTree } from '../../codes/code-hierarchy';
import { unitConverter } from '../../codes/units';
import {
  type AgeUnit,
  MAX_DAY,
  MIN_DAY,
  completedAge,
  overlaps,
  parseFhirDate,
  parseIsoDay,
  toDayRange,
} from '../../dates';
import { type CompiledPath, compileWithFhirPath } from '../../fhirpath/compile-path';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import { parseReference } from '../../index/index-builder';
import { DEFAULT_MAPPING } from '../../mapping/default-mapping';
import { MappingCatalog, type ResolvedTermCode } from '../../mapping/mapping-catalog';
import type { AttributeMapping, CriterionMapping, EngineMapping, ValueMapping } from '../../mapping/mapping.schema';

// The test oracle: every rule of docs/engine-semantics.md applied literally, resource by resource, with
// fhirpath.js only. It shares no code with the indexed evaluator beyond the helpers the contract names.

/** What the naive evaluator needs besides the data and the query. */
export interface NaiveEvaluateOptions {
  /** `YYYY-MM-DD`; ages are computed relative to it. */
  evaluationDate: string;
  mapping?: EngineMapping;
  conceptTrees?: readonly ConceptTree[];
}

/** The patients one criterion matches, named by its JSON path in the query. */
export interface NaiveCriterionResult {
  path: string;
  patientIds: string[];
}

/** The exact result of a naive evaluation: the cohort and, for diagnosis, each top-level criterion's patients. */
export interface NaiveEvaluation {
  rawCount: number;
  /** Sorted ids of the counted patients. */
  patientIds: string[];
  /** Inclusion criteria first, then exclusion criteria, in query order. */
  criteria: NaiveCriterionResult[];
}

const AGE_UNITS: readonly AgeUnit[] = ['a', 'mo', 'wk', 'd'];

/** The age unit a filter asks for (`a` when it names none), or null for a unit ages are not counted in. */
function ageUnitOf(filter: ValueFilter): AgeUnit | null {
  const code = filter.type === 'concept' ? undefined : filter.unit?.code;
  return code === undefined ? 'a' : (AGE_UNITS.find((unit) => unit === code) ?? null);
}

type AnyCriterion = Criterion | ReferencedCriterion;
type Coding = { system: string; code: string };

/** Evaluates a CCDL query by scanning every resource for every criterion; slow, simple and meant as a test oracle. */
export function evaluateQueryNaively(
  resources: readonly FhirResource[],
  query: StructuredQuery,
  options: NaiveEvaluateOptions,
): NaiveEvaluation {
  const evaluator = new NaiveEvaluator(resources, options);
  const criteria: NaiveCriterionResult[] = [];
  const groupSets = (groups: Criterion[][] | undefined, key: string): Array<Array<Set<string>>> =>
    (groups ?? []).map((group, i) =>
      group.map((criterion, j) => {
        const patients = evaluator.patientsMatching(criterion);
        criteria.push({ path: `$.${key}[${i}][${j}]`, patientIds: [...patients].sort() });
        return patients;
      }),
    );
  const inclusion = groupSets(query.inclusionCriteria, 'inclusionCriteria');
  const exclusion = groupSets(query.exclusionCriteria, 'exclusionCriteria');
  const patientIds: string[] = [];
  for (const patient of evaluator.knownPatients) {
    const included = inclusion.every((group) => group.some((set) => set.has(patient)));
    const excluded = exclusion.some((group) => group.every((set) => set.has(patient)));
    if (included && !excluded) {
      patientIds.push(patient);
    }
  }
  patientIds.sort();
  return { rawCount: patientIds.length, patientIds, criteria };
}

class NaiveEvaluator {
  readonly knownPatients = new Set<string>();
  private readonly catalog: MappingCatalog;
  private readonly hierarchy: CodeHierarchy;
  private readonly today: number;
  private readonly byType = new Map<string, FhirResource[]>();
  private readonly byTypeAndId = new Map<string, FhirResource>();
  private readonly paths = new Map<string, CompiledPath>();
  private readonly results = new WeakMap<FhirResource, Map<string, unknown[]>>();

  constructor(resources: readonly FhirResource[], options: NaiveEvaluateOptions) {
    const mapping = options.mapping ?? DEFAULT_MAPPING;
    this.catalog = new MappingCatalog(mapping);
    this.hierarchy = new CodeHierarchy(mapping.hierarchyRules, options.conceptTrees ?? []);
    this.today = parseIsoDay(options.evaluationDate);
    // Of two resources with the same type and id, the later one wins (docs/engine-semantics.md, "Patients").
    const last = new Map<string, FhirResource>();
    for (const resource of resources) {
      if (typeof resource.id === 'string') {
        last.set(`${resource.resourceType}/${resource.id}`, resource);
      }
    }
    for (const resource of resources) {
      if (typeof resource.id === 'string' && last.get(`${resource.resourceType}/${resource.id}`) !== resource) {
        continue;
      }
      const list = this.byType.get(resource.resourceType) ?? [];
      list.push(resource);
      this.byType.set(resource.resourceType, list);
      if (typeof resource.id === 'string') {
        this.byTypeAndId.set(`${resource.resourceType}/${resource.id}`, resource);
        if (resource.resourceType === 'Patient') {
          this.knownPatients.add(resource.id);
        }
      }
    }
  }

  /** Known patients with at least one resource that satisfies the criterion under one of its term codes. */
  patientsMatching(criterion: Criterion): Set<string> {
    const matched = new Set<string>();
    const resolved = this.resolveTermCodes(criterion);
    if (resolved === null) {
      return matched;
    }
    for (const termCode of resolved) {
      for (const resource of this.byType.get(termCode.entry.resourceType) ?? []) {
        const patient = this.patientOf(termCode.entry, resource);
        if (
          patient !== null &&
          this.knownPatients.has(patient) &&
          this.resourceMatches(termCode, criterion, resource, patient)
        ) {
          matched.add(patient);
        }
      }
    }
    return matched;
  }

  /** The mapped term codes of a criterion, without unknown ones and without those whose entry raises an issue. */
  private resolveTermCodes(criterion: AnyCriterion): ResolvedTermCode[] {
    const context =
      criterion.context === undefined ? undefined : { system: criterion.context.system, code: criterion.context.code };
    const resolved: ResolvedTermCode[] = [];
    for (const termCode of criterion.termCodes) {
      const found = this.catalog.resolve(context, { system: termCode.system, code: termCode.code });
      if (found !== null) {
        resolved.push(found);
      }
    }
    // An issue makes the term codes of the entry that raised it match nothing; the other alternatives still count.
    return resolved.filter((r) => !hasIssue(r.entry, criterion));
  }

  /** The patient id a resource belongs to through the entry's patient link, or null. */
  private patientOf(entry: CriterionMapping, resource: FhirResource): string | null {
    if ('self' in entry.patient) {
      return typeof resource.id === 'string' ? resource.id : null;
    }
    const reference = parseReference(this.evaluate(entry.patient.reference, resource)[0]);
    return reference !== null && reference[0] === 'Patient' ? reference[1] : null;
  }

  /** Whether this one resource satisfies the term code, the value filter, every attribute filter and the time. */
  private resourceMatches(
    termCode: ResolvedTermCode,
    criterion: AnyCriterion,
    resource: FhirResource,
    patient: string | null,
  ): boolean {
    const entry = termCode.entry;
    return (
      this.termCodeMatches(termCode, resource) &&
      (criterion.valueFilter === undefined || this.valueFilterMatches(entry, criterion.valueFilter, resource)) &&
      (criterion.attributeFilters ?? []).every((filter: AttributeFilter) =>
        this.attributeFilterMatches(entry, filter, resource, patient),
      ) &&
      (criterion.timeRestriction === undefined || this.timeMatches(entry, criterion.timeRestriction, resource))
    );
  }

  private termCodeMatches(termCode: ResolvedTermCode, resource: FhirResource): boolean {
    const entry = termCode.entry;
    if (entry.code === undefined) {
      return true;
    }
    const codings = this.codingsOf(entry, resource);
    const conjunction = entry.codeConjunctions?.[termCode.code];
    if (conjunction !== undefined) {
      return conjunction.every((required) =>
        codings.some((c) => c.system === this.catalog.normalizeSystem(required.system) && c.code === required.code),
      );
    }
    return codings.some(
      (c) =>
        c.system === termCode.system && this.hierarchy.covers(termCode.context, termCode.system, termCode.code, c.code),
    );
  }

  /** The codings on the resource's code path plus those on the resource its `via` reference points to. */
  private codingsOf(entry: CriterionMapping, resource: FhirResource): Coding[] {
    const codings: Coding[] = [];
    const source = entry.code!;
    if (source.path !== undefined) {
      codings.push(...this.codingValues(this.evaluate(source.path, resource, entry.resourceType)));
    }
    if (source.via !== undefined) {
      for (const value of this.evaluate(source.via.reference, resource, entry.resourceType)) {
        const target = this.resolveReference(value, source.via.resourceType);
        if (target !== undefined) {
          codings.push(...this.codingValues(this.evaluate(source.via.path, target, source.via.resourceType)));
        }
      }
    }
    return codings;
  }

  private valueFilterMatches(entry: CriterionMapping, filter: ValueFilter, resource: FhirResource): boolean {
    const mapping = valueMappingFor(entry, filter)!;
    const values = this.evaluate(mapping.path, resource, entry.resourceType);
    if (mapping.type === 'age') {
      return this.ageMatches(filter, values[0]);
    }
    return this.filterHolds(mapping.type, filter, values);
  }

  /** A concept or quantity filter on the values a path yielded. */
  private filterHolds(type: ValueMapping['type'], filter: ValueFilter | AttributeFilter, values: unknown[]): boolean {
    switch (filter.type) {
      case 'concept':
        if (type === 'code') {
          const codes = values.map(codeOf).filter((code): code is string => code !== null);
          return filter.selectedConcepts.some((selected) => codes.includes(selected.code));
        }
        return this.codingValues(values).some((coding) =>
          filter.selectedConcepts.some(
            (selected) =>
              this.catalog.normalizeSystem(selected.system) === coding.system && selected.code === coding.code,
          ),
        );
      case 'quantity-comparator':
      case 'quantity-range': {
        const value = quantityIn(values[0], filter.unit?.code);
        if (value === null) {
          return false;
        }
        return filter.type === 'quantity-range'
          ? filter.minValue <= value && value <= filter.maxValue
          : compare(value, filter.comparator, filter.value);
      }
      case 'reference':
        return false;
    }
  }

  /** Age filters hold only if they hold for every day a (possibly partial) birth date could be. */
  private ageMatches(filter: ValueFilter, birthDate: unknown): boolean {
    const range = typeof birthDate === 'string' ? parseFhirDate(birthDate) : null;
    const unit = ageUnitOf(filter);
    if (range === null || unit === null || filter.type === 'concept') {
      return false;
    }
    for (let day = range.start; day <= range.end; day++) {
      const age = completedAge(day, this.today, unit);
      const holds =
        filter.type === 'quantity-range'
          ? filter.minValue <= age && age <= filter.maxValue
          : compare(age, filter.comparator, filter.value);
      if (!holds) {
        return false;
      }
    }
    return true;
  }

  private attributeFilterMatches(
    entry: CriterionMapping,
    filter: AttributeFilter,
    resource: FhirResource,
    patient: string | null,
  ): boolean {
    const mapping = attributeMappingFor(entry, filter)!;
    const values = this.evaluate(mapping.path, resource, entry.resourceType);
    if (mapping.type !== 'reference') {
      return this.filterHolds(mapping.type, filter, values);
    }
    if (filter.type !== 'reference') {
      return false;
    }
    return values.some((value) => {
      const target = this.resolveReference(value, mapping.targetResourceType);
      return (
        target !== undefined &&
        filter.criteria.some((nested) =>
          this.referencedResourceMatches(nested, target, mapping.samePatient ? patient : undefined),
        )
      );
    });
  }

  /** A nested criterion evaluated on one referenced resource; `owner` set means it must belong to that patient. */
  private referencedResourceMatches(
    nested: ReferencedCriterion,
    target: FhirResource,
    owner: string | null | undefined,
  ): boolean {
    const resolved = this.resolveTermCodes(nested);
    return (resolved ?? []).some((termCode) => {
      if (termCode.entry.resourceType !== target.resourceType) {
        return false;
      }
      const targetPatient = this.patientOf(termCode.entry, target);
      // A resource without a patient link is not part of the data, not even as a reference target.
      if (targetPatient === null || (owner !== undefined && targetPatient !== owner)) {
        return false;
      }
      return this.resourceMatches(termCode, nested, target, targetPatient);
    });
  }

  private timeMatches(
    entry: CriterionMapping,
    restriction: NonNullable<Criterion['timeRestriction']>,
    resource: FhirResource,
  ): boolean {
    const range = toDayRange(this.evaluate(entry.time!, resource, entry.resourceType)[0]);
    if (range === null) {
      return false;
    }
    const after = restriction.afterDate === undefined ? MIN_DAY : parseIsoDay(restriction.afterDate);
    const before = restriction.beforeDate === undefined ? MAX_DAY : parseIsoDay(restriction.beforeDate);
    return overlaps(range, after, before);
  }

  /** The resource a `Type/id` reference names, if it is of the expected type and present in the data. */
  private resolveReference(value: unknown, expectedType: string): FhirResource | undefined {
    const reference = parseReference(value);
    if (reference === null || reference[0] !== expectedType) {
      return undefined;
    }
    return this.byTypeAndId.get(`${reference[0]}/${reference[1]}`);
  }

  /** Coding-shaped values with their system normalised; anything without a string code is skipped. */
  private codingValues(values: unknown[]): Coding[] {
    const codings: Coding[] = [];
    for (const value of values) {
      if (typeof value === 'object' && value !== null) {
        const { system, code } = value as { system?: unknown; code?: unknown };
        if (typeof code === 'string') {
          codings.push({ system: this.catalog.normalizeSystem(typeof system === 'string' ? system : ''), code });
        }
      }
    }
    return codings;
  }

  /** FHIRPath through fhirpath.js; each expression runs once per resource, since criteria share paths. */
  private evaluate(expression: string, resource: FhirResource, resourceType = resource.resourceType): unknown[] {
    const key = `${resourceType}\u0000${expression}`;
    let results = this.results.get(resource);
    if (results === undefined) {
      results = new Map();
      this.results.set(resource, results);
    }
    const cached = results.get(key);
    if (cached !== undefined) {
      return cached;
    }
    let path = this.paths.get(key);
    if (path === undefined) {
      path = compileWithFhirPath(expression, resourceType);
      this.paths.set(key, path);
    }
    const values = path.evaluate(resource);
    results.set(key, values);
    return values;
  }
}

/** Whether the entry cannot evaluate some part of the criterion (value filter, unit, attribute or time). */
function hasIssue(entry: CriterionMapping, criterion: AnyCriterion): boolean {
  const filter = criterion.valueFilter;
  if (filter !== undefined) {
    const mapping = valueMappingFor(entry, filter);
    if (mapping === undefined) {
      return true;
    }
    if (mapping.type === 'age' && ageUnitOf(filter) === null) {
      return true;
    }
  }
  if ((criterion.attributeFilters ?? []).some((f: AttributeFilter) => attributeMappingFor(entry, f) === undefined)) {
    return true;
  }
  return criterion.timeRestriction !== undefined && entry.time === undefined;
}

/** The entry's value of the kind the filter reads: concept-like for concept filters, quantity-like otherwise. */
function valueMappingFor(entry: CriterionMapping, filter: ValueFilter): ValueMapping | undefined {
  const kinds = filter.type === 'concept' ? ['concept', 'code'] : ['quantity', 'age'];
  return (entry.values ?? []).find((value) => kinds.includes(value.type));
}

/** The entry's attribute with the filter's key, provided its type can serve the filter. */
function attributeMappingFor(entry: CriterionMapping, filter: AttributeFilter): AttributeMapping | undefined {
  const kinds =
    filter.type === 'concept' ? ['concept', 'code'] : filter.type === 'reference' ? ['reference'] : ['quantity'];
  return (entry.attributes ?? []).find(
    (attribute) =>
      attribute.key.system === filter.attributeCode.system &&
      attribute.key.code === filter.attributeCode.code &&
      kinds.includes(attribute.type),
  );
}

/** A bare code string or the code of a Coding. */
function codeOf(value: unknown): string | null {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  }
  return null;
}

/** The number of a Quantity, converted into `targetUnit` when given; null when missing or unconvertible. */
function quantityIn(quantity: unknown, targetUnit: string | undefined): number | null {
  if (typeof quantity !== 'object' || quantity === null) {
    return null;
  }
  const { value, code, unit } = quantity as { value?: unknown; code?: unknown; unit?: unknown };
  if (typeof value !== 'number') {
    return null;
  }
  if (targetUnit === undefined) {
    return value;
  }
  const from = typeof code === 'string' ? code : typeof unit === 'string' ? unit : undefined;
  const convert = from === undefined ? null : unitConverter(from, targetUnit);
  if (convert === null) {
    return null;
  }
  const converted = convert(value);
  return Number.isNaN(converted) ? null : converted;
}

function compare(value: number, comparator: Comparator, target: number): boolean {
  switch (comparator) {
    case 'gt':
      return value > target;
    case 'ge':
      return value >= target;
    case 'lt':
      return value < target;
    case 'le':
      return value <= target;
    case 'eq':
      return value === target;
    case 'ne':
      return value !== target;
  }
}
