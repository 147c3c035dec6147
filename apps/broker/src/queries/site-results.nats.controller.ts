import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { ResultPayload } from '@fq/contracts';
import type { JetStreamContext } from '@fq/jetstream-transport';
import { type ResultRefusal, SiteMessagePattern } from '../transport/broker-transport';
import { QueryResultsService } from './query-results.service';
import { refusalOf } from './result-refusal';

/** Sites' results, as the broker's envelope gate admitted them from the network. */
@Controller()
export class SiteResultsNatsController {
  constructor(private readonly results: QueryResultsService) {}

  /** Counts a result stored at `storedAt`, or says why not (the transport audits the refusal); a throw redelivers it. */
  @EventPattern(SiteMessagePattern.Result)
  async onResult(@Payload() result: ResultPayload, @Ctx() context: JetStreamContext): Promise<ResultRefusal | null> {
    return refusalOf(await this.results.record(result, context.storedAt), result);
  }
}
