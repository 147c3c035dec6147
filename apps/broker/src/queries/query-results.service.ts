import { Injectable, Logger } from '@nestjs/common';
import type { ResultPayload } from '@fq/contracts';
import { QueriesRepository } from '../persistence/queries.repository';
import type { SiteAnswer } from '../persistence/records.schema';
import { QueryDeadlinesService } from './query-deadlines.service';
import { QueryEventsBus } from './query-events.bus';

/** What became of a site's result. Everything but a thrown error is final: the message is acknowledged. */
export type ResultOutcome =
  'recorded' | 'completed' | 'duplicate' | 'late' | 'unknown-query' | 'unknown-site' | 'hash-mismatch';

/** Collects verified results from the network: first result per (query, site) wins, the last one completes. */
@Injectable()
export class QueryResultsService {
  private readonly logger = new Logger('QueryResults');

  constructor(
    private readonly repository: QueriesRepository,
    private readonly deadlines: QueryDeadlinesService,
    private readonly bus: QueryEventsBus,
  ) {}

  /**
   * Records a site's result that reached the network at `receivedAt`, with the privacy budget it reports.
   *
   * A result counts only if it arrived by the query's deadline; one for an unknown query or a site the query was
   * not sent to is dropped with a log line.
   */
  async record(result: ResultPayload, receivedAt: Date): Promise<ResultOutcome> {
    const query = await this.repository.findQueryHeader(result.queryId);
    if (query === null) {
      return this.drop('unknown-query', result);
    }
    if (!query.sites.some((site) => site.siteId === result.siteId)) {
      return this.drop('unknown-site', result);
    }
    if (result.status === 'answered' && result.queryHash !== query.queryHash) {
      return this.drop('hash-mismatch', result);
    }
    if (query.status !== 'running' || receivedAt.toISOString() > query.expiresAt) {
      return this.drop('late', result);
    }
    const outcome = await this.repository.recordSiteResult(
      query.id,
      result.siteId,
      toAnswer(result),
      receivedAt.toISOString(),
    );
    if (!outcome.recorded) {
      this.logger.log({ message: 'duplicate result ignored', queryId: query.id, siteId: result.siteId });
      return 'duplicate';
    }
    if (outcome.completed) {
      this.deadlines.cancel(query.id);
    }
    this.bus.notify(query.id);
    return outcome.completed ? 'completed' : 'recorded';
  }

  private drop(outcome: ResultOutcome, result: ResultPayload): ResultOutcome {
    this.logger.warn({ message: 'result dropped', outcome, queryId: result.queryId, siteId: result.siteId });
    return outcome;
  }
}

function toAnswer(result: ResultPayload): SiteAnswer {
  switch (result.status) {
    case 'answered':
      return {
        status: 'answered',
        result: result.result,
        dataVersion: result.dataVersion,
        ...(result.budget === undefined ? {} : { budget: result.budget }),
      };
    case 'refused':
      return {
        status: 'refused',
        code: result.code,
        reason: result.reason,
        ...(result.budget === undefined ? {} : { budget: result.budget }),
      };
    case 'failed':
      return { status: result.status, code: result.code, reason: result.reason };
    case 'expired':
      return { status: 'expired' };
  }
}
