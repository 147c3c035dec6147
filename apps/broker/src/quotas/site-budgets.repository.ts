import { Inject, Injectable } from '@nestjs/common';
import type { BudgetReport } from '@fq/contracts';
import { BROKER_DATABASE, type BrokerDatabase } from '../persistence/broker-database';

/** A site's latest privacy-budget report to one researcher. */
export interface StoredSiteBudget {
  siteId: string;
  report: BudgetReport;
  reportedAt: string;
}

/** The latest privacy-budget report of each site to each researcher (by the broker's own researcher id). */
@Injectable()
export class SiteBudgetsRepository {
  constructor(@Inject(BROKER_DATABASE) private readonly db: BrokerDatabase) {}

  /** Keeps `report` unless the site's report already kept for the researcher was received later. */
  async record(requesterId: string, siteId: string, report: BudgetReport, reportedAt: string): Promise<void> {
    const row = {
      remaining: report.remaining,
      budget_limit: report.limit,
      window_days: report.windowDays,
      resets_at: report.resetsAt,
      reported_at: reportedAt,
    };
    await this.db
      .insertInto('site_budgets')
      .values({ requester_id: requesterId, site_id: siteId, ...row })
      .onConflict((oc) =>
        oc
          .columns(['requester_id', 'site_id'])
          .doUpdateSet(row)
          // Results of different queries may arrive out of order; an older report must not overwrite a newer one.
          .where('site_budgets.reported_at', '<=', reportedAt),
      )
      .execute();
  }

  /** Every site's latest report to the researcher. */
  async listFor(requesterId: string): Promise<StoredSiteBudget[]> {
    const rows = await this.db
      .selectFrom('site_budgets')
      .selectAll()
      .where('requester_id', '=', requesterId)
      .orderBy('site_id', 'asc')
      .execute();
    return rows.map((row) => ({
      siteId: row.site_id,
      report: {
        // PostgreSQL and SQLite both return these integers as numbers.
        remaining: Number(row.remaining),
        limit: Number(row.budget_limit),
        windowDays: Number(row.window_days),
        resetsAt: row.resets_at,
      },
      reportedAt: row.reported_at,
    }));
  }
}
