import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import {
  encodeEnvelope,
  openEnvelope,
  type QueryEnvelope,
  QueryResult,
  type ResultEnvelope,
  signEnvelope,
  siteResultSubject,
  SubmitQueryResponse,
} from '@fq/contracts';
import request from 'supertest';
import { type NatsServerHandle, startNatsServer, waitFor } from '@fq/process-kit';
import { mintDevTokenWithKeyFile } from '@fq/network-admin';
import { FEMALE_QUERY } from '../__fixtures__/test-broker';
import { type TestRegistry, testSigner, writeTestRegistry } from '../__fixtures__/test-registry';
import { createBrokerApp } from '../broker.app';
import { loadBrokerConfig } from '../config/config.loader';

jest.setTimeout(60_000);

const FLOOD = 300;
const PER_SECOND = 5;
const BURST = 10;

let nats: NatsServerHandle;
let site: NatsConnection;
let dir: string;
let registry: TestRegistry;
let broker: INestApplication;
let url: string;

beforeAll(async () => {
  nats = await startNatsServer();
  site = await connect({ servers: nats.url });
  dir = mkdtempSync(join(tmpdir(), 'fq-broker-flood-'));
  registry = writeTestRegistry(
    [
      ['site-a', 'Uniklinik A'],
      ['site-b', 'Uniklinik B'],
    ],
    dir,
  );
  const loaded = loadBrokerConfig({
    NATS_URL: nats.url,
    ...registry.env,
    BROKER_SQLITE_FILE: join(dir, 'broker.sqlite'),
    BROKER_HOST: '127.0.0.1',
    BROKER_PORT: '0',
    BROKER_DEV_ISSUER: 'true',
    BROKER_DEV_ISSUER_KEY_FILE: join(dir, 'dev-issuer.jwk'),
    BROKER_QUOTA_POLL_INTERVAL_SECONDS: '0',
    BROKER_SITE_MESSAGES_PER_SECOND: String(PER_SECOND),
    BROKER_SITE_MESSAGE_BURST: String(BURST),
  });
  if (!loaded.ok) {
    throw new Error(loaded.error.join('; '));
  }
  broker = await createBrokerApp(loaded.value, { logger: false });
  await broker.listen(0, '127.0.0.1');
  url = await broker.getUrl();
});

afterAll(async () => {
  await broker?.close();
  await site?.drain();
  await nats?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function bearer(user: string, role: 'researcher' | 'admin'): Promise<Record<string, string>> {
  const token = await mintDevTokenWithKeyFile(join(dir, 'dev-issuer.jwk'), { user, role, ttlSeconds: 600 });
  return { Authorization: `Bearer ${token}` };
}

/** A result of `siteId` signed with its registered key, as a site agent (or a compromised one) would send it. */
function resultOf(siteId: string, query: QueryEnvelope, queryId = query.payload.queryId): ResultEnvelope {
  const key = registry.sites.get(siteId)?.signing;
  if (key === undefined) {
    throw new Error(`${siteId} has no key`);
  }
  return signEnvelope<ResultEnvelope>(
    {
      id: randomUUID(),
      type: 'result',
      sentAt: new Date().toISOString(),
      expiresAt: query.expiresAt,
      sender: { kind: 'site', siteId },
      payload: {
        status: 'answered',
        queryId,
        siteId,
        queryHash: query.payload.queryHash,
        dataVersion: 'v1',
        result: { kind: 'count', protectedCount: 40 },
      },
    },
    testSigner(key),
  );
}

async function auditLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(registry.env.BROKER_AUDIT_LOG, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a site that floods the broker', () => {
  it('is read no faster than its rate, the broker keeps serving the others, and the episode is audited once', async () => {
    const submitted = await request(url)
      .post('/api/v1/queries')
      .set(await bearer('alice', 'researcher'))
      .send(FEMALE_QUERY)
      .expect(201);
    const { id } = SubmitQueryResponse.parse(submitted.body);
    const consumer = await site.jetstream().consumers.get('FQ_QUERIES', 'site-site-b');
    const query = await waitFor(async () => {
      const msg = await consumer.next({ expires: 1000 });
      msg?.ack();
      const opened =
        msg === null
          ? null
          : openEnvelope(msg.data, ['query'], (sender) =>
              sender.kind === 'broker' ? registry.broker.signing.publicKey : null,
            );
      return opened?.ok === true ? opened.value : null;
    }, 'the query for site-b');

    // site-a floods: validly signed results for queries that do not exist, each one audited if it were read.
    const js = site.jetstream();
    const flood = Array.from({ length: FLOOD }, () => resultOf('site-a', query, randomUUID()));
    await Promise.all(flood.map((envelope) => js.publish(siteResultSubject('site-a'), encodeEnvelope(envelope))));
    // site-b answers its query right behind the flood.
    await js.publish(siteResultSubject('site-b'), encodeEnvelope(resultOf('site-b', query)));

    const admin = await bearer('root', 'admin');
    const answered = await waitFor(async () => {
      const response = await request(url).get(`/api/v1/queries/${id}`).set(admin).expect(200);
      const result = QueryResult.parse(response.body);
      return result.sites.find((s) => s.siteId === 'site-b')?.status === 'answered' ? result : null;
    }, 'site-b’s answer');
    expect(answered.sites.find((s) => s.siteId === 'site-a')?.status).toBe('pending');

    // Once site-a kept within its rate for BURST / PER_SECOND seconds, the episode is on record, once.
    const episode = await waitFor(
      async () => (await auditLines()).find((line) => line.decision === 'dropped-flood') ?? null,
      'the flood episode in the audit log',
    );
    const lines = await auditLines();
    const floodEnvelopes = new Set(flood.map((envelope) => envelope.id));
    const readAndRefused = lines.filter(
      (line) => line.code === 'RESULT_QUERY_UNKNOWN' && floodEnvelopes.has(String(line.envelopeId)),
    );
    expect(lines.filter((line) => line.decision === 'dropped-flood')).toEqual([episode]);
    expect(episode).toMatchObject({
      code: 'BROKER_SITE_RATE_EXCEEDED',
      siteId: 'site-a',
      droppedHeartbeats: 0,
      perSecond: PER_SECOND,
      burst: BURST,
    });
    expect(Number(episode.droppedResults) + readAndRefused.length).toBe(FLOOD);
    expect(Number(episode.droppedResults)).toBeGreaterThan(FLOOD / 2);
    expect(lines.some((line) => line.siteId === 'site-b')).toBe(false);
  });
});
