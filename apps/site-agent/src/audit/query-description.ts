import type {
  AttributeFilter,
  Criterion,
  ReferencedCriterion,
  StructuredQuery,
  TermCode,
  TimeRestriction,
  ValueFilter,
} from '@fq/ccdl';

/** Short names of the code systems an operator meets daily; others are shown as their URL. */
const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  'http://fhir.de/CodeSystem/bfarm/icd-10-gm': 'ICD-10-GM',
  'http://fhir.de/CodeSystem/dimdi/icd-10-gm': 'ICD-10-GM',
  'http://loinc.org': 'LOINC',
  'http://snomed.info/sct': 'SNOMED CT',
  'http://fhir.de/CodeSystem/bfarm/atc': 'ATC',
  'http://fhir.de/CodeSystem/dimdi/atc': 'ATC',
  'http://fhir.de/CodeSystem/bfarm/ops': 'OPS',
  'http://fhir.de/CodeSystem/dimdi/ops': 'OPS',
  'http://hl7.org/fhir/administrative-gender': 'gender',
  'http://unitsofmeasure.org': 'UCUM',
  'urn:oid:2.16.840.1.113883.3.1937.777.24.5.3': 'MII consent policy',
  'fdpg.consent.combined': 'MII consent',
};

const COMPARATORS: Readonly<Record<string, string>> = { gt: '>', ge: '≥', lt: '<', le: '≤', eq: '=', ne: '≠' };

/** A term code as `ICD-10-GM E11.9 "Diabetes mellitus, Typ 2"`: system, code and, where the query has it, display. */
export function describeTermCode(termCode: Pick<TermCode, 'system' | 'code' | 'display'>): string {
  const system = SYSTEM_NAMES[termCode.system] ?? termCode.system;
  const display = typeof termCode.display === 'string' && termCode.display !== '' ? ` "${termCode.display}"` : '';
  return `${system} ${termCode.code}${display}`;
}

function describeUnit(unit: { code: string } | undefined): string {
  return unit === undefined ? '' : ` ${unit.code}`;
}

/** A value filter in words: `value > 7 %`, `value 100–160 mg/dL`, `value is LOINC LA1-2 or …`. */
export function describeValueFilter(filter: ValueFilter | AttributeFilter, subject = 'value'): string {
  switch (filter.type) {
    case 'concept':
      return `${subject} is ${filter.selectedConcepts.map(describeTermCode).join(' or ')}`;
    case 'quantity-comparator':
      return `${subject} ${COMPARATORS[filter.comparator] ?? filter.comparator} ${filter.value}${describeUnit(filter.unit)}`;
    case 'quantity-range':
      return `${subject} ${filter.minValue}–${filter.maxValue}${describeUnit(filter.unit)}`;
    case 'reference':
      return `${subject} refers to ${filter.criteria.map(describeCriterion).join(' or ')}`;
  }
}

/** A time restriction in words: `between 2020-01-01 and 2024-12-31`, `from 2020-01-01`, `until 2024-12-31`. */
export function describeTimeRestriction(time: TimeRestriction): string {
  if (time.afterDate !== undefined && time.beforeDate !== undefined) {
    return `between ${time.afterDate} and ${time.beforeDate}`;
  }
  return time.afterDate !== undefined ? `from ${time.afterDate}` : `until ${time.beforeDate}`;
}

/**
 * One criterion in words: context, its term codes (alternatives), value filter, attribute filters and time
 * restriction, e.g. `Laboruntersuchung: LOINC 4548-4 "HbA1c"; value > 7 %; between 2020-01-01 and 2024-12-31`.
 */
export function describeCriterion(criterion: Criterion | ReferencedCriterion): string {
  const context = criterion.context === undefined ? '' : `${criterion.context.display ?? criterion.context.code}: `;
  const parts = [`${context}${criterion.termCodes.map(describeTermCode).join(' or ')}`];
  if (criterion.valueFilter !== undefined) {
    parts.push(describeValueFilter(criterion.valueFilter));
  }
  for (const attribute of criterion.attributeFilters ?? []) {
    parts.push(describeValueFilter(attribute, describeTermCode(attribute.attributeCode)));
  }
  if (criterion.timeRestriction !== undefined) {
    parts.push(describeTimeRestriction(criterion.timeRestriction));
  }
  return parts.join('; ');
}

/**
 * A query in words, one line per group: every inclusion group must hold (its criteria are alternatives), no
 * exclusion group may hold (its criteria must hold together).
 */
export function describeQuery(query: StructuredQuery): string[] {
  const lines: string[] = [];
  if (typeof query.display === 'string' && query.display !== '') {
    lines.push(`"${query.display}"`);
  }
  query.inclusionCriteria.forEach((group, g) => {
    lines.push(`${g === 0 ? 'include' : 'and'}: ${group.map(describeCriterion).join(' OR ')}`);
  });
  (query.exclusionCriteria ?? []).forEach((group, g) => {
    lines.push(`${g === 0 ? 'exclude' : 'or exclude'}: ${group.map(describeCriterion).join(' AND ')}`);
  });
  return lines;
}
