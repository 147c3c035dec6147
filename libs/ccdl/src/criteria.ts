import type { Criterion, ReferencedCriterion, StructuredQuery } from './ccdl.schema';

/** A criterion of a query with its JSON path, nested criteria of reference filters included. */
export interface LocatedCriterion {
  path: string;
  criterion: Criterion | ReferencedCriterion;
}

/**
 * Every criterion of a query in document order: inclusion, then exclusion (every OR alternative), each followed by the
 * criteria nested in its reference filters. The broker's and the sites' criteria limits count the same list.
 * @param root - where the query sits in the document: `$`, or `$.cohortDefinition` in a CRTDL document
 */
export function listCriteria(query: StructuredQuery, root = '$'): LocatedCriterion[] {
  const found: LocatedCriterion[] = [];
  const visit = (criterion: Criterion | ReferencedCriterion, path: string): void => {
    found.push({ path, criterion });
    (criterion.attributeFilters ?? []).forEach((filter, f) => {
      if (filter.type === 'reference') {
        filter.criteria.forEach((nested, n) => visit(nested, `${path}.attributeFilters[${f}].criteria[${n}]`));
      }
    });
  };
  const groups: Array<['inclusionCriteria' | 'exclusionCriteria', Criterion[][]]> = [
    ['inclusionCriteria', query.inclusionCriteria],
    ['exclusionCriteria', query.exclusionCriteria ?? []],
  ];
  for (const [name, list] of groups) {
    list.forEach((group, g) => group.forEach((criterion, c) => visit(criterion, `${root}.${name}[${g}][${c}]`)));
  }
  return found;
}
