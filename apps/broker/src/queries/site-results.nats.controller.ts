import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { ResultPayload } from '@fq/contracts';
import type { JetStreamContext } from '@fq/jetstream-transport';
import { type ResultRejection, SiteMessagePattern } from '../transport/broker-transport';
import { QueryResultsService } from './query-results.service';
import { rejectionOf } from './result-rejection';

/** Sites' results, as the broker's envelope gate admitted them from the network. */
@Controller()
export class SiteResultsNatsController {
  constructor(private readonly results: QueryResultsService) {}

  /** Counts a result stored at `storedAt`, or says why not (the transport audits the rejection); a throw redelivers it. */
  @EventPattern(SiteMessagePattern.Result)
  async onResult(@Payload() result: ResultPayload, @Ctx() context: JetStreamContext): Promise<ResultRejection | null> {
    return rejectionOf(await this.results.record(result, context.storedAt), result);
  }
}
