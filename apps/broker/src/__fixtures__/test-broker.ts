import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  type HeartbeatPayload,
  type QueryEnvelope,
  type ResultPayload,
  type SiteId,
  siteHeartbeatSubject,
  siteResultSubject,
  SubmitQueryResponse,
  type UnsignedEnvelope,
} from '@fq/contracts';
import { type JetStreamMessage, JetStreamServer } from '@fq/jetstream-transport';
import request from 'supertest';
import { mintDevTokenWithKeyFile } from '@fq/network-admin';
import { createBrokerApp } from '../broker.app';
import type { Clock } from '../clock';
import { loadBrokerConfig } from '../config/config.loader';
import type { BrokerConfig } from '../config/config.schema';
import type { CallerRole } from '../identity/caller';
import {
  type BrokerTransport,
  isResultRejection,
  type ResultRejection,
  SiteMessagePattern,
} from '../transport/broker-transport';
import { createTestDatabase } from '../persistence/__fixtures__/test-databases';
import { writeTestRegistry } from './test-registry';

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start = '2026-03-02T09:00:00.000Z') {
    this.current = Date.parse(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The network, in memory: records published queries and hands what sites send, as if the envelope gate had admitted
 * it, to the broker's `@EventPattern` handlers.
 */
export class InMemoryBrokerTransport extends JetStreamServer implements BrokerTransport {
  readonly published: Array<{ siteId: SiteId; envelope: UnsignedEnvelope<QueryEnvelope> }> = [];
  failPublishing = false;
  /** Called before each publish, e.g. to check the query was stored first. */
  beforePublish: ((envelope: UnsignedEnvelope<QueryEnvelope>) => Promise<void>) | null = null;
  /** What a site sends, handed to the broker's handlers as stored by the network at `receivedAt`. */
  readonly handlers = {
    onResult: (result: ResultPayload, receivedAt: Date) => this.deliver(result, receivedAt),
    // Not awaited by its callers, as the network does not wait for the broker; a failure surfaces as a rejection.
    onHeartbeat: (heartbeat: HeartbeatPayload, receivedAt: Date): void =>
      void this.dispatch(
        SiteMessagePattern.Heartbeat,
        heartbeat,
        this.stored(siteHeartbeatSubject(heartbeat.siteId), receivedAt),
      ),
  };
  private sequence = 0;

  constructor() {
    super({ connect: () => Promise.reject(new Error('the in-memory network has no NATS')), bindings: [] });
  }

  override listen(callback: () => void): void {
    callback();
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  async publishQuery(siteId: SiteId, envelope: UnsignedEnvelope<QueryEnvelope>): Promise<void> {
    await this.beforePublish?.(envelope);
    if (this.failPublishing) {
      throw new Error('NATS unavailable');
    }
    this.published.push({ siteId, envelope });
  }

  /** Delivers a result as the results consumer would; resolves to the handler's rejection, or null when it counted. */
  async deliver(result: ResultPayload, receivedAt: Date): Promise<ResultRejection | null> {
    const rejection = await this.dispatch(
      SiteMessagePattern.Result,
      result,
      this.stored(siteResultSubject(result.siteId), receivedAt),
    );
    return isResultRejection(rejection) ? rejection : null;
  }

  private stored(subject: string, storedAt: Date): JetStreamMessage {
    return { data: new Uint8Array(), subject, streamSequence: ++this.sequence, storedAt };
  }
}

export const THREE_SITES = [
  ['site-a', 'Uniklinik A'],
  ['site-b', 'Uniklinik B'],
  ['site-c', 'Uniklinik C'],
] as const;

/** A broker for one test: in-memory network, manual clock, the given environment on top of test defaults. */
export interface TestBroker {
  app: INestApplication;
  config: BrokerConfig;
  transport: InMemoryBrokerTransport;
  clock: ManualClock;
  /** Where it listens, e.g. http://127.0.0.1:40123; supertest takes it as is. */
  url: string;
  /** A bearer token of the broker's development issuer, valid for an hour of the test clock. */
  tokenFor(user: string, role?: CallerRole): Promise<string>;
  /** `{ Authorization: 'Bearer …' }` for `user` in `role` (researcher by default). */
  as(user: string, role?: CallerRole): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Starts a broker in-process on a free local port with the test's own database. */
export async function startTestBroker(
  env: Record<string, string>,
  options: { transport?: InMemoryBrokerTransport; clock?: ManualClock } = {},
): Promise<TestBroker> {
  const keyDir = mkdtempSync(join(tmpdir(), 'fq-broker-issuer-'));
  const keyFile = join(keyDir, 'dev-issuer.jwk');
  const loaded = loadBrokerConfig({
    // The registry (sites.json with fresh keys) and the broker's signing seed live beside the issuer key.
    ...writeTestRegistry(THREE_SITES, keyDir).env,
    BROKER_DEV_ISSUER: 'true',
    BROKER_DEV_ISSUER_KEY_FILE: keyFile,
    // The manual clock stands still, so the submission quota and the polling limit are off unless a test sets them.
    BROKER_QUOTA_SOFT_AMOUNT: '0',
    BROKER_QUOTA_HARD_AMOUNT: '0',
    BROKER_QUOTA_POLL_INTERVAL_SECONDS: '0',
    ...env,
  });
  if (!loaded.ok) {
    rmSync(keyDir, { recursive: true, force: true });
    throw new Error(`test configuration invalid: ${loaded.error.join('; ')}`);
  }
  const transport = options.transport ?? new InMemoryBrokerTransport();
  const clock = options.clock ?? new ManualClock();
  let app: INestApplication;
  try {
    app = await createBrokerApp(loaded.value, { transport, clock, logger: false });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    rmSync(keyDir, { recursive: true, force: true });
    throw error;
  }
  const tokenFor = (user: string, role: CallerRole = 'researcher') =>
    mintDevTokenWithKeyFile(keyFile, { user, role, ttlSeconds: 3600 }, clock.now());
  return {
    app,
    config: loaded.value,
    transport,
    clock,
    url: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    tokenFor,
    as: async (user, role) => ({ Authorization: `Bearer ${await tokenFor(user, role)}` }),
    close: async () => {
      try {
        await app.close();
      } finally {
        rmSync(keyDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * `startTestBroker` on a fresh SQLite database of its own (`env` on top of the database's); `close()` stops the broker
 * and drops the database.
 */
export async function startSqliteTestBroker(
  env: Record<string, string> = {},
  options: { transport?: InMemoryBrokerTransport; clock?: ManualClock } = {},
): Promise<TestBroker> {
  const db = await createTestDatabase('sqlite');
  let broker: TestBroker;
  try {
    broker = await startTestBroker({ ...db.env, ...env }, options);
  } catch (error) {
    await db.drop();
    throw error;
  }
  return {
    ...broker,
    close: async () => {
      try {
        await broker.close();
      } finally {
        await db.drop();
      }
    },
  };
}

/** A small valid CCDL query: female patients. */
export const FEMALE_QUERY = {
  version: 'http://to_be_decided.com/draft-1/schema#',
  inclusionCriteria: [
    [
      {
        termCodes: [{ system: 'http://snomed.info/sct', code: '263495000', display: 'Gender' }],
        valueFilter: {
          type: 'concept',
          selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }],
        },
      },
    ],
  ],
};

/** Submits FEMALE_QUERY as `who` (a researcher); its id and the query hash the broker sent to the sites. */
export async function submitFemaleQuery(broker: TestBroker, who = 'alice'): Promise<{ id: string; hash: string }> {
  const response = await request(broker.url)
    .post('/api/v1/queries')
    .set(await broker.as(who))
    .send(FEMALE_QUERY)
    .expect(201);
  const { id } = SubmitQueryResponse.parse(response.body);
  return { id, hash: broker.transport.published.at(-1)?.envelope.payload.queryHash ?? '' };
}

/** An `answered` result with a protected count. */
export function answered(queryId: string, siteId: SiteId, queryHash: string, protectedCount: number): ResultPayload {
  return {
    status: 'answered',
    queryId,
    siteId,
    queryHash,
    dataVersion: 'v1',
    result: { kind: 'count', protectedCount },
  };
}
