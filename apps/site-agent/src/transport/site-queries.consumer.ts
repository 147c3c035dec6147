import { Inject, Injectable, Logger } from '@nestjs/common';
import { QUERY_STREAM, siteQueryConsumerName, siteQuerySubject } from '@fq/contracts';
import type { Consumer, ConsumerMessages, JsMsg } from 'nats';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { QueryAdmissionService } from '../queries/query-admission.service';
import { NatsConnectionService } from './nats-connection.service';
import type { Settlement } from './settlement';
import { SiteQueryGate } from './site-query.gate';

/** How long to wait between attempts to bind to a consumer the broker has not created yet. */
export interface BindRetryOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BIND_RETRY: BindRetryOptions = { initialMs: 1000, maxMs: 15_000 };
export const BIND_RETRY = Symbol('BIND_RETRY');
/** A message the handler could not finish comes back after this delay. */
const REDELIVERY_DELAY_MS = 5000;
const PREFETCH = 16;

export type ConsumerState = 'idle' | 'waiting-for-consumer' | 'consuming' | 'stopped';

/**
 * Pulls the site's queries from its durable consumer `site-<id>` on FQ_QUERIES, passes each through the envelope gate,
 * hands what it admits to query admission and acks or naks by the settlement. The consumer is the broker's to create;
 * until it exists the agent waits and retries, and it binds again if the consumer disappears.
 */
@Injectable()
export class SiteQueriesConsumer {
  private readonly logger = new Logger(SiteQueriesConsumer.name);
  private stopped = false;
  private messages: ConsumerMessages | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private currentState: ConsumerState = 'idle';
  private readonly subject: string;
  private readonly durable: string;

  constructor(
    @Inject(SITE_AGENT_CONFIG) config: Pick<SiteAgentConfig, 'siteId'>,
    private readonly nats: NatsConnectionService,
    private readonly gate: SiteQueryGate,
    private readonly admission: QueryAdmissionService,
    @Inject(BIND_RETRY) private readonly retry: BindRetryOptions,
  ) {
    this.subject = siteQuerySubject(config.siteId);
    this.durable = siteQueryConsumerName(config.siteId);
  }

  get state(): ConsumerState {
    return this.currentState;
  }

  /** Binds to the consumer (waiting until it exists) and starts consuming; resolves false if stopped first. */
  async start(): Promise<boolean> {
    const consumer = await this.bind();
    if (consumer === null) {
      return false;
    }
    this.loop = this.consume(consumer);
    return true;
  }

  /** Stops pulling, lets the messages in hand finish, and returns. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.currentState = 'stopped';
    this.wake?.();
    await this.messages?.close();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async bind(): Promise<Consumer | null> {
    let delay = this.retry.initialMs;
    while (!this.stopped) {
      try {
        const consumer = await this.nats.jetstream().consumers.get(QUERY_STREAM.name, this.durable);
        const info = await consumer.info(true);
        const filter = info.config.filter_subject;
        if (filter !== undefined && filter !== '' && filter !== this.subject) {
          this.logger.warn({
            message: `consumer ${this.durable} filters ${filter}, not ${this.subject}; other subjects are rejected`,
          });
        }
        this.currentState = 'consuming';
        this.logger.log({ message: `bound to consumer ${this.durable} on stream ${QUERY_STREAM.name}` });
        return consumer;
      } catch (error) {
        if (this.stopped) {
          break;
        }
        this.currentState = 'waiting-for-consumer';
        this.logger.warn({
          message:
            `waiting for consumer ${this.durable} on stream ${QUERY_STREAM.name}, which the broker creates when it ` +
            `registers this site; retrying in ${(delay / 1000).toFixed(1)} s`,
          reason: error instanceof Error ? error.message : String(error),
        });
        await this.pause(delay);
        delay = Math.min(delay * 2, this.retry.maxMs);
      }
    }
    return null;
  }

  private async consume(first: Consumer): Promise<void> {
    let consumer: Consumer | null = first;
    while (consumer !== null && !this.stopped) {
      try {
        const messages = await consumer.consume({ max_messages: PREFETCH, abort_on_missing_resource: true });
        this.messages = messages;
        for await (const message of messages) {
          // Up to PREFETCH queries at once: each waits for its audit line to reach the disk, and waiting together
          // lets one sync cover many lines (the audit log commits in groups).
          if (this.inFlight.size >= PREFETCH) {
            await Promise.race(this.inFlight);
          }
          const task: Promise<void> = this.process(message).finally(() => this.inFlight.delete(task));
          this.inFlight.add(task);
        }
      } catch (error) {
        if (!this.stopped) {
          this.logger.warn({
            message: 'pulling queries stopped',
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
      if (this.stopped) {
        break;
      }
      this.logger.warn({ message: `lost consumer ${this.durable}; binding again` });
      consumer = await this.bind();
    }
  }

  /** Judges, dispatches and settles one message; never throws, so one bad message cannot stop the loop. */
  private async process(message: JsMsg): Promise<void> {
    let settlement: Settlement;
    try {
      settlement = await this.dispatch(message);
    } catch (error) {
      this.logger.error({
        message: 'handling a query failed; it will be redelivered',
        streamSequence: message.seq,
        error: error instanceof Error ? error.message : String(error),
      });
      settlement = 'retry';
    }
    if (settlement === 'retry') {
      message.nak(REDELIVERY_DELAY_MS);
      return;
    }
    // Fire and forget: the id is recorded before this, so if the ack is lost the redelivery is acknowledged without a
    // second answer. Waiting for the server's confirmation cost a round trip per query.
    message.ack();
  }

  /** Hands an admitted query to admission; a rejected message is audited by the gate and acknowledged. */
  dispatch(message: Pick<JsMsg, 'data' | 'subject' | 'seq'>): Promise<Settlement> {
    const verdict = this.gate.judge({ data: message.data, subject: message.subject, streamSequence: message.seq });
    switch (verdict.kind) {
      case 'admitted':
        return this.admission.admit(verdict.message);
      case 'expired':
        return this.admission.admitExpired(verdict.message);
      case 'rejected':
        return this.gate.reject(verdict.rejection);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
