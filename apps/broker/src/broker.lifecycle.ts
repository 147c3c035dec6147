import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BROKER_DATABASE, type BrokerDatabase } from './persistence/broker-database';
import { QueryDeadlinesService } from './queries/query-deadlines.service';
import { QueryDispatchService } from './queries/query-dispatch.service';
import { QueryEventsBus } from './queries/query-events.bus';
import { QueryResultsService } from './queries/query-results.service';
import { refusalOf } from './queries/result-refusal';
import { SiteRegistryService } from './sites/site-registry.service';
import { BROKER_TRANSPORT, type BrokerTransport } from './transport/broker-transport';

/**
 * The start-up and shutdown order in one place. Start: network (with the results backlog), then overdue deadlines,
 * then queries stored but never sent; HTTP listens after this. Stop: event streams, timers, then (after HTTP closed)
 * the network and the database.
 */
@Injectable()
export class BrokerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Broker');

  constructor(
    @Inject(BROKER_TRANSPORT) private readonly transport: BrokerTransport,
    @Inject(BROKER_DATABASE) private readonly db: BrokerDatabase,
    private readonly results: QueryResultsService,
    private readonly sites: SiteRegistryService,
    private readonly deadlines: QueryDeadlinesService,
    private readonly dispatcher: QueryDispatchService,
    private readonly bus: QueryEventsBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.start({
      onResult: async (result, receivedAt) => refusalOf(await this.results.record(result, receivedAt), result),
      onHeartbeat: (heartbeat, receivedAt) => this.sites.recordHeartbeat(heartbeat, receivedAt),
    });
    await this.deadlines.resume();
    await this.dispatcher.dispatchPending();
  }

  beforeApplicationShutdown(): void {
    this.bus.close();
    this.deadlines.stop();
    this.dispatcher.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.transport.stop();
    } finally {
      await this.db.destroy();
      this.logger.log({ message: 'broker stopped' });
    }
  }
}
