import type { BudgetReport } from '@fq/contracts';
import type { BudgetStanding } from '@fq/privacy';

const HOUR_MS = 3_600_000;

/**
 * A budget time as it may leave the site: rounded up to the full hour (UTC). A charge's exact time is when this site
 * answered some earlier query; published, it would tell which per-query pseudonym was this site (its report time in
 * the query's events), so only the hour leaves. Rounding up keeps "exhausted until" true.
 */
export function publicBudgetTime(at: Date): string {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS).toISOString();
}

/** What a result tells the researcher of their budget at this site. */
export function toBudgetReport(standing: BudgetStanding): BudgetReport {
  return {
    remaining: standing.remaining,
    limit: standing.limit,
    windowDays: standing.windowDays,
    resetsAt: standing.resetsAt === null ? null : publicBudgetTime(standing.resetsAt),
  };
}
