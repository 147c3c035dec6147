import type { LoggerService } from '@nestjs/common';
import { hashQuery } from '@fq/ccdl';
import {
  checkEnvelopeTiming,
  EnvelopeCode,
  type EnvelopeSigner,
  isEnvelopeExpired,
  type ProtectedResult,
  type QueryEnvelope,
  type ResultPayload,
  type SiteId,
} from '@fq/contracts';
import { type CohortCount, countCohort } from '@fq/engine';
import type { CohortCharge } from '@fq/privacy';
import type { ApprovalDecision, PendingApproval } from '../approvals/approval.schema';
import type { ApprovalStore } from '../approvals/approval.store';
import type { AuditBudget, AuditDecision } from '../audit/audit-record.schema';
import type { AuditLogWriter } from '../audit/audit-log.writer';
import type { BudgetLedgerStore } from '../budget/budget-ledger.store';
import { publicBudgetTime, toBudgetReport } from '../budget/budget-report';
import type { Clock } from '../clock';
import type { SiteAgentConfig } from '../config/config.schema';
import type { RateLimiter } from '../policy/rate-limiter';
import type { SitePolicyService } from '../policy/site-policy.service';
import type { CountProtectionService } from '../protection/count-protection.service';
import type { SiteDataService } from '../site-data/site-data.service';
import type { ProcessedQuery, ProcessedQueryStore } from './processed-query.store';
import { buildResultEnvelope } from './result-envelope';
import type { ResultPublisher } from './result.publisher';

/** What the transport does with the message once the handler is done: acknowledge it, or let it come again later. */
export type Disposition = 'ack' | 'retry';

/** Where a query envelope came from: its JetStream stream sequence, or null (a held query, a test). */
export interface Delivery {
  streamSequence: number | null;
}

const NO_DELIVERY: Delivery = { streamSequence: null };

/** A message that is not a valid query for this site, as the transport saw it. */
export interface MessageRejection {
  /** ENVELOPE_… from the codec, or SITE_MESSAGE_UNEXPECTED. */
  code: string;
  message: string;
  /** Ids read leniently from the raw message, for the audit log; null when absent or not UUIDs. */
  envelopeId: string | null;
  queryId: string | null;
}

/** Stable codes of what a site sends back or writes to its audit log. */
export const SiteResultCode = {
  PolicyRefused: 'SITE_POLICY_REFUSED',
  RateLimited: 'SITE_RATE_LIMITED',
  ApprovalRejected: 'SITE_APPROVAL_REJECTED',
  QueryHashMismatch: 'SITE_QUERY_HASH_MISMATCH',
  EvaluationFailed: 'SITE_EVALUATION_FAILED',
  ProtectionFailed: 'SITE_PROTECTION_FAILED',
  PrivacyBudgetExhausted: 'SITE_PRIVACY_BUDGET_EXHAUSTED',
  MessageUnexpected: 'SITE_MESSAGE_UNEXPECTED',
} as const;

export interface QueryHandlerDeps {
  config: Pick<SiteAgentConfig, 'siteId' | 'evaluationDate' | 'policy'>;
  clock: Clock;
  siteData: SiteDataService;
  policy: SitePolicyService;
  rateLimiter: RateLimiter;
  approvals: ApprovalStore;
  processed: ProcessedQueryStore;
  audit: AuditLogWriter;
  protection: CountProtectionService;
  /** The privacy budget per researcher pseudonym: a new cohort is charged before it is answered. */
  budget: BudgetLedgerStore;
  publisher: ResultPublisher;
  /** Signs every result envelope (the site's envelope key, never its NATS key). */
  signer: EnvelopeSigner;
  logger: LoggerService;
}

type Verdict = Extract<ResultPayload, { status: 'refused' | 'failed' }>;
/** What a site publishes; an expired query is audited but never answered (decision 0005). */
type FinalPayload = Exclude<ResultPayload, { status: 'expired' }>;

/**
 * Handles decoded query envelopes (decision 0005): idempotency → expiry → integrity → policy → rate limit → approval
 * → evaluate → privacy budget → protect → audit → answer. The exact count lives only inside `answer`; it reaches neither the audit log,
 * nor a log line, nor the result envelope.
 */
export class QueryHandler {
  private readonly siteId: SiteId;
  private approvalsRunning = false;
  private readonly reportedApprovalProblems = new Set<string>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: QueryHandlerDeps) {
    this.siteId = deps.config.siteId;
  }

  /**
   * Handles one verified query envelope delivered by JetStream; the transport acks on 'ack' and redelivers later on
   * 'retry'. A redelivery of the same stream message is idempotent; the same envelope in another stream message
   * after it was processed is a replay (ENVELOPE_REPLAYED).
   */
  async handleQuery(envelope: QueryEnvelope, delivery: Delivery = NO_DELIVERY): Promise<Disposition> {
    const { queryId } = envelope.payload;
    // The transport handles several messages at once; a second copy of a query in hand comes back once it is done.
    if (this.inFlight.has(queryId)) {
      this.deps.logger.log(
        { message: 'a copy of this query is in hand; it will come back', queryId },
        QueryHandler.name,
      );
      return 'retry';
    }
    this.inFlight.add(queryId);
    try {
      return await this.handleQueryOnce(envelope, delivery);
    } finally {
      this.inFlight.delete(queryId);
    }
  }

  private async handleQueryOnce(envelope: QueryEnvelope, delivery: Delivery): Promise<Disposition> {
    const { clock, processed, approvals, policy, rateLimiter, config, logger } = this.deps;
    const { queryId, queryHash, query } = envelope.payload;
    if (envelope.sender.kind !== 'broker') {
      return this.handleRejectedMessage({
        code: SiteResultCode.MessageUnexpected,
        message: `a query must come from the broker, not from site ${envelope.sender.siteId}`,
        envelopeId: envelope.id,
        queryId,
      });
    }
    const finished = processed.get(queryId);
    if (isReplay(finished, envelope, delivery)) {
      return this.handleRejectedMessage({
        code: EnvelopeCode.Replayed,
        message: `envelope ${envelope.id} was processed from stream message ${finished?.streamSequence}; it came again as stream message ${delivery.streamSequence}`,
        envelopeId: envelope.id,
        queryId,
      });
    }
    if (finished !== undefined) {
      logger.log({ message: 'duplicate delivery of a finished query acknowledged', queryId }, QueryHandler.name);
      return 'ack';
    }
    if (await approvals.isPending(queryId)) {
      logger.log({ message: 'duplicate delivery of a held query acknowledged', queryId }, QueryHandler.name);
      return 'ack';
    }
    const now = clock.now();
    const timing = checkEnvelopeTiming(envelope, now);
    if (!timing.ok && timing.error.code === 'ENVELOPE_EXPIRED') {
      await this.expire(envelope, now, delivery);
      return 'ack';
    }
    if (!timing.ok) {
      return this.handleRejectedMessage({
        code: timing.error.code,
        message: timing.error.message,
        envelopeId: envelope.id,
        queryId,
      });
    }
    const recomputed = hashQuery(query);
    if (recomputed !== queryHash) {
      return this.refuse(
        envelope,
        {
          code: SiteResultCode.QueryHashMismatch,
          reason: `queryHash ${queryHash} does not match the query, whose canonical hash is ${recomputed}`,
        },
        delivery,
      );
    }
    const verdict = policy.check(query);
    if (!verdict.ok) {
      return this.refuse(envelope, { code: verdict.code, reason: verdict.reason }, delivery);
    }
    if (!rateLimiter.tryAcquire(now)) {
      const { rateLimit, rateIntervalSeconds } = config.policy;
      return this.refuse(
        envelope,
        {
          code: SiteResultCode.RateLimited,
          reason:
            `this site answers at most ${rateLimit} queries per ${rateIntervalSeconds} s; ` +
            `the next one is possible at ${rateLimiter.nextAdmission(now).toISOString()}`,
        },
        delivery,
      );
    }
    if (config.policy.approval === 'manual') {
      await approvals.hold(envelope, now);
      await this.audit(envelope, 'held', { reason: 'waiting for an operator to approve or reject it' });
      logger.log({ message: 'query held for manual approval', queryId }, QueryHandler.name);
      return 'ack';
    }
    return this.answer(envelope, null, delivery);
  }

  /** Logs and audits a message that is not a valid query for this site; it is acknowledged so it does not return. */
  async handleRejectedMessage(rejection: MessageRejection): Promise<Disposition> {
    this.deps.logger.warn(
      {
        message: 'message rejected',
        code: rejection.code,
        reason: rejection.message,
        envelopeId: rejection.envelopeId,
      },
      QueryHandler.name,
    );
    await this.deps.audit.append({
      time: this.deps.clock.now().toISOString(),
      decision: 'rejected-message',
      queryId: rejection.queryId,
      queryHash: null,
      requester: null,
      code: rejection.code,
      reason: truncate(rejection.message, 2000),
      protectedResult: null,
      dataVersion: null,
      envelopeId: rejection.envelopeId,
    });
    return 'ack';
  }

  /**
   * Acts on operators' decisions about held queries (called every second): answers approved ones, refuses rejected
   * ones, expires those whose deadline passed. A run that is still busy makes the next call return at once.
   */
  async processApprovals(): Promise<void> {
    if (this.approvalsRunning) {
      return;
    }
    this.approvalsRunning = true;
    try {
      const { entries, problems } = await this.deps.approvals.listPending();
      for (const problem of problems) {
        if (!this.reportedApprovalProblems.has(problem)) {
          this.reportedApprovalProblems.add(problem);
          this.deps.logger.warn({ message: 'unreadable approval file', problem }, QueryHandler.name);
        }
      }
      for (const { pending, decision } of entries) {
        await this.processApproval(pending, decision);
      }
    } finally {
      this.approvalsRunning = false;
    }
  }

  private async processApproval(pending: PendingApproval, decision: ApprovalDecision | null): Promise<void> {
    const { approvals, processed, clock, logger } = this.deps;
    const envelope = pending.envelope;
    const queryId = envelope.payload.queryId;
    const now = clock.now();
    const finished = processed.get(queryId);
    if (finished !== undefined) {
      // A crash between answering and moving the file: the answer went out once, finish the bookkeeping.
      await approvals.complete(pending, decision, 'duplicate', now);
      return;
    }
    if (isEnvelopeExpired(envelope, now)) {
      await this.expire(envelope, now, NO_DELIVERY);
      await approvals.complete(pending, decision, 'expired', now);
      return;
    }
    if (decision === null) {
      return;
    }
    const who = `${decision.decidedBy} at ${decision.decidedAt}`;
    const disposition =
      decision.decision === 'reject'
        ? await this.refuse(
            envelope,
            // The reason reaches the researcher: it names no operator (approvals/done/ keeps who decided, and when).
            { code: SiteResultCode.ApprovalRejected, reason: 'the site operator rejected this query' },
            NO_DELIVERY,
          )
        : await this.answer(envelope, `approved by ${who}`, NO_DELIVERY);
    if (disposition === 'retry') {
      logger.warn({ message: 'answer to an approved query not sent; will retry', queryId }, QueryHandler.name);
      return;
    }
    await approvals.complete(pending, decision, processed.get(queryId)?.decision ?? 'answered', clock.now());
  }

  /** Evaluates, protects and answers; the only place an exact count exists. */
  private async answer(envelope: QueryEnvelope, note: string | null, delivery: Delivery): Promise<Disposition> {
    const { siteData, protection, clock, config, logger } = this.deps;
    const { queryId, queryHash, query } = envelope.payload;
    const snapshot = siteData.current();
    const evaluationDate = config.evaluationDate ?? clock.now().toISOString().slice(0, 10);
    let cohort: CohortCount;
    try {
      cohort = countCohort(snapshot.index, query, { evaluationDate });
    } catch (error) {
      logger.error({ message: 'evaluation failed', queryId, error: describeError(error) }, QueryHandler.name);
      return this.settle(
        envelope,
        {
          status: 'failed',
          queryId,
          siteId: this.siteId,
          code: SiteResultCode.EvaluationFailed,
          reason: 'the site could not evaluate this query',
        },
        null,
        delivery,
      );
    }
    const charge = await this.chargeBudget(envelope, cohort.cohortKey);
    if (charge === null) {
      return 'retry';
    }
    const budget = { charge: charge.kind, report: toBudgetReport(charge.standing) };
    if (charge.kind === 'exhausted') {
      return this.refuse(
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
      result = protection.protect(cohort.rawCount, cohort.cohortKey);
    } catch (error) {
      logger.error({ message: 'count protection failed', queryId, error: describeError(error) }, QueryHandler.name);
      return this.settle(
        envelope,
        {
          status: 'failed',
          queryId,
          siteId: this.siteId,
          code: SiteResultCode.ProtectionFailed,
          reason: 'the site could not protect the count for this query',
        },
        null,
        delivery,
      );
    }
    return this.settle(
      envelope,
      {
        status: 'answered',
        queryId,
        siteId: this.siteId,
        queryHash,
        dataVersion: snapshot.dataVersion,
        result,
        budget: budget.report,
      },
      note,
      delivery,
      budget,
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
      return await this.deps.budget.charge(requester, cohortKey, queryId, this.deps.clock.now());
    } catch (error) {
      this.deps.logger.error(
        { message: 'privacy budget not recorded; the query will be redelivered', queryId, error: describeError(error) },
        QueryHandler.name,
      );
      return null;
    }
  }

  private refuse(
    envelope: QueryEnvelope,
    refusal: Pick<Verdict, 'code' | 'reason'>,
    delivery: Delivery,
    budget: AuditBudget | null = null,
  ): Promise<Disposition> {
    return this.settle(
      envelope,
      {
        status: 'refused',
        queryId: envelope.payload.queryId,
        siteId: this.siteId,
        code: refusal.code,
        reason: truncate(refusal.reason, 500),
        ...(budget === null ? {} : { budget: budget.report }),
      },
      null,
      delivery,
      budget,
    );
  }

  /**
   * Audits, publishes and records a final result. The audit line comes first: nothing leaves the site unaudited. The
   * id is recorded only once the broker's stream has the result, and before the transport acks.
   */
  private async settle(
    envelope: QueryEnvelope,
    payload: FinalPayload,
    note: string | null,
    delivery: Delivery,
    budget: AuditBudget | null = null,
  ): Promise<Disposition> {
    const { clock, publisher, processed, logger, signer } = this.deps;
    const now = clock.now();
    const result = buildResultEnvelope(envelope, payload, this.siteId, now, signer);
    await this.audit(
      envelope,
      payload.status,
      payload.status === 'answered'
        ? { protectedResult: payload.result, dataVersion: payload.dataVersion, reason: note, budget }
        : { code: payload.code, reason: payload.reason, budget },
    );
    const published = await publisher.publish(result);
    if (!published.ok) {
      logger.warn(
        {
          message: 'result not published; the query will be redelivered',
          queryId: payload.queryId,
          error: published.error.message,
        },
        QueryHandler.name,
      );
      return 'retry';
    }
    await processed.record({
      queryId: payload.queryId,
      decision: payload.status,
      at: now.toISOString(),
      ...processedFrom(envelope, delivery),
    });
    // Per query, so at debug level: the audit log already holds every decision.
    logger.debug?.(
      {
        message: 'query settled',
        queryId: payload.queryId,
        decision: payload.status,
        code: payload.status === 'answered' ? null : payload.code,
        resultEnvelopeId: result.id,
      },
      QueryHandler.name,
    );
    return 'ack';
  }

  private async expire(envelope: QueryEnvelope, now: Date, delivery: Delivery): Promise<void> {
    const { queryId } = envelope.payload;
    await this.audit(envelope, 'expired', {
      code: EnvelopeCode.Expired,
      reason: `the deadline ${envelope.expiresAt} passed before it was answered`,
    });
    await this.deps.processed.record({
      queryId,
      decision: 'expired',
      at: now.toISOString(),
      ...processedFrom(envelope, delivery),
    });
    this.deps.logger.log({ message: 'expired query acknowledged without an answer', queryId }, QueryHandler.name);
  }

  private audit(
    envelope: QueryEnvelope,
    decision: AuditDecision,
    details: {
      code?: string;
      reason?: string | null;
      protectedResult?: ProtectedResult;
      dataVersion?: string;
      budget?: AuditBudget | null;
    },
  ): Promise<void> {
    const { queryId, queryHash, requester } = envelope.payload;
    return this.deps.audit.append({
      time: this.deps.clock.now().toISOString(),
      decision,
      queryId,
      queryHash,
      requester,
      code: details.code ?? null,
      reason: details.reason ?? null,
      protectedResult: details.protectedResult ?? null,
      dataVersion: details.dataVersion ?? null,
      envelopeId: envelope.id,
      ...(details.budget === undefined || details.budget === null ? {} : { budget: details.budget }),
    });
  }
}

/** The same signed envelope in another stream message than the one it was processed from. */
function isReplay(finished: ProcessedQuery | undefined, envelope: QueryEnvelope, delivery: Delivery): boolean {
  return (
    finished?.envelopeId === envelope.id &&
    finished.streamSequence !== undefined &&
    delivery.streamSequence !== null &&
    finished.streamSequence !== delivery.streamSequence
  );
}

function processedFrom(
  envelope: QueryEnvelope,
  delivery: Delivery,
): Pick<ProcessedQuery, 'envelopeId' | 'streamSequence'> {
  return delivery.streamSequence === null
    ? { envelopeId: envelope.id }
    : { envelopeId: envelope.id, streamSequence: delivery.streamSequence };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
