import { z } from 'zod';

/** Largest number of distinct cohorts per window a budget may allow. */
export const MAX_BUDGET_COHORTS = 1_000_000;
/** Longest window a budget may roll over, in days. */
export const MAX_BUDGET_WINDOW_DAYS = 366;

/**
 * How many distinct new cohorts one researcher pseudonym may have answered at a site per rolling window; a cohort
 * answered within the window costs nothing again. Defaults and their argument: docs/privacy.md, "Privacy budget".
 */
export const BudgetPolicy = z.strictObject({
  /** Distinct cohorts per window; there is no "off": a site always keeps a budget (DESIGN.md, invariant 2). */
  cohorts: z.int().min(1).max(MAX_BUDGET_COHORTS).default(50),
  /** Length of the rolling window in days of 24 hours. */
  windowDays: z.int().min(1).max(MAX_BUDGET_WINDOW_DAYS).default(7),
});
export type BudgetPolicy = z.infer<typeof BudgetPolicy>;
export type BudgetPolicyInput = z.input<typeof BudgetPolicy>;

/** The documented default: 50 distinct cohorts per 7 days, the broker's weekly hard quota of queries. */
export const DEFAULT_BUDGET_POLICY: BudgetPolicy = Object.freeze({ cohorts: 50, windowDays: 7 });

/** One cohort a site answered for a pseudonym, and when. */
export interface BudgetEntry {
  cohortKey: string;
  at: Date;
}

/** Where one pseudonym's budget stands at a moment. */
export interface BudgetStanding {
  limit: number;
  windowDays: number;
  /** Distinct cohorts answered within the window. */
  used: number;
  remaining: number;
  /** When `remaining` next grows (the next entry leaves the window); null while nothing is spent. */
  resetsAt: Date | null;
}

/**
 * What answering a cohort costs: nothing (answered within the window), one unit (a new cohort; `standing` is after the
 * charge), or impossible until `until` (the budget is spent; then enough entries have left the window for one more).
 */
export type CohortCharge =
  | { kind: 'known'; standing: BudgetStanding }
  | { kind: 'charged'; standing: BudgetStanding }
  | { kind: 'exhausted'; until: Date; standing: BudgetStanding };
