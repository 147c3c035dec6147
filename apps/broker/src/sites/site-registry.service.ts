import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HeartbeatPayload, SiteId, SiteState } from '@fq/contracts';
import { CLOCK, type Clock } from '../clock';
import { BROKER_CONFIG, type BrokerConfig, type RegisteredSite } from '../config/config.schema';

type LastHeartbeat = { payload: HeartbeatPayload; receivedAt: Date };

/** The registered sites (BROKER_SITES) and what their last heartbeats said. */
@Injectable()
export class SiteRegistryService {
  private readonly logger = new Logger('SiteRegistry');
  private readonly heartbeats = new Map<SiteId, LastHeartbeat>();

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: Pick<BrokerConfig, 'sites' | 'siteOfflineSeconds'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Every registered site, in configuration order. */
  list(): readonly RegisteredSite[] {
    return this.config.sites;
  }

  /** Keeps the newest heartbeat per registered site; a heartbeat from an unknown site is logged and dropped. */
  recordHeartbeat(payload: HeartbeatPayload, receivedAt: Date): void {
    if (!this.config.sites.some((site) => site.id === payload.siteId)) {
      this.logger.warn({ message: 'heartbeat from an unregistered site', siteId: payload.siteId });
      return;
    }
    const previous = this.heartbeats.get(payload.siteId);
    if (previous === undefined || previous.receivedAt <= receivedAt) {
      this.heartbeats.set(payload.siteId, { payload, receivedAt });
    }
  }

  /**
   * The smallest criteria limit the registered sites advertised in their latest heartbeats (offline sites included:
   * a query waits for them in their queue), or null before any has sent one.
   */
  smallestAdvertisedMaxCriteria(): number | null {
    let smallest: number | null = null;
    for (const site of this.config.sites) {
      const limit = this.heartbeats.get(site.id)?.payload.maxCriteria;
      if (limit !== undefined && (smallest === null || limit < smallest)) {
        smallest = limit;
      }
    }
    return smallest;
  }

  /** Each site with whether it is online (a heartbeat within BROKER_SITE_OFFLINE_SECONDS) and its data freshness. */
  states(): SiteState[] {
    const now = this.clock.now().getTime();
    return this.config.sites.map((site) => {
      const last = this.heartbeats.get(site.id);
      return {
        id: site.id,
        name: site.name,
        online: last !== undefined && now - last.receivedAt.getTime() <= this.config.siteOfflineSeconds * 1000,
        lastHeartbeat: last?.receivedAt.toISOString() ?? null,
        dataFreshness: last?.payload.dataLoadedAt ?? null,
        dataRefreshedAt: last?.payload.dataRefreshedAt ?? null,
        dataSource: last?.payload.dataSource ?? null,
        dataAsOf: last?.payload.dataAsOf ?? null,
        agentVersion: last?.payload.agentVersion ?? null,
      };
    });
  }
}
