import { err, ok, type Result } from '@fq/result';
import { type BudgetEntry, BudgetPolicy, type BudgetStanding, type CohortCharge } from './budget.schema';
import { PrivacyPolicyError } from './errors';
import { toPrivacyIssues } from './policy';

const DAY_MS = 86_400_000;

/** Validates a budget policy (site configuration), filling defaults and listing every issue; never throws. */
export function parseBudgetPolicy(input: unknown): Result<BudgetPolicy, PrivacyPolicyError> {
  const result = BudgetPolicy.safeParse(input, { reportInput: true });
  if (result.success) {
    return ok(result.data);
  }
  return err(new PrivacyPolicyError(toPrivacyIssues(result.error.issues), { cause: result.error }));
}

/** The window of a policy in milliseconds; an entry counts while `at + window > now`. */
export function budgetWindowMs(policy: BudgetPolicy): number {
  return policy.windowDays * DAY_MS;
}

/**
 * Decides what answering `cohortKey` for one pseudonym costs at `now`, given that pseudonym's ledger `entries`
 * (any order; entries outside the rolling window are ignored). Pure: the caller records a charge.
 */
export function decideCohortCharge(input: {
  entries: readonly BudgetEntry[];
  cohortKey: string;
  now: Date;
  policy: BudgetPolicy;
}): CohortCharge {
  const { cohortKey, now, policy } = input;
  const latest = latestInWindow(input.entries, now, policy);
  if (latest.has(cohortKey)) {
    return { kind: 'known', standing: standingOf(latest, now, policy) };
  }
  if (latest.size < policy.cohorts) {
    latest.set(cohortKey, now.getTime());
    return { kind: 'charged', standing: standingOf(latest, now, policy) };
  }
  const standing = standingOf(latest, now, policy);
  // standingOf puts resetsAt at the moment the budget has room again when none is left.
  return { kind: 'exhausted', until: standing.resetsAt ?? now, standing };
}

/** Where one pseudonym's budget stands at `now`, given its ledger entries. */
export function budgetStanding(entries: readonly BudgetEntry[], now: Date, policy: BudgetPolicy): BudgetStanding {
  return standingOf(latestInWindow(entries, now, policy), now, policy);
}

/** Each cohort answered within the window, with the time of its latest entry (it leaves the window with that one). */
function latestInWindow(entries: readonly BudgetEntry[], now: Date, policy: BudgetPolicy): Map<string, number> {
  const windowStart = now.getTime() - budgetWindowMs(policy);
  const latest = new Map<string, number>();
  for (const entry of entries) {
    const at = entry.at.getTime();
    if (at > windowStart && at > (latest.get(entry.cohortKey) ?? Number.NEGATIVE_INFINITY)) {
      latest.set(entry.cohortKey, at);
    }
  }
  return latest;
}

function standingOf(latest: ReadonlyMap<string, number>, now: Date, policy: BudgetPolicy): BudgetStanding {
  const used = latest.size;
  const remaining = Math.max(0, policy.cohorts - used);
  const base = { limit: policy.cohorts, windowDays: policy.windowDays, used, remaining };
  if (used === 0) {
    return { ...base, resetsAt: null };
  }
  const times = [...latest.values()].sort((a, b) => a - b);
  // With room left, the next expiry gives one more; without, as many must expire as the budget is overdrawn, plus one.
  const expiring = remaining > 0 ? 0 : used - policy.cohorts;
  return { ...base, resetsAt: new Date(times[expiring] + budgetWindowMs(policy)) };
}
