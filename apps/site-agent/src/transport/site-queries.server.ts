import { Inject, Injectable } from '@nestjs/common';
import { QUERY_STREAM, siteQueryConsumerName, siteQuerySubject } from '@fq/contracts';
import { type BindingState, type BindRetryOptions, JetStreamServer } from '@fq/jetstream-transport';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { NatsConnectionService } from './nats-connection.service';
import { SiteQueryGate } from './site-query.gate';

export const DEFAULT_BIND_RETRY: BindRetryOptions = { initialMs: 1000, maxMs: 15_000 };
/** How long to wait between attempts to bind to a consumer the broker has not created yet. */
export const BIND_RETRY = Symbol('BIND_RETRY');
/** A message the handlers could not finish comes back after this delay. */
const REDELIVERY_DELAY_MS = 5000;
/** Queries in hand at once: each waits for its audit line to reach the disk, and one sync covers those waiting. */
const CONCURRENCY = 16;

/**
 * The site agent's transport: pulls the site's queries from its durable consumer `site-<id>` on FQ_QUERIES through
 * the site's envelope gate to the `@EventPattern` handlers. The consumer is the broker's to create; until it exists
 * the agent waits and retries, and it binds again if the consumer disappears.
 */
@Injectable()
export class SiteQueriesServer extends JetStreamServer {
  constructor(
    @Inject(SITE_AGENT_CONFIG) config: Pick<SiteAgentConfig, 'siteId'>,
    nats: NatsConnectionService,
    gate: SiteQueryGate,
    @Inject(BIND_RETRY) retry: BindRetryOptions,
  ) {
    super({
      connect: async () => {
        await nats.connect();
        return nats.jetstream();
      },
      bindings: [
        {
          stream: QUERY_STREAM.name,
          consumer: { durable: siteQueryConsumerName(config.siteId), filterSubject: siteQuerySubject(config.siteId) },
          inbox: gate,
          maxMessages: CONCURRENCY,
          concurrency: CONCURRENCY,
          redeliveryDelayMs: REDELIVERY_DELAY_MS,
          waitForConsumer: { ...retry, why: 'which the broker creates when it registers this site' },
        },
      ],
    });
  }

  /** Where the query consumer stands: waiting for the broker to create it, consuming, or stopped. */
  get state(): BindingState {
    return this.bindingStates[0];
  }
}
