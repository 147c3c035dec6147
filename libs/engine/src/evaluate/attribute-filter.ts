import type { AttributeFilter, PlainAttributeFilter } from '@fq/ccdl';
import { codeKey, type EntryLayout } from '../index/index-plan';
import type { CriterionMapping } from '../mapping/mapping.schema';
import type { CriterionDiagnostic, CriterionIssue } from './query-evaluation';
import { referenceCheck } from './reference-filter';
import { numberCondition, quantityCheck, quantityTest } from './row-checks';
import { conceptRows, hasRow, listedRowBits } from './row-sets';
import type { MatchPlanner, TableMatch } from './table-match';

/**
 * Adds the check of one attribute filter (a coded, quantity or reference attribute) to the match; an attribute the
 * entry does not map, or cannot filter as asked, becomes an issue.
 */
export function addAttributeFilter(
  planner: MatchPlanner,
  match: TableMatch,
  entry: CriterionMapping,
  layout: EntryLayout,
  filter: AttributeFilter | PlainAttributeFilter,
  path: string,
  issues: CriterionIssue[],
  diagnostic: CriterionDiagnostic,
): void {
  const code = filter.attributeCode;
  const plan = layout.attributes.get(codeKey(code.system, code.code));
  if (plan === undefined) {
    issues.push({
      code: 'ENGINE_ATTRIBUTE_UNMAPPED',
      path: `${path}.attributeCode`,
      message: `attribute ${code.system}|${code.code} is not mapped for this criterion`,
    });
    return;
  }
  const slot = match.table.slots[plan.index];
  const mismatch = (): void => {
    issues.push({
      code: 'ENGINE_ATTRIBUTE_FILTER_UNSUPPORTED',
      path,
      message: `attribute ${code.code} cannot be filtered as ${filter.type}`,
    });
  };
  switch (filter.type) {
    case 'concept': {
      if (slot.kind !== 'concept' && slot.kind !== 'code') {
        return mismatch();
      }
      const listed = listedRowBits(
        match.table.rows,
        conceptRows(planner.index, slot.postings, slot.kind, filter.selectedConcepts),
      );
      match.checks.push((row) => hasRow(listed, row));
      return;
    }
    case 'quantity-comparator':
    case 'quantity-range':
      if (slot.kind !== 'quantity') {
        return mismatch();
      }
      match.checks.push(
        quantityCheck(
          slot.values,
          slot.units,
          quantityTest(planner.index.units, filter.unit?.code, numberCondition(filter)),
        ),
      );
      return;
    case 'reference': {
      const mapping = entry.attributes?.find((a) => a.key.system === code.system && a.key.code === code.code);
      if (slot.kind !== 'reference' || mapping?.type !== 'reference') {
        return mismatch();
      }
      match.checks.push(
        referenceCheck(planner, match.table, slot, mapping.samePatient, filter.criteria, path, diagnostic),
      );
      return;
    }
  }
}
