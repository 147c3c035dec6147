import { Inject, Injectable } from '@nestjs/common';
import type { SiteBudget } from '@fq/contracts';
import { CLOCK, type Clock } from '../clock';
import type { Caller } from '../identity/caller';
import { SiteRegistryService } from '../sites/site-registry.service';
import { SiteBudgetsRepository } from './site-budgets.repository';

// No site keeps a budget window longer than this (MAX_BUDGET_WINDOW_DAYS); older reports say nothing about today.
const OLDEST_REPORT_MS = 366 * 86_400_000;

/**
 * What researchers have left of each site's privacy budget: sites report it with their answers and budget refusals,
 * and `GET /api/v1/quota` shows each site's latest report from the caller's finished queries.
 */
@Injectable()
export class SiteBudgetsService {
  constructor(
    private readonly repository: SiteBudgetsRepository,
    private readonly sites: SiteRegistryService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The caller's budgets at the registered sites that reported one. Admins see them by site name; everyone else sees
   * them without names, fewest remaining first: a budget that moves with one site's answers, next to a result that
   * names sites by per-query pseudonyms, would otherwise tell which pseudonym is which hospital.
   */
  async list(caller: Caller): Promise<SiteBudget[]> {
    const names = new Map(this.sites.list().map((site) => [site.id, site.name]));
    const since = new Date(this.clock.now().getTime() - OLDEST_REPORT_MS).toISOString();
    const stored = await this.repository.latestFor(caller.id, new Set(names.keys()), since);
    const named = stored.flatMap(({ siteId, report, reportedAt }) => {
      const name = names.get(siteId);
      return name === undefined ? [] : [{ siteId, name, ...report, reportedAt }];
    });
    if (caller.role === 'admin') {
      return named.sort((a, b) => compareText(a.name, b.name));
    }
    return named
      .map(({ siteId: _siteId, name: _name, ...budget }) => budget)
      .sort(
        (a, b) => a.remaining - b.remaining || a.limit - b.limit || compareText(a.resetsAt ?? '', b.resetsAt ?? ''),
      );
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
