import { createHash } from 'node:crypto';
import type {
  AttributeFilter,
  Criterion,
  PlainAttributeFilter,
  ReferencedCriterion,
  StructuredQuery,
  TermCode,
  TimeRestriction,
  Unit,
  ValueFilter,
} from './ccdl.schema';
import type {
  CanonicalAttributeFilter,
  CanonicalCriterion,
  CanonicalPlainAttributeFilter,
  CanonicalQuery,
  CanonicalReferencedCriterion,
  CanonicalTermCode,
  CanonicalTimeRestriction,
  CanonicalUnit,
  CanonicalValueFilter,
} from './canonical.schema';
import { isRecord } from './is-record';

/** Reduces a query to what changes its answer, with every (order-free) array sorted and de-duplicated. */
export function canonicalizeQuery(q: StructuredQuery): CanonicalQuery {
  const canonical: CanonicalQuery = { inclusionCriteria: canonicalizeGroups(q.inclusionCriteria) };
  if (q.exclusionCriteria !== undefined) {
    canonical.exclusionCriteria = canonicalizeGroups(q.exclusionCriteria);
  }
  return canonical;
}

/** Serialises a canonical query as JSON with sorted keys and no whitespace; equal queries give equal text. */
export function serializeCanonicalQuery(q: CanonicalQuery): string {
  return canonicalJson(q);
}

/** Lowercase hex SHA-256 of the canonical serialisation; it keys the site's privacy noise, so junk must not move it. */
export function hashQuery(q: StructuredQuery): string {
  return createHash('sha256')
    .update(serializeCanonicalQuery(canonicalizeQuery(q)), 'utf8')
    .digest('hex');
}

// Both the outer and the inner arrays are sets: AND of ORs (inclusion) and OR of ANDs (exclusion).
function canonicalizeGroups(groups: readonly (readonly Criterion[])[]): CanonicalCriterion[][] {
  return sortUnique(groups.map((group) => sortUnique(group.map(canonicalizeCriterion))));
}

function canonicalizeCriterion(criterion: Criterion): CanonicalCriterion {
  const canonical: CanonicalCriterion = canonicalizeCriterionCore(criterion);
  if (criterion.attributeFilters !== undefined && criterion.attributeFilters.length > 0) {
    canonical.attributeFilters = sortUnique(criterion.attributeFilters.map(canonicalizeAttributeFilter));
  }
  return canonical;
}

function canonicalizeReferencedCriterion(criterion: ReferencedCriterion): CanonicalReferencedCriterion {
  const canonical: CanonicalReferencedCriterion = canonicalizeCriterionCore(criterion);
  if (criterion.attributeFilters !== undefined && criterion.attributeFilters.length > 0) {
    canonical.attributeFilters = sortUnique(criterion.attributeFilters.map(canonicalizePlainAttributeFilter));
  }
  return canonical;
}

/** The parts a criterion and a referenced criterion share. */
function canonicalizeCriterionCore(criterion: Criterion | ReferencedCriterion): CanonicalReferencedCriterion {
  const canonical: CanonicalReferencedCriterion = {
    termCodes: sortUnique(criterion.termCodes.map(canonicalizeTermCode)),
  };
  if (criterion.context !== undefined) {
    canonical.context = canonicalizeTermCode(criterion.context);
  }
  if (criterion.valueFilter !== undefined) {
    canonical.valueFilter = canonicalizeValueFilter(criterion.valueFilter);
  }
  if (criterion.timeRestriction !== undefined) {
    canonical.timeRestriction = canonicalizeTimeRestriction(criterion.timeRestriction);
  }
  return canonical;
}

function canonicalizeAttributeFilter(filter: AttributeFilter): CanonicalAttributeFilter {
  if (filter.type === 'reference') {
    return {
      type: 'reference',
      attributeCode: canonicalizeTermCode(filter.attributeCode),
      criteria: sortUnique(filter.criteria.map(canonicalizeReferencedCriterion)),
    };
  }
  return canonicalizePlainAttributeFilter(filter);
}

function canonicalizePlainAttributeFilter(filter: PlainAttributeFilter): CanonicalPlainAttributeFilter {
  return { attributeCode: canonicalizeTermCode(filter.attributeCode), ...canonicalizeValueFilter(filter) };
}

function canonicalizeValueFilter(filter: ValueFilter): CanonicalValueFilter {
  switch (filter.type) {
    case 'concept':
      return { type: filter.type, selectedConcepts: sortUnique(filter.selectedConcepts.map(canonicalizeTermCode)) };
    case 'quantity-comparator':
      return withUnit({ type: filter.type, comparator: filter.comparator, value: filter.value }, filter.unit);
    case 'quantity-range':
      return withUnit({ type: filter.type, minValue: filter.minValue, maxValue: filter.maxValue }, filter.unit);
  }
}

function withUnit<T extends object>(filter: T, unit: Unit | undefined): T & { unit?: CanonicalUnit } {
  return unit === undefined ? filter : { ...filter, unit: { code: unit.code } };
}

// version and display are informative only: two codings with the same system and code are the same concept.
function canonicalizeTermCode(termCode: TermCode): CanonicalTermCode {
  return { system: termCode.system, code: termCode.code };
}

function canonicalizeTimeRestriction(restriction: TimeRestriction): CanonicalTimeRestriction {
  const canonical: CanonicalTimeRestriction = {};
  if (restriction.afterDate !== undefined) {
    canonical.afterDate = restriction.afterDate;
  }
  if (restriction.beforeDate !== undefined) {
    canonical.beforeDate = restriction.beforeDate;
  }
  return canonical;
}

/** Sorts by canonical JSON and drops duplicates, so order and repetition of set members cannot change the hash. */
function sortUnique<T>(items: readonly T[]): T[] {
  const byJson = new Map<string, T>();
  for (const item of items) {
    byJson.set(canonicalJson(item), item);
  }
  // Code-unit order, not localeCompare: the hash must not depend on the process's locale.
  return [...byJson].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
