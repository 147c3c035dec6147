import type { ValueFilter } from '@fq/ccdl';
import type { AgeUnit } from '../dates';
import type { EntryLayout } from '../index/index-plan';
import { ageCandidateRows } from './birth-orders';
import { registerRows } from './listed-columns';
import type { CriterionIssue } from './query-evaluation';
import { AGE_UNITS, ageBounds, ageBoundsCheck, numberCondition, quantityTest } from './row-checks';
import { conceptRows, hasRow, listedRowBits } from './row-sets';
import type { MatchPlanner, TableMatch } from './table-match';

/**
 * Narrows the match to rows whose value passes the filter: a coded value by its posted rows, a quantity by its value
 * and unit, an age by the birth-day range. A filter the entry cannot read becomes an issue.
 */
export function addValueFilter(
  planner: MatchPlanner,
  match: TableMatch,
  layout: EntryLayout,
  filter: ValueFilter,
  path: string,
  issues: CriterionIssue[],
): void {
  const plan = layout.values.get(filter.type === 'concept' ? 'concept' : 'quantity');
  const unsupported = (message: string): void => {
    issues.push({ code: 'ENGINE_VALUE_FILTER_UNSUPPORTED', path, message });
  };
  if (plan === undefined) {
    unsupported(`this criterion has no ${filter.type === 'concept' ? 'coded' : 'numeric'} value to filter on`);
    return;
  }
  const slot = match.table.slots[plan.index];
  if (filter.type === 'concept') {
    if (slot.kind !== 'concept' && slot.kind !== 'code') {
      unsupported('this criterion has no coded value to filter on');
      return;
    }
    const rows = conceptRows(planner.index, slot.postings, slot.kind, filter.selectedConcepts);
    if (match.sources === null) {
      // Reading only the rows with a selected value beats checking every row of the table.
      registerRows(slot.postings.rows, match.table.patient);
      match.sources = rows;
    } else {
      const listed = listedRowBits(match.table.rows, rows);
      match.checks.push((row) => hasRow(listed, row));
    }
    return;
  }
  const condition = numberCondition(filter);
  if (slot.kind === 'quantity') {
    match.quantity = {
      values: slot.values,
      units: slot.units,
      test: quantityTest(planner.index.units, filter.unit?.code, condition),
    };
    return;
  }
  if (slot.kind === 'age') {
    const unit = filter.unit?.code ?? 'a';
    if (!(AGE_UNITS as readonly string[]).includes(unit)) {
      issues.push({
        code: 'ENGINE_AGE_UNIT_UNSUPPORTED',
        path: `${path}.unit`,
        message: `age unit "${unit}" is not one of ${AGE_UNITS.join(', ')}`,
      });
      return;
    }
    const bounds = ageBounds(planner.today, unit as AgeUnit, condition);
    // An age over every patient reads only the rows whose birth days can pass, found in a birth-day order; with a
    // single bound those are exactly the passing rows and need no check.
    const candidates =
      match.sources === null ? ageCandidateRows(slot.start, slot.end, match.table.patient, bounds) : null;
    if (candidates !== null) {
      match.sources = [candidates.rows];
    }
    if (candidates === null || !candidates.exact) {
      match.checks.push(ageBoundsCheck(slot.start, slot.end, bounds));
    }
    return;
  }
  unsupported('this criterion has no numeric value to filter on');
}
