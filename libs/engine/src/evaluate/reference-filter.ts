import type { ReferencedCriterion } from '@fq/ccdl';
import type { FinalSlot, FinalTable } from '../index/patient-index';
import type { CriterionDiagnostic } from './query-evaluation';
import type { RowCheck } from './row-checks';
import { matchingRowBits } from './row-scans';
import { hasRow } from './row-sets';
import type { MatchPlanner } from './table-match';

/** A row passes when one of its references points to a resource that satisfies one of the nested criteria. */
export function referenceCheck(
  planner: MatchPlanner,
  table: FinalTable,
  slot: Extract<FinalSlot, { kind: 'reference' }>,
  samePatient: boolean,
  criteria: readonly ReferencedCriterion[],
  path: string,
  diagnostic: CriterionDiagnostic,
): RowCheck {
  const targets: Array<{ table: FinalTable; keyToRow: Int32Array; matching: Uint32Array }> = [];
  criteria.forEach((nested, i) => {
    for (const match of planner.criterionMatches(nested, `${path}.criteria[${i}]`, diagnostic)) {
      const keyToRow = match.table.keyToRow;
      if (match.table.plan.resourceType !== slot.plan.targetResourceType || keyToRow === undefined) {
        continue;
      }
      targets.push({ table: match.table, keyToRow, matching: matchingRowBits(match) });
    }
  });
  const { offsets, targets: keys } = slot;
  return (row) => {
    for (let i = offsets[row]; i < offsets[row + 1]; i++) {
      for (const target of targets) {
        const targetRow = keys[i] < target.keyToRow.length ? target.keyToRow[keys[i]] : -1;
        if (
          targetRow !== -1 &&
          hasRow(target.matching, targetRow) &&
          (!samePatient || target.table.patient[targetRow] === table.patient[row])
        ) {
          return true;
        }
      }
    }
    return false;
  };
}
