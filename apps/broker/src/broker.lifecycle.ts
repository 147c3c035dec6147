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

/**
 * The start-up and shutdown order in one place. Start: the network transport (with the results backlog) before init
 * (`createBrokerApp`), then overdue deadlines, then queries stored but never sent; HTTP listens after this. Stop: event
 * streams, timers, then (after HTTP and the transport closed) the database.
 */
@Injectable()
export class BrokerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Broker');

  constructor(
    @Inject(BROKER_DATABASE) private readonly db: BrokerDatabase,
    private readonly deadlines: QueryDeadlinesService,
    private readonly dispatcher: QueryDispatchService,
    private readonly bus: QueryEventsBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.deadlines.resume();
    await this.dispatcher.dispatchPending();
  }

  beforeApplicationShutdown(): void {
    this.bus.close();
    this.deadlines.stop();
    this.dispatcher.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
    this.logger.log({ message: 'broker stopped' });
  }
}
