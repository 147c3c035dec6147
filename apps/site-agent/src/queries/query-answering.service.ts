import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ProtectedResult, QueryEnvelope } from '@fq/contracts';
import { type CohortCount, countCohort } from '@fq/engine';
import type { CohortCharge } from '@fq/privacy';
import { BudgetLedgerStore } from '../budget/budget-ledger.store';
import { publicBudgetTime, toBudgetReport } from '../budget/budget-report';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { CountProtectionService } from '../protection/count-protection.service';
import { SiteDataService } from '../site-data/site-data.service';
import type { Settlement } from '@fq/jetstream-transport';
import { type Delivery, QueryOutcomeService } from './query-outcome.service';
import { SiteResultCode } from './site-result-code';

/**
 * Answers an admitted query: evaluate → privacy budget → protect, then hands the result to `QueryOutcomeService`
 * (audit, publish, record). The exact count lives only inside `answer`; it reaches neither the audit log, nor a log
 * line, nor the result envelope.
 */
@Injectable()
export class QueryAnsweringService {
  private readonly logger = new Logger(QueryAnsweringService.name);

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly config: Pick<SiteAgentConfig, 'siteId' | 'evaluationDate'>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly siteData: SiteDataService,
    private readonly protection: CountProtectionService,
    private readonly budget: BudgetLedgerStore,
    private readonly outcome: QueryOutcomeService,
  ) {}

  /** Evaluates, protects and answers; the only place an exact count exists. `note` goes to the audit line. */
  async answer(envelope: QueryEnvelope, note: string | null, delivery: Delivery): Promise<Settlement> {
    const { siteId } = this.config;
    const { queryId, queryHash, query } = envelope.payload;
    const snapshot = this.siteData.current();
    const evaluationDate = this.config.evaluationDate ?? this.clock.now().toISOString().slice(0, 10);
    let cohort: CohortCount;
    try {
      cohort = countCohort(snapshot.index, query, { evaluationDate });
    } catch (error) {
      this.logger.error({ message: 'evaluation failed', queryId, error: describeError(error) });
      return this.outcome.publish(
        envelope,
        {
          status: 'failed',
          queryId,
          siteId,
          code: SiteResultCode.EvaluationFailed,
          reason: 'the site could not evaluate this query',
        },
        delivery,
      );
    }
    const charge = await this.chargeBudget(envelope, cohort.cohortKey);
    if (charge === null) {
      return 'retry';
    }
    const budget = { charge: charge.kind, report: toBudgetReport(charge.standing) };
    if (charge.kind === 'exhausted') {
      return this.outcome.refuse(
        envelope,
        {
          code: SiteResultCode.PrivacyBudgetExhausted,
          reason: `privacy budget at this site exhausted until ${publicBudgetTime(charge.until)}`,
        },
        delivery,
        budget,
      );
    }
    let result: ProtectedResult;
    try {
      // Keyed by the cohort alone: a rephrased query, another day or a data refresh that selects the same patients
      // gets the same answer; any change in the cohort draws an unrelated one.
      result = this.protection.protect(cohort.rawCount, cohort.cohortKey);
    } catch (error) {
      this.logger.error({ message: 'count protection failed', queryId, error: describeError(error) });
      return this.outcome.publish(
        envelope,
        {
          status: 'failed',
          queryId,
          siteId,
          code: SiteResultCode.ProtectionFailed,
          reason: 'the site could not protect the count for this query',
        },
        delivery,
      );
    }
    return this.outcome.publish(
      envelope,
      {
        status: 'answered',
        queryId,
        siteId,
        queryHash,
        dataVersion: snapshot.dataVersion,
        result,
        budget: budget.report,
      },
      delivery,
      { note, budget },
    );
  }

  /**
   * Charges the cohort to the requester's pseudonym (persisted before anything is published), or says it is free or
   * over the budget; null when the ledger cannot be written, so the query comes back later. A redelivered query that
   * was charged before a crash finds its cohort known: it is never charged twice.
   */
  private async chargeBudget(envelope: QueryEnvelope, cohortKey: string): Promise<CohortCharge | null> {
    const { queryId, requester } = envelope.payload;
    try {
      return await this.budget.charge(requester, cohortKey, queryId, this.clock.now());
    } catch (error) {
      this.logger.error({
        message: 'privacy budget not recorded; the query will be redelivered',
        queryId,
        error: describeError(error),
      });
      return null;
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
