import 'reflect-metadata';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { JetStreamClient, JsMsg } from 'nats';
import { JetStreamContext, type JetStreamMessage } from './jetstream.context';
import { type JetStreamInbox, JetStreamServer } from './jetstream.server';
import type { Settlement } from './settlement';

/** A pulled message that records how it was settled. */
class FakeMessage {
  readonly settled: Array<'ack' | ['nak', number | undefined]> = [];
  readonly info = { timestampNanos: Date.parse('2026-03-02T09:00:00.000Z') * 1e6 };

  constructor(
    readonly seq: number,
    readonly data: Uint8Array,
    readonly subject = 'fq.test',
  ) {}

  ack(): void {
    this.settled.push('ack');
  }

  nak(delay?: number): void {
    this.settled.push(['nak', delay]);
  }
}

/** The messages of one consumer: pushed by the test, pulled by the server until closed. */
class FakeMessages implements AsyncIterable<JsMsg> {
  private readonly queue: FakeMessage[] = [];
  private waiting: (() => void) | null = null;
  private closed = false;

  push(message: FakeMessage): void {
    this.queue.push(message);
    this.waiting?.();
  }

  close(): Promise<void> {
    this.closed = true;
    this.waiting?.();
    return Promise.resolve();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsMsg> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        yield next as unknown as JsMsg;
        continue;
      }
      if (this.closed) {
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}

/** A JetStream client whose one consumer exists once `create()` was called. */
function fakeJetStream() {
  const messages = new FakeMessages();
  let exists = false;
  const consumer = {
    info: () => Promise.resolve({ config: {}, num_pending: 0, num_ack_pending: 0 }),
    consume: () => Promise.resolve(messages),
  };
  const client = {
    consumers: {
      get: () => (exists ? Promise.resolve(consumer) : Promise.reject(new Error('consumer not found'))),
    },
  } as unknown as JetStreamClient;
  return { client, messages, create: () => (exists = true) };
}

const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Admits messages whose text is not "bad", as pattern "greeting"; rejects the rest without a handler. */
const inbox: JetStreamInbox = {
  async receive(message, dispatch): Promise<Settlement> {
    if (text(message.data) === 'bad') {
      return 'ack';
    }
    const settlement = await dispatch('greeting', { text: text(message.data) }, message);
    return settlement === 'ack' ? 'ack' : 'retry';
  },
};

const handled: Array<{ text: string; streamSequence: number; storedAt: string }> = [];

@Controller()
class GreetingsController {
  @EventPattern('greeting')
  onGreeting(@Payload() payload: { text: string }, @Ctx() context: JetStreamContext): Settlement {
    if (payload.text === 'boom') {
      throw new Error('the handler failed');
    }
    handled.push({
      text: payload.text,
      streamSequence: context.streamSequence,
      storedAt: context.storedAt.toISOString(),
    });
    return payload.text === 'later' ? 'retry' : 'ack';
  }
}

@Module({ controllers: [GreetingsController] })
class GreetingsModule {}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met within 5 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('JetStreamServer', () => {
  let app: INestMicroservice;
  let server: JetStreamServer;
  let jetstream: ReturnType<typeof fakeJetStream>;

  beforeEach(async () => {
    handled.length = 0;
    jetstream = fakeJetStream();
    server = new JetStreamServer({
      connect: () => Promise.resolve(jetstream.client),
      bindings: [
        {
          stream: 'TEST',
          consumer: { durable: 'test' },
          inbox,
          concurrency: 4,
          redeliveryDelayMs: 5000,
          waitForConsumer: { initialMs: 5, maxMs: 20, why: 'which the test creates' },
        },
      ],
    });
    app = await NestFactory.createMicroservice(GreetingsModule, { strategy: server, logger: false });
  });

  afterEach(async () => {
    await app.close();
  });

  it('waits for its consumer, then hands admitted messages to the @EventPattern handler with their context', async () => {
    const listening = app.listen();
    await waitUntil(() => server.bindingStates[0] === 'waiting-for-consumer');
    jetstream.create();
    await listening;
    expect(server.bindingStates).toEqual(['consuming']);

    const hello = new FakeMessage(7, bytes('hello'));
    jetstream.messages.push(hello);
    await waitUntil(() => hello.settled.length > 0);

    expect(handled).toEqual([{ text: 'hello', streamSequence: 7, storedAt: '2026-03-02T09:00:00.000Z' }]);
    expect(hello.settled).toEqual(['ack']);
  });

  it('acknowledges what the inbox settles itself without calling a handler', async () => {
    jetstream.create();
    await app.listen();
    const bad = new FakeMessage(1, bytes('bad'));
    jetstream.messages.push(bad);
    await waitUntil(() => bad.settled.length > 0);

    expect(handled).toEqual([]);
    expect(bad.settled).toEqual(['ack']);
  });

  it('lets a message come again after the delay when the handler says retry or throws, and keeps going', async () => {
    jetstream.create();
    await app.listen();
    const later = new FakeMessage(1, bytes('later'));
    const boom = new FakeMessage(2, bytes('boom'));
    const fine = new FakeMessage(3, bytes('fine'));
    for (const message of [later, boom, fine]) {
      jetstream.messages.push(message);
    }
    await waitUntil(() => [later, boom, fine].every((message) => message.settled.length > 0));

    expect(later.settled).toEqual([['nak', 5000]]);
    expect(boom.settled).toEqual([['nak', 5000]]);
    expect(fine.settled).toEqual(['ack']);
    expect(handled.map((h) => h.text)).toEqual(['later', 'fine']);
  });

  it('stops waiting for its consumer when closed, and reports itself stopped', async () => {
    const listening = app.listen();
    await waitUntil(() => server.bindingStates[0] === 'waiting-for-consumer');
    await server.close();
    await listening;
    expect(server.bindingStates).toEqual(['stopped']);
  });

  it('dispatches a payload to its handler directly, as an in-memory transport does', async () => {
    await app.init();
    const message: JetStreamMessage = {
      data: new Uint8Array(),
      subject: 'fq.test',
      streamSequence: 3,
      storedAt: new Date('2026-03-02T10:00:00.000Z'),
    };
    await expect(server.dispatch('greeting', { text: 'direct' }, message)).resolves.toBe('ack');
    await expect(server.dispatch('greeting', { text: 'boom' }, message)).rejects.toMatchObject({ status: 'error' });
    await expect(server.dispatch('nobody', {}, message)).rejects.toThrow("no @EventPattern('nobody') handler");
    expect(handled).toEqual([{ text: 'direct', streamSequence: 3, storedAt: '2026-03-02T10:00:00.000Z' }]);
  });
});
