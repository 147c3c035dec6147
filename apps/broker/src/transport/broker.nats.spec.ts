import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { connect, type Consumer, type NatsConnection } from 'nats';
import {
  encodeEnvelope,
  type HeartbeatEnvelope,
  openEnvelope,
  signEnvelope,
  type QueryEnvelope,
  QueryResult,
  type ResultEnvelope,
  siteHeartbeatSubject,
  siteResultSubject,
  SiteStateList,
  SubmitQueryResponse,
} from '@fq/contracts';
import request from 'supertest';
import { mintDevTokenWithKeyFile } from '@fq/network-admin';
import { type NatsServerHandle as TestNatsServer, openEventStream, startNatsServer, waitFor } from '@fq/process-kit';
import { FEMALE_QUERY } from '../__fixtures__/test-broker';
import { type TestRegistry, testSigner, writeTestRegistry } from '../__fixtures__/test-registry';
import { createBrokerApp } from '../broker.app';
import { loadBrokerConfig } from '../config/config.loader';
import { RESULTS_CONSUMER } from './jetstream-topology';

// Generous for a slow CI machine; a hang fails here instead of holding the run.
jest.setTimeout(30_000);

let nats: TestNatsServer;
let site: NatsConnection;
let dir: string;
let registry: TestRegistry;

beforeAll(async () => {
  nats = await startNatsServer();
  site = await connect({ servers: nats.url });
  dir = mkdtempSync(join(tmpdir(), 'fq-broker-nats-'));
  registry = writeTestRegistry([['site-a', 'Uniklinik A']], dir);
});

afterAll(async () => {
  await site.drain();
  await nats.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the real broker in-process on a free port, with its own SQLite file, against the test's nats-server. */
async function startBroker(sqliteFile: string): Promise<{ app: INestApplication; url: string }> {
  const loaded = loadBrokerConfig({
    NATS_URL: nats.url,
    ...registry.env,
    BROKER_SQLITE_FILE: sqliteFile,
    BROKER_HOST: '127.0.0.1',
    BROKER_PORT: '0',
    // One site: let its count show.
    BROKER_THRESHOLD_RESULTS: '0',
    BROKER_THRESHOLD_SITES: '1',
    BROKER_DEV_ISSUER: 'true',
    BROKER_DEV_ISSUER_KEY_FILE: join(dir, 'dev-issuer.jwk'),
    // The test reads a result as often as it needs to.
    BROKER_QUOTA_POLL_INTERVAL_SECONDS: '0',
  });
  if (!loaded.ok) {
    throw new Error(loaded.error.join('; '));
  }
  const app = await createBrokerApp(loaded.value, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

/** Reads the next query from the site's durable consumer, as a site agent would. */
async function receiveQuery(consumer: Consumer): Promise<{ envelope: QueryEnvelope; msgId: string | undefined }> {
  return waitFor(async () => {
    const msg = await consumer.next({ expires: 1000 });
    if (msg === null) {
      return null;
    }
    // Signed by the broker's key from the registry, as a site agent verifies it.
    const decoded = openEnvelope(msg.data, ['query'], (sender) =>
      sender.kind === 'broker' ? registry.broker.signing.publicKey : null,
    );
    msg.ack();
    if (!decoded.ok) {
      throw new Error(decoded.error.message);
    }
    return { envelope: decoded.value, msgId: msg.headers?.get('Nats-Msg-Id') };
  }, 'a query on the site consumer');
}

function siteSigner() {
  const key = registry.sites.get('site-a')?.signing;
  if (key === undefined) {
    throw new Error('site-a has no key');
  }
  return testSigner(key);
}

/** Publishes the site's answer as a site agent would; returns its envelope id. */
async function publishAnswer(
  query: QueryEnvelope,
  protectedCount: number,
  payload: Partial<{ queryHash: string }> = {},
): Promise<string> {
  const envelope = signEnvelope<ResultEnvelope>(
    {
      id: randomUUID(),
      type: 'result',
      sentAt: new Date().toISOString(),
      expiresAt: query.expiresAt,
      sender: { kind: 'site', siteId: 'site-a' },
      payload: {
        status: 'answered',
        queryId: query.payload.queryId,
        siteId: 'site-a',
        queryHash: payload.queryHash ?? query.payload.queryHash,
        dataVersion: 'v1',
        result: { kind: 'count', protectedCount },
      },
    },
    siteSigner(),
  );
  await site.jetstream().publish(siteResultSubject('site-a'), encodeEnvelope(envelope), { msgID: envelope.id });
  return envelope.id;
}

/** The broker's audit log, line by line. */
async function auditLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(registry.env.BROKER_AUDIT_LOG, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A researcher's bearer token from the broker's development issuer. */
async function researcher(): Promise<Record<string, string>> {
  const token = await mintDevTokenWithKeyFile(join(dir, 'dev-issuer.jwk'), {
    user: 'alice',
    role: 'researcher',
    ttlSeconds: 600,
  });
  return { Authorization: `Bearer ${token}` };
}

async function submit(url: string): Promise<string> {
  const response = await request(url)
    .post('/api/v1/queries')
    .set(await researcher())
    .send(FEMALE_QUERY)
    .expect(201);
  return SubmitQueryResponse.parse(response.body).id;
}

async function view(url: string, id: string): Promise<QueryResult> {
  const response = await request(url)
    .get(`/api/v1/queries/${id}`)
    .set(await researcher())
    .expect(200);
  return QueryResult.parse(response.body);
}

describe('broker on NATS JetStream', () => {
  it('sends a query to the site consumer and shows the answer in GET and in the event stream', async () => {
    const broker = await startBroker(join(dir, 'first.sqlite'));
    try {
      const jsm = await site.jetstreamManager();
      for (const stream of ['FQ_QUERIES', 'FQ_RESULTS', 'FQ_HEARTBEATS']) {
        expect((await jsm.streams.info(stream)).config.name).toBe(stream);
      }
      expect((await jsm.consumers.info('FQ_QUERIES', 'site-site-a')).config.filter_subject).toBe(
        'fq.sites.site-a.queries',
      );
      expect((await jsm.consumers.info('FQ_RESULTS', RESULTS_CONSUMER)).config.durable_name).toBe(RESULTS_CONSUMER);

      const id = await submit(broker.url);
      const events = await openEventStream(`${broker.url}/api/v1/queries/${id}/events`, await researcher());
      const { envelope, msgId } = await receiveQuery(await site.jetstream().consumers.get('FQ_QUERIES', 'site-site-a'));
      expect(msgId).toBe(envelope.id);
      expect(envelope.payload.queryId).toBe(id);
      expect(envelope.expiresAt).toBe((await view(broker.url, id)).expiresAt);

      // Garbage and a result posing as another site are acknowledged and ignored; the consumer keeps going.
      await site.jetstream().publish(siteResultSubject('site-a'), new TextEncoder().encode('{not json'));
      await publishAnswer({ ...envelope, payload: { ...envelope.payload, queryId: randomUUID() } }, 5);
      await publishAnswer(envelope, 120);

      const received = await events.ended;
      expect(received.map((event) => event.event)).toEqual(['site-result', 'completed']);
      const result = await view(broker.url, id);
      expect(result).toMatchObject({ status: 'completed', total: 120, reportedSites: 1 });
      expect(result.sites).toEqual([{ site: 'Site 1', status: 'answered', count: 120 }]);
    } finally {
      await broker.app.close();
    }
  });

  it('audits every result it refuses on its merits: unknown query, another query’s hash, an answer after completion', async () => {
    const broker = await startBroker(join(dir, 'refusals.sqlite'));
    try {
      const id = await submit(broker.url);
      const { envelope } = await receiveQuery(await site.jetstream().consumers.get('FQ_QUERIES', 'site-site-a'));
      const unknownQuery = await publishAnswer(
        { ...envelope, payload: { ...envelope.payload, queryId: randomUUID() } },
        5,
      );
      const otherHash = await publishAnswer(envelope, 10, { queryHash: 'e'.repeat(64) });
      await publishAnswer(envelope, 120);
      await waitFor(async () => ((await view(broker.url, id)).status === 'completed' ? true : null), 'the answer');
      const second = await publishAnswer(envelope, 990);

      const refused = await waitFor(async () => {
        const lines = await auditLines();
        const mine = [unknownQuery, otherHash, second].map((envelopeId) =>
          lines.find((l) => l.envelopeId === envelopeId),
        );
        return mine.every((line) => line !== undefined) ? mine : null;
      }, 'three audit lines');
      expect(refused.map((line) => [line?.decision, line?.code, line?.siteId])).toEqual([
        ['rejected', 'RESULT_QUERY_UNKNOWN', 'site-a'],
        ['rejected', 'RESULT_QUERY_HASH_MISMATCH', 'site-a'],
        // The query completed with the first answer, so a second one comes too late to count.
        ['rejected', 'RESULT_LATE', 'site-a'],
      ]);
      expect(await view(broker.url, id)).toMatchObject({ status: 'completed', total: 120 });
    } finally {
      await broker.app.close();
    }
  });

  it('shows a site online once its heartbeat arrives, and again after a restart from the last heartbeat kept', async () => {
    let broker = await startBroker(join(dir, 'heartbeat.sqlite'));
    try {
      const heartbeat = signEnvelope<HeartbeatEnvelope>(
        {
          id: randomUUID(),
          type: 'heartbeat',
          sentAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
          sender: { kind: 'site', siteId: 'site-a' },
          payload: {
            siteId: 'site-a',
            agentVersion: '0.9.0',
            dataVersion: 'd1',
            dataLoadedAt: '2026-03-01T22:00:00.000Z',
            state: 'ready',
            maxCriteria: 50,
          },
        },
        siteSigner(),
      );
      await site.jetstream().publish(siteHeartbeatSubject('site-a'), encodeEnvelope(heartbeat));
      const [state] = await waitFor(async () => {
        const sites = SiteStateList.parse((await request(broker.url).get('/api/v1/sites').expect(200)).body);
        return sites[0].online ? sites : null;
      }, 'site-a online');
      expect(state).toMatchObject({ id: 'site-a', agentVersion: '0.9.0', dataFreshness: '2026-03-01T22:00:00.000Z' });

      await broker.app.close();
      broker = await startBroker(join(dir, 'heartbeat.sqlite'));
      const [again] = await waitFor(async () => {
        const sites = SiteStateList.parse((await request(broker.url).get('/api/v1/sites').expect(200)).body);
        return sites[0].lastHeartbeat !== null ? sites : null;
      }, 'the kept heartbeat after a restart');
      expect(again).toMatchObject({ online: true, lastHeartbeat: state.lastHeartbeat });
    } finally {
      await broker.app.close();
    }
  });

  it('collects a result that arrived while the broker was down', async () => {
    const sqliteFile = join(dir, 'restart.sqlite');
    let broker = await startBroker(sqliteFile);
    const id = await submit(broker.url);
    const { envelope } = await receiveQuery(await site.jetstream().consumers.get('FQ_QUERIES', 'site-site-a'));
    await broker.app.close();

    await publishAnswer(envelope, 70);

    broker = await startBroker(sqliteFile);
    try {
      // Start-up hands the backlog over before it serves HTTP.
      expect(await view(broker.url, id)).toMatchObject({ status: 'completed', total: 70, reportedSites: 1 });
    } finally {
      await broker.app.close();
    }
  });
});
