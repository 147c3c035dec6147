import type { TimeRestriction } from '@fq/ccdl';
import { MAX_DAY, MIN_DAY, parseIsoDay } from '../dates';
import type { CriterionMapping } from '../mapping/mapping.schema';
import type { CriterionIssue } from './query-evaluation';
import type { TableMatch } from './table-match';

/**
 * Sets the match's time window from the restriction (inclusive; a missing end is open); an entry without a clinical
 * time becomes an issue.
 */
export function addTimeRestriction(
  match: TableMatch,
  entry: CriterionMapping,
  restriction: TimeRestriction,
  path: string,
  issues: CriterionIssue[],
): void {
  const { timeStart, timeEnd } = match.table;
  if (entry.time === undefined || timeStart === undefined || timeEnd === undefined) {
    issues.push({
      code: 'ENGINE_TIME_RESTRICTION_UNSUPPORTED',
      path,
      message: `${entry.name ?? entry.context.code} has no clinical time to restrict`,
    });
    return;
  }
  const after = restriction.afterDate === undefined ? MIN_DAY : parseIsoDay(restriction.afterDate);
  const before = restriction.beforeDate === undefined ? MAX_DAY : parseIsoDay(restriction.beforeDate);
  match.window = { start: timeStart, end: timeEnd, after, before };
}
