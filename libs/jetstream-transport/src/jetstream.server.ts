import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg, OrderedConsumerOptions } from 'nats';
import { isObservable, lastValueFrom } from 'rxjs';
import { JetStreamContext, type JetStreamMessage } from './jetstream.context';
import type { Settlement } from './settlement';

/** Hands a payload to the `@EventPattern(pattern)` handler, with `message` as its context; resolves to what it returned. */
export type PatternDispatch = (pattern: string, data: unknown, message: JetStreamMessage) => Promise<unknown>;

/** The receiving side of one consumer: its gate decides what reaches a handler and what becomes of each message. */
export interface JetStreamInbox {
  /** Judges one message, dispatches what it admits and settles it; a throw counts as 'retry'. */
  receive(message: JetStreamMessage, dispatch: PatternDispatch): Promise<Settlement>;
}

/** How long to wait between attempts to bind to a durable consumer that does not exist yet. */
export interface BindRetryOptions {
  initialMs: number;
  maxMs: number;
}

export type JetStreamConsumerSpec =
  /** A durable pull consumer that someone else created; each message is acknowledged explicitly. */
  | { durable: string; filterSubject?: string }
  /** An ordered consumer: no acknowledgements, e.g. the last heartbeat per subject. */
  | { ordered: Partial<OrderedConsumerOptions> };

/** One consumer the server pulls from, and what receives its messages. */
export interface JetStreamBinding {
  stream: string;
  consumer: JetStreamConsumerSpec;
  inbox: JetStreamInbox;
  /** Messages pulled per request; the client's default when absent. */
  maxMessages?: number;
  /** Messages in hand at once; 1 handles them one after another. */
  concurrency: number;
  /** A message settled 'retry' is delivered again after this delay. */
  redeliveryDelayMs: number;
  /**
   * Wait with back-off for a durable consumer that does not exist yet (saying `why` in the log), and bind again when
   * it disappears; without it, binding fails at once.
   */
  waitForConsumer?: BindRetryOptions & { why?: string };
  /** Before `listen` reports ready, wait at most this long until the consumer has nothing pending (a backlog). */
  drainBacklogMs?: number;
}

export type BindingState = 'idle' | 'waiting-for-consumer' | 'consuming' | 'stopped';

export interface JetStreamServerOptions {
  /** Connects (or returns the open connection's) JetStream client; `listen` calls it once. */
  connect(): Promise<JetStreamClient>;
  bindings: readonly JetStreamBinding[];
}

const BACKLOG_POLL_MS = 50;

/**
 * NATS JetStream as a `@nestjs/microservices` custom transport strategy: pull consumers with explicit
 * acknowledgement. Each pulled message goes to its binding's inbox, which gates it and hands what it admits to the
 * `@EventPattern` handler; the inbox's settlement acknowledges it or lets it come again after a delay.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  protected readonly log: Logger;
  // ES private fields: subclasses (the apps' transports) keep their own names free.
  readonly #options: JetStreamServerOptions;
  readonly #runners: ConsumerRunner[] = [];
  readonly #handlers = new Map<string, MessageHandler>();
  #jetstream: JetStreamClient | null = null;
  #closed = false;

  constructor(options: JetStreamServerOptions) {
    super();
    this.#options = options;
    this.log = new Logger(new.target.name);
  }

  /** Connects, binds every consumer (waiting where told to), drains backlogs, then calls back; with the error if any. */
  listen(callback: (error?: unknown) => void): void {
    this.#start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Stops pulling and waits for the messages in hand; the connection is its owner's to close. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#runners.map((runner) => runner.stop()));
  }

  /** The state of each binding, in order. */
  get bindingStates(): BindingState[] {
    return this.#options.bindings.map((_binding, i) => this.#runners[i]?.state ?? (this.#closed ? 'stopped' : 'idle'));
  }

  on(): never {
    throw new Error(`${this.constructor.name} has no events to subscribe to`);
  }

  unwrap<T>(): T {
    if (this.#jetstream === null) {
      throw new Error(`${this.constructor.name} is not listening`);
    }
    return this.#jetstream as T;
  }

  /** Hands `data` to the handler of `pattern` as if it came in `message`; resolves to the handler's return value. */
  readonly dispatch: PatternDispatch = async (pattern, data, message) => {
    const result: unknown = await this.#handlerFor(pattern)(data, new JetStreamContext([message]));
    // A handler that threw comes back as an error observable from Nest's exception layer.
    return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
  };

  #handlerFor(pattern: string): MessageHandler {
    let handler = this.#handlers.get(pattern);
    if (handler === undefined) {
      const found = this.getHandlerByPattern(pattern);
      if (found === null) {
        throw new Error(`no @EventPattern('${pattern}') handler is registered`);
      }
      handler = found;
      this.#handlers.set(pattern, handler);
    }
    return handler;
  }

  async #start(): Promise<void> {
    const js = await this.#options.connect();
    this.#jetstream = js;
    for (const binding of this.#options.bindings) {
      if (this.#closed) {
        return;
      }
      const runner = new ConsumerRunner(binding, js, this.dispatch, this.log);
      this.#runners.push(runner);
      if (!(await runner.bind())) {
        return;
      }
      runner.start();
    }
    for (const runner of this.#runners) {
      await runner.drainBacklog();
    }
  }
}

/** Pulls from one consumer and settles each message by its inbox's verdict; never stops on a bad message. */
class ConsumerRunner {
  state: BindingState = 'idle';
  private consumer: Consumer | null = null;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly label: string;

  constructor(
    private readonly binding: JetStreamBinding,
    private readonly js: JetStreamClient,
    private readonly dispatch: PatternDispatch,
    private readonly logger: Logger,
  ) {
    const spec = binding.consumer;
    this.label =
      'durable' in spec ? `consumer ${spec.durable} on stream ${binding.stream}` : `stream ${binding.stream}`;
  }

  /** Gets the consumer (waiting until it exists, if told to); false if stopped first. */
  async bind(): Promise<boolean> {
    const { stream, consumer: spec, waitForConsumer: retry } = this.binding;
    if ('ordered' in spec) {
      this.consumer = await this.js.consumers.get(stream, spec.ordered);
      this.state = 'consuming';
      return true;
    }
    if (retry === undefined) {
      this.consumer = await this.js.consumers.get(stream, spec.durable);
      this.state = 'consuming';
      return true;
    }
    let delay = retry.initialMs;
    while (!this.stopped) {
      try {
        const consumer = await this.js.consumers.get(stream, spec.durable);
        const filter = (await consumer.info(true)).config.filter_subject;
        if (
          spec.filterSubject !== undefined &&
          filter !== undefined &&
          filter !== '' &&
          filter !== spec.filterSubject
        ) {
          this.logger.warn({
            message: `consumer ${spec.durable} filters ${filter}, not ${spec.filterSubject}; other subjects are rejected`,
          });
        }
        this.consumer = consumer;
        this.state = 'consuming';
        this.logger.log({ message: `bound to ${this.label}` });
        return true;
      } catch (error) {
        if (this.stopped) {
          break;
        }
        this.state = 'waiting-for-consumer';
        this.logger.warn({
          message:
            `waiting for ${this.label}${retry.why === undefined ? '' : `, ${retry.why}`}; ` +
            `retrying in ${(delay / 1000).toFixed(1)} s`,
          reason: describeError(error),
        });
        await this.pause(delay);
        delay = Math.min(delay * 2, retry.maxMs);
      }
    }
    return false;
  }

  start(): void {
    this.loop = this.consume();
  }

  /** Waits until the consumer has nothing pending or in hand, at most `drainBacklogMs`. */
  async drainBacklog(): Promise<void> {
    const timeoutMs = this.binding.drainBacklogMs;
    if (timeoutMs === undefined || this.consumer === null) {
      return;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await this.consumer.info();
      if (info.num_pending === 0 && info.num_ack_pending === 0) {
        return;
      }
      if (Date.now() > deadline) {
        this.logger.warn({ message: `backlog of ${this.label} not drained at start-up`, pending: info.num_pending });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, BACKLOG_POLL_MS));
    }
  }

  /** Stops pulling, lets the messages in hand finish, and returns. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'stopped';
    this.wake?.();
    await this.messages?.close();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async consume(): Promise<void> {
    const { maxMessages, concurrency, waitForConsumer } = this.binding;
    const rebind = waitForConsumer !== undefined;
    while (this.consumer !== null && !this.stopped) {
      try {
        const messages = await this.consumer.consume({
          ...(maxMessages === undefined ? {} : { max_messages: maxMessages }),
          ...(rebind ? { abort_on_missing_resource: true } : {}),
        });
        this.messages = messages;
        for await (const message of messages) {
          if (concurrency <= 1) {
            await this.process(message);
            continue;
          }
          // Several at once: each waits for its audit line to reach the disk, and waiting together lets one sync
          // cover many lines (group commit).
          if (this.inFlight.size >= concurrency) {
            await Promise.race(this.inFlight);
          }
          const task: Promise<void> = this.process(message).finally(() => this.inFlight.delete(task));
          this.inFlight.add(task);
        }
      } catch (error) {
        if (!this.stopped) {
          this.logger.warn({ message: `pulling from ${this.label} stopped`, reason: describeError(error) });
        }
      }
      if (this.stopped || !rebind) {
        break;
      }
      this.logger.warn({ message: `lost ${this.label}; binding again` });
      this.consumer = null;
      await this.bind();
    }
  }

  /** Receives and settles one message; never throws, so one bad message cannot stop the loop. */
  private async process(message: JsMsg): Promise<void> {
    let settlement: Settlement;
    try {
      settlement = await this.binding.inbox.receive(toJetStreamMessage(message), this.dispatch);
    } catch (error) {
      this.logger.error({
        message: 'handling a message failed; it will be redelivered',
        stream: this.binding.stream,
        streamSequence: message.seq,
        error: describeError(error),
      });
      settlement = 'retry';
    }
    if ('ordered' in this.binding.consumer) {
      return;
    }
    if (settlement === 'retry') {
      message.nak(this.binding.redeliveryDelayMs);
      return;
    }
    // Fire and forget: receivers are idempotent, so a lost ack only means a redelivery that is acknowledged without
    // a second effect. Waiting for the server's confirmation cost a round trip per message.
    message.ack();
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

/** The message as gates and handlers see it; `storedAt` is the server's storage time. */
function toJetStreamMessage(message: JsMsg): JetStreamMessage {
  return {
    data: message.data,
    subject: message.subject,
    streamSequence: message.seq,
    storedAt: new Date(Math.floor(message.info.timestampNanos / 1e6)),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  // Nest's exception layer turns a handler's throw into `{ status: 'error', message }`.
  return typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
}
