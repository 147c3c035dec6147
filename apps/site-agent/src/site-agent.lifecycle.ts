import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { siteQueryConsumerName } from '@fq/contracts';
import { ApprovalProcessingService } from './approvals/approval-processing.service';
import { AuditLogWriter } from './audit/audit-log.writer';
import { BudgetLedgerStore } from './budget/budget-ledger.store';
import { CLOCK, type Clock } from './clock';
import { SITE_AGENT_CONFIG } from './config/config.loader';
import type { SiteAgentConfig } from './config/config.schema';
import { ProcessedQueryStore } from './queries/processed-query.store';
import { SiteAgentStartError } from './site-agent.errors';
import {
  type ReloadOutcome,
  type ReloadTrigger,
  SiteDataService,
  type SiteDataSnapshot,
} from './site-data/site-data.service';
import { RefreshBackoff } from './site-data/refresh-backoff';
import { loadLogFields, loadWarnings } from './site-data/load-summary';
import { HeartbeatPublisher } from './transport/heartbeat.publisher';
import { NatsConnectionService } from './transport/nats-connection.service';
import { SiteQueriesServer } from './transport/site-queries.server';

/** How often held queries are checked for an operator's decision. */
export const APPROVAL_POLL_MS = 1000;

/** One line on where the data came from, for the audit log. */
function describeOrigin(snapshot: SiteDataSnapshot): string {
  const origin = snapshot.origin;
  if (origin === undefined) {
    return 'loaded';
  }
  const asOf = origin.asOf === null ? '' : ` as of ${origin.asOf}`;
  return `loaded from ${origin.source}${asOf}: ${snapshot.summary.resources} resources, ${snapshot.summary.indexed} indexed`;
}

/**
 * The start-up and shutdown order in one place. Start: the data (at bootstrap), then the transport connects and binds
 * the query consumer (`listen`), then heartbeats, the approval poll and the reload schedule (`ready`). Stop: the
 * transport finishes the queries in hand, then timers and heartbeats stop, NATS drains and the state files close.
 * Reloads (SIGHUP or schedule) swap the data without stopping the consumer.
 */
@Injectable()
export class SiteAgentLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SiteAgent');
  private timers: NodeJS.Timeout[] = [];
  private approvalRun: Promise<void> = Promise.resolve();
  private approvalBusy = false;
  private stopping: Promise<void> | null = null;
  private readonly backoff: RefreshBackoff;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly config: SiteAgentConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly siteData: SiteDataService,
    private readonly nats: NatsConnectionService,
    private readonly server: SiteQueriesServer,
    private readonly heartbeat: HeartbeatPublisher,
    private readonly approvals: ApprovalProcessingService,
    private readonly audit: AuditLogWriter,
    private readonly processed: ProcessedQueryStore,
    private readonly budget: BudgetLedgerStore,
  ) {
    this.backoff = new RefreshBackoff(config.refreshRetrySeconds);
  }

  /** Loads the data the agent starts with; without them it does not start. */
  async onApplicationBootstrap(): Promise<void> {
    const loaded = await this.siteData.loadInitial();
    if (!loaded.ok) {
      throw new SiteAgentStartError(loaded.error.code, loaded.error.message, { cause: loaded.error });
    }
    this.logData('site data loaded', loaded.value);
    await this.auditData('data-loaded', loaded.value.dataVersion, null, describeOrigin(loaded.value));
  }

  /**
   * Once the transport listens: starts heartbeats, the approval poll and the reload schedule, and gives the READY line;
   * null if the agent was stopped meanwhile.
   */
  ready(): string | null {
    const { config, heartbeat, logger } = this;
    if (this.stopping !== null || this.server.state !== 'consuming') {
      return null;
    }
    heartbeat.start();
    this.timers.push(setInterval(() => this.pollApprovals(), APPROVAL_POLL_MS));
    if (config.reloadIntervalSeconds > 0) {
      this.timers.push(setInterval(() => void this.reload('schedule'), config.reloadIntervalSeconds * 1000));
    }
    const incrementalSeconds = config.fhirSource?.incrementalSeconds ?? 0;
    if (incrementalSeconds > 0) {
      this.timers.push(setInterval(() => void this.reload('incremental'), incrementalSeconds * 1000));
    }
    logger.log({ message: 'site agent ready', siteId: config.siteId, approval: config.policy.approval });
    return (
      `READY site-agent ${config.siteId} consumer=${siteQueryConsumerName(config.siteId)} ` +
      `dataVersion=${this.siteData.current().dataVersion} approval=${config.policy.approval}`
    );
  }

  /** Re-reads the data in the background and swaps them in; queries keep being answered from the old data. */
  async reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const { logger } = this;
    if (trigger === 'signal') {
      logger.log({ message: 'reloading site data (signal)' });
    }
    const outcome = await this.siteData.reload(trigger);
    switch (outcome.kind) {
      case 'reloaded':
        this.refreshSucceeded();
        this.logData('site data reloaded', outcome.snapshot, outcome.previous.dataVersion);
        await this.auditData('data-loaded', outcome.snapshot.dataVersion, null, describeOrigin(outcome.snapshot));
        if (this.stopping === null) {
          // Tell the broker about the new data version right away rather than at the next beat.
          void this.heartbeat.publishOnce();
        }
        break;
      case 'unchanged':
        this.refreshSucceeded();
        logger.log({
          message: 'site data unchanged',
          trigger,
          dataVersion: outcome.snapshot.dataVersion,
          ...(outcome.snapshot.origin?.asOf ? { asOf: outcome.snapshot.origin.asOf } : {}),
        });
        break;
      case 'failed': {
        const retryInSeconds = this.scheduleRetry(trigger);
        logger.error({
          message: 'reload failed; still answering from the previous data',
          code: outcome.error.code,
          reason: outcome.error.message,
          dataVersion: outcome.snapshot.dataVersion,
          ...(retryInSeconds === null ? {} : { retryInSeconds }),
        });
        await this.auditData(
          'data-refresh-failed',
          outcome.snapshot.dataVersion,
          outcome.error.code,
          outcome.error.message,
        );
        break;
      }
    }
    return outcome;
  }

  private refreshSucceeded(): void {
    this.backoff.succeeded();
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }

  /** Schedules one retry of a failed refresh with exponential backoff; the seconds until it, or null when stopping. */
  private scheduleRetry(trigger: ReloadTrigger): number | null {
    if (this.stopping !== null) {
      return null;
    }
    const seconds = this.backoff.failed();
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reload(trigger);
    }, seconds * 1000);
    return seconds;
  }

  /** A data record in the audit log; a failure to write it is logged, never thrown (the data are loaded either way). */
  private async auditData(
    decision: 'data-loaded' | 'data-refresh-failed',
    dataVersion: string,
    code: string | null,
    reason: string,
  ): Promise<void> {
    try {
      await this.audit.append({
        time: this.clock.now().toISOString(),
        decision,
        queryId: null,
        queryHash: null,
        requester: null,
        code,
        reason: reason.length > 2000 ? `${reason.slice(0, 1999)}…` : reason,
        protectedResult: null,
        dataVersion,
        envelopeId: null,
      });
    } catch (error) {
      this.logger.error({ message: 'cannot write the data record to the audit log', error: String(error) });
    }
  }

  /** Stops timers and heartbeats, waits for an approval pass, drains NATS and closes the state files; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private async shutdown(): Promise<void> {
    const { heartbeat, nats, audit, processed, budget, logger } = this;
    for (const timer of this.timers) {
      clearInterval(timer);
    }
    this.timers = [];
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    heartbeat.stop();
    // Nest closed the transport before this hook: the queries in hand are done.
    await this.approvalRun;
    await nats.close();
    await audit.close();
    await processed.close();
    await budget.close();
    logger.log({ message: 'site agent stopped' });
  }

  private pollApprovals(): void {
    if (this.approvalBusy) {
      return;
    }
    this.approvalBusy = true;
    this.approvalRun = this.approvals
      .processApprovals()
      .catch((error: unknown) => {
        this.logger.error({
          message: 'processing approvals failed; retrying in a second',
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        this.approvalBusy = false;
      });
  }

  private logData(message: string, snapshot: SiteDataSnapshot, previousVersion?: string): void {
    const { summary } = snapshot;
    // Every resource read is accounted for: per type, indexed or why not (load-summary.ts).
    this.logger.log({
      message,
      dataVersion: snapshot.dataVersion,
      ...(previousVersion === undefined ? {} : { previousDataVersion: previousVersion }),
      ...loadLogFields(summary),
      durationMs: Math.round(summary.durationMs),
    });
    for (const warning of loadWarnings(summary)) {
      this.logger.warn({ message: 'site data warning', detail: warning });
    }
    for (const sample of summary.errorSamples.slice(0, 10)) {
      this.logger.warn({
        message: 'input problem',
        code: sample.code,
        file: sample.file,
        line: sample.line,
        detail: sample.message,
      });
    }
  }
}
