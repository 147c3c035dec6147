import { Injectable } from '@nestjs/common';
import { BudgetReport, type SiteBudget } from '@fq/contracts';
import type { Caller } from '../identity/caller';
import { SiteRegistryService } from '../sites/site-registry.service';
import { SiteBudgetsRepository } from './site-budgets.repository';

/**
 * What researchers have left of each site's privacy budget: every site reports it with its answers and budget
 * refusals; the broker keeps the latest report per researcher and site and shows it in `GET /api/v1/quota`.
 */
@Injectable()
export class SiteBudgetsService {
  constructor(
    private readonly repository: SiteBudgetsRepository,
    private readonly sites: SiteRegistryService,
  ) {}

  /** Keeps a site's report to the researcher, received at `receivedAt`; a report that is not valid is ignored. */
  async record(requesterId: string, siteId: string, report: unknown, receivedAt: Date): Promise<void> {
    const parsed = BudgetReport.safeParse(report);
    if (parsed.success) {
      await this.repository.record(requesterId, siteId, parsed.data, receivedAt.toISOString());
    }
  }

  /** The caller's budgets at the registered sites that reported one, by site name. */
  async list(caller: Caller): Promise<SiteBudget[]> {
    const names = new Map(this.sites.list().map((site) => [site.id, site.name]));
    const stored = await this.repository.listFor(caller.id);
    return stored
      .flatMap(({ siteId, report, reportedAt }) => {
        const name = names.get(siteId);
        return name === undefined ? [] : [{ siteId, name, ...report, reportedAt }];
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
