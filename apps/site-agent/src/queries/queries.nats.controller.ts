import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { AdmittedEnvelope, QueryEnvelope } from '@fq/contracts';
import type { Settlement } from '@fq/jetstream-transport';
import { SiteQueryPattern } from '../transport/site-query.gate';
import { QueryAdmissionService } from './query-admission.service';

/** The site's query handlers: what the envelope gate admitted from the site's query consumer. */
@Controller()
export class QueriesNatsController {
  constructor(private readonly admission: QueryAdmissionService) {}

  /** A query within its deadline: admitted, refused, held or answered; 'retry' lets it come again later. */
  @EventPattern(SiteQueryPattern.Query)
  onQuery(@Payload() query: AdmittedEnvelope<QueryEnvelope>): Promise<Settlement> {
    return this.admission.admit(query);
  }

  /** A query whose deadline passed before it could be handled: audited as expired, never answered. */
  @EventPattern(SiteQueryPattern.ExpiredQuery)
  onExpiredQuery(@Payload() query: AdmittedEnvelope<QueryEnvelope>): Promise<Settlement> {
    return this.admission.admitExpired(query);
  }
}
