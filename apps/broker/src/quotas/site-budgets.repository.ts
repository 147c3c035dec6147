import { Inject, Injectable } from '@nestjs/common';
import type { BudgetReport } from '@fq/contracts';
import { BROKER_DATABASE, type BrokerDatabase } from '../persistence/broker-database';
import { budgetOf } from '../persistence/queries.repository';

/** A site's latest privacy-budget report to one researcher, from a finished query. */
export interface StoredSiteBudget {
  siteId: string;
  report: BudgetReport;
  /** When the query that carried it finished. */
  reportedAt: string;
}

// Rows are read newest first in pages until every site has its latest report.
const PAGE = 200;

/**
 * The privacy budgets sites reported to a researcher, read from the stored site results of the researcher's finished
 * queries. A running query's reports stay unread: the quota view changes only when a query finishes, so watching it
 * beside the query's events cannot tell which pseudonym is which site (docs/privacy.md, "Intermediate views").
 */
@Injectable()
export class SiteBudgetsRepository {
  constructor(@Inject(BROKER_DATABASE) private readonly db: BrokerDatabase) {}

  /**
   * Each site's latest report to the researcher among queries finished after `since` (older ones are outside any
   * budget window); `siteIds` are the sites to look for, the scan stops once each has one.
   */
  async latestFor(requesterId: string, siteIds: ReadonlySet<string>, since: string): Promise<StoredSiteBudget[]> {
    const latest = new Map<string, StoredSiteBudget>();
    for (let offset = 0; latest.size < siteIds.size; offset += PAGE) {
      const rows = await this.db
        .selectFrom('site_results')
        .innerJoin('queries', 'queries.id', 'site_results.query_id')
        .select([
          'site_results.site_id',
          'site_results.budget_remaining',
          'site_results.budget_limit',
          'site_results.budget_window_days',
          'site_results.budget_resets_at',
          'queries.finished_at',
        ])
        .where('queries.requester_id', '=', requesterId)
        .where('queries.status', '!=', 'running')
        .where('queries.finished_at', '>', since)
        .where('site_results.budget_limit', 'is not', null)
        .orderBy('queries.finished_at', 'desc')
        .orderBy('site_results.seq', 'desc')
        .limit(PAGE)
        .offset(offset)
        .execute();
      for (const row of rows) {
        const { budget } = budgetOf(row);
        if (budget !== undefined && row.finished_at !== null && siteIds.has(row.site_id) && !latest.has(row.site_id)) {
          latest.set(row.site_id, { siteId: row.site_id, report: budget, reportedAt: row.finished_at });
        }
      }
      if (rows.length < PAGE) {
        break;
      }
    }
    return [...latest.values()];
  }
}
