import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { hashQuery, type StructuredQuery } from '@fq/ccdl';
import {
  decodeEnvelope,
  encodeEnvelope,
  HEARTBEAT_STREAM,
  QUERY_STREAM,
  type QueryEnvelope,
  queryEnvelopeId,
  RESULT_STREAM,
  siteHeartbeatSubject,
  siteQueryConsumerName,
  siteQuerySubject,
  siteResultSubject,
  signEnvelope,
} from '@fq/contracts';
import { createIndexBuilder, evaluateQuery, ingestFhir } from '@fq/engine';
import { generateSyntheticSite } from '@fq/synthetic';
import { AckPolicy, connect, type JetStreamManager, type Msg, nanos, type NatsConnection, StorageType } from 'nats';
import { type NatsServerHandle, startNatsServer, waitFor } from '@fq/process-kit';
import { loadSiteAgentConfig } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { scanJson, signerOf, TEST_BROKER_KEY, TEST_SITE_KEY } from '../queries/__fixtures__/site-world';
import { deriveResultEnvelopeId } from '../queries/result-envelope';
import { createSiteAgentApp, startSiteAgent } from '../site-agent.app';
import { SITE_AGENT_VERSION } from './heartbeat.publisher';
import { SiteQueriesServer } from './site-queries.server';

jest.setTimeout(60_000);

const EVALUATION_DATE = '2025-06-30';

/** Keeps every log line the agent writes, as text. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]): void => void this.lines.push(JSON.stringify(args));
  warn = (...args: unknown[]): void => void this.lines.push(JSON.stringify(args));
  error = (...args: unknown[]): void => void this.lines.push(JSON.stringify(args));
  debug = (...args: unknown[]): void => void this.lines.push(JSON.stringify(args));
  verbose = (...args: unknown[]): void => void this.lines.push(JSON.stringify(args));
  fatal = (...args: unknown[]): void => void this.lines.push(JSON.stringify(args));
}

interface TappedMessage {
  subject: string;
  text: string;
  msgId: string | null;
}

function genderQuery(gender: 'female' | 'male'): StructuredQuery {
  return {
    inclusionCriteria: [
      [
        {
          context: { system: 'fdpg.mii.cds', code: 'Patient' },
          termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }],
          valueFilter: {
            type: 'concept',
            selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: gender }],
          },
        },
      ],
    ],
  };
}

describe('site agent over NATS JetStream', () => {
  let dir: string;
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let app: INestMicroservice;
  let config: SiteAgentConfig;
  let ready: string | null;
  let query: StructuredQuery;
  let exactCount: number;
  const logger = new CapturingLogger();
  const tapped: TappedMessage[] = [];
  const siteId = `site-${randomUUID().slice(0, 8)}`;

  const resultsFor = (queryId: string): TappedMessage[] =>
    tapped.filter((m) => m.subject === siteResultSubject(siteId) && m.text.includes(queryId));

  function envelopeFor(q: StructuredQuery, expiresAt = new Date(Date.now() + 600_000), to = siteId): QueryEnvelope {
    const queryId = randomUUID();
    return signEnvelope<QueryEnvelope>(
      {
        id: queryEnvelopeId(queryId, to),
        type: 'query',
        sentAt: new Date().toISOString(),
        expiresAt: expiresAt.toISOString(),
        sender: { kind: 'broker' },
        payload: { queryId, queryHash: hashQuery(q), query: q, requester: 'researcher-e2e' },
      },
      signerOf(TEST_BROKER_KEY),
    );
  }

  async function publishQuery(envelope: QueryEnvelope): Promise<void> {
    await nc.jetstream().publish(siteQuerySubject(siteId), encodeEnvelope(envelope), { msgID: envelope.id });
  }

  /** Waits until the site's consumer has delivered and acknowledged everything published so far. */
  async function waitUntilConsumed(): Promise<void> {
    await waitFor(async () => {
      const info = await jsm.consumers.info(QUERY_STREAM.name, siteQueryConsumerName(siteId));
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 'the site consumer to be drained');
  }

  async function auditLines(): Promise<Array<Record<string, unknown>>> {
    const text = await readFile(config.auditLogFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** No tapped message may carry a raw count, and no envelope may carry the exact count anywhere. */
  function expectWireClean(): void {
    for (const message of tapped) {
      expect(message.text).not.toMatch(/rawCount/);
      const decoded = decodeEnvelope(new TextEncoder().encode(message.text), ['query', 'result', 'heartbeat']);
      if (decoded.ok) {
        expect(scanJson(decoded.value).numbers).not.toContain(exactCount);
      }
    }
    for (const line of logger.lines) {
      expect(line).not.toMatch(/rawCount/);
      expect(line).not.toMatch(new RegExp(`(count|Count)\\D{0,4}${exactCount}\\b`));
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'site-agent-nats-'));
    const dataDir = join(dir, 'data');
    await generateSyntheticSite({ patients: 53, seed: 'site-agent-nats-spec', outDir: dataDir });

    // The exact counts, computed beside the agent from the same files, for the wire check only.
    const builder = createIndexBuilder();
    await ingestFhir([dataDir], builder);
    const index = builder.finish();
    const candidates = (['female', 'male'] as const).map((g) => ({
      q: genderQuery(g),
      exact: evaluateQuery(index, genderQuery(g), { evaluationDate: EVALUATION_DATE }).rawCount,
    }));
    const chosen = candidates.find((c) => c.exact > 10 && c.exact % 10 !== 0);
    if (chosen === undefined) {
      throw new Error(
        `no gender query with an exact count > 10 that rounding cannot hit: ${JSON.stringify(candidates)}`,
      );
    }
    query = chosen.q;
    exactCount = chosen.exact;

    server = await startNatsServer({ storeDir: join(dir, 'jetstream') });
    nc = await connect({ servers: server.url, name: 'site-agent-nats-spec' });
    nc.subscribe('>', {
      callback: (_error, msg: Msg) => {
        tapped.push({
          subject: msg.subject,
          text: new TextDecoder().decode(msg.data),
          msgId: msg.headers?.get('Nats-Msg-Id') ?? null,
        });
      },
    });
    // Streams as the broker creates them (decision 0005); the site's consumer comes later.
    jsm = await nc.jetstreamManager();
    const week = nanos(7 * 24 * 3600 * 1000);
    await jsm.streams.add({
      name: QUERY_STREAM.name,
      subjects: [...QUERY_STREAM.subjects],
      storage: StorageType.File,
      max_age: week,
    });
    await jsm.streams.add({
      name: RESULT_STREAM.name,
      subjects: [...RESULT_STREAM.subjects],
      storage: StorageType.File,
      max_age: week,
    });
    await jsm.streams.add({
      name: HEARTBEAT_STREAM.name,
      subjects: [...HEARTBEAT_STREAM.subjects],
      storage: StorageType.File,
      max_msgs_per_subject: 1,
    });

    // State left by an older version, open to others: the agent must narrow it at start.
    await mkdir(join(dir, 'state'), { mode: 0o755 });
    await chmod(join(dir, 'state'), 0o755);
    await writeFile(join(dir, 'state', 'processed-queries.jsonl'), '', { mode: 0o644 });
    await chmod(join(dir, 'state', 'processed-queries.jsonl'), 0o644);

    const loaded = loadSiteAgentConfig(
      {
        NATS_URL: server.url,
        SITE_ID: siteId,
        SITE_DATA: dataDir,
        SITE_STATE_DIR: join(dir, 'state'),
        SITE_HEARTBEAT_SECONDS: '1',
        SITE_EVALUATION_DATE: EVALUATION_DATE,
        SITE_SIGNING_KEY: TEST_SITE_KEY.seed,
        SITE_BROKER_PUBLIC_KEY: TEST_BROKER_KEY.publicKey,
      },
      dir,
    );
    if (!loaded.ok) {
      throw loaded.error;
    }
    config = loaded.value.config;
    app = await createSiteAgentApp(config, { bindRetry: { initialMs: 50, maxMs: 200 }, logger });
    const starting = startSiteAgent(app);
    const transport = app.get(SiteQueriesServer);
    await waitFor(() => transport.state === 'waiting-for-consumer', 'the agent to wait for its consumer');

    // The broker registers the site: its durable pull consumer, filtered to its own subject.
    await jsm.consumers.add(QUERY_STREAM.name, {
      durable_name: siteQueryConsumerName(siteId),
      filter_subject: siteQuerySubject(siteId),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
    });
    ready = await starting;
  });

  afterAll(async () => {
    await app?.close();
    await nc?.drain();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits for the broker to create its consumer, logs why, then reports READY', () => {
    expect(ready).toMatch(
      new RegExp(`^READY site-agent ${siteId} consumer=site-${siteId} dataVersion=[0-9a-f]{64} approval=auto$`),
    );
    expect(logger.lines.some((l) => l.includes(`waiting for consumer site-${siteId} on stream FQ_QUERIES`))).toBe(true);
  });

  it('answers a query with a protected count and never puts the exact count on the wire', async () => {
    const envelope = envelopeFor(query);
    await publishQuery(envelope);
    await waitFor(() => resultsFor(envelope.payload.queryId).length > 0, 'the result envelope');

    const [message] = resultsFor(envelope.payload.queryId);
    const decoded = decodeEnvelope(new TextEncoder().encode(message.text), ['result']);
    if (!decoded.ok) {
      throw new Error(`invalid result envelope: ${decoded.error.message}`);
    }
    const result = decoded.value;
    expect(result.id).toBe(deriveResultEnvelopeId(envelope.payload.queryId, siteId));
    expect(message.msgId).toBe(result.id);
    expect(result.payload).toMatchObject({ status: 'answered', siteId, queryHash: envelope.payload.queryHash });
    if (result.payload.status !== 'answered') {
      throw new Error('expected an answer');
    }
    const protectedResult = result.payload.result;
    const publishedCount = protectedResult.kind === 'count' ? protectedResult.protectedCount : null;
    expect(Object.keys(protectedResult).sort()).toEqual(
      publishedCount === null ? ['kind', 'threshold'] : ['kind', 'protectedCount'],
    );
    expect(publishedCount === null || publishedCount % 10 === 0).toBe(true);
    expect(publishedCount).not.toBe(exactCount);
    await waitUntilConsumed();
    const audit = await auditLines();
    expect(audit).toContainEqual(
      expect.objectContaining({ decision: 'answered', queryId: envelope.payload.queryId, protectedResult }),
    );
    expect(JSON.stringify(audit)).not.toMatch(/rawCount/);
    expect(scanJson(audit).numbers).not.toContain(exactCount);
    expectWireClean();
  });

  it('answers a query once, and rejects and audits the copy the broker addressed to another site', async () => {
    const envelope = envelopeFor(query);
    await publishQuery(envelope);
    await waitFor(() => resultsFor(envelope.payload.queryId).length > 0, 'the first answer');
    await waitUntilConsumed();

    // Another site's copy of the same query (its own envelope id, so JetStream does not deduplicate it), replayed here.
    const { signature: _signature, ...unsigned } = envelope;
    const elsewhere = signEnvelope<QueryEnvelope>(
      { ...unsigned, id: queryEnvelopeId(unsigned.payload.queryId, 'site-other') },
      signerOf(TEST_BROKER_KEY),
    );
    await publishQuery(elsewhere);
    await waitUntilConsumed();

    expect(resultsFor(envelope.payload.queryId)).toHaveLength(1);
    const lines = (await auditLines()).filter((l) => l.queryId === envelope.payload.queryId);
    expect(lines.map((l) => [l.decision, l.code, l.envelopeId])).toEqual([
      ['answered', null, envelope.id],
      ['rejected-message', 'ENVELOPE_SITE_MISMATCH', elsewhere.id],
    ]);
  });

  it('acks and audits a malformed message and keeps answering', async () => {
    await nc.jetstream().publish(siteQuerySubject(siteId), new TextEncoder().encode('{"type":"query", oops'));
    const envelope = envelopeFor(query);
    await publishQuery(envelope);
    await waitFor(() => resultsFor(envelope.payload.queryId).length > 0, 'the answer after the malformed message');
    await waitUntilConsumed();

    expect(await auditLines()).toContainEqual(
      expect.objectContaining({ decision: 'rejected-message', code: 'ENVELOPE_JSON_INVALID' }),
    );
    const info = await jsm.consumers.info(QUERY_STREAM.name, siteQueryConsumerName(siteId));
    expect(info.num_ack_pending).toBe(0);
  });

  it('acks an expired query without answering it', async () => {
    const envelope = envelopeFor(query, new Date(Date.now() - 1000));
    await publishQuery(envelope);
    await waitUntilConsumed();
    await waitFor(
      async () => (await auditLines()).some((l) => l.queryId === envelope.payload.queryId),
      'the expired audit line',
    );

    expect(resultsFor(envelope.payload.queryId)).toHaveLength(0);
    expect((await auditLines()).find((l) => l.queryId === envelope.payload.queryId)).toMatchObject({
      decision: 'expired',
    });
  });

  it('keeps every file of its state directory to its owner: files 0600, directories 0700', async () => {
    const envelope = envelopeFor(query);
    await publishQuery(envelope);
    await waitFor(() => resultsFor(envelope.payload.queryId).length > 0, 'an answer');
    await waitUntilConsumed();

    const modes: Record<string, string> = {};
    const pending = [config.stateDir];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      modes[`${next.slice(config.stateDir.length)}/`] = ((await lstat(next)).mode & 0o777).toString(8);
      for (const entry of await readdir(next, { withFileTypes: true })) {
        const path = join(next, entry.name);
        if (entry.isDirectory()) {
          pending.push(path);
        } else {
          modes[path.slice(config.stateDir.length)] = ((await lstat(path)).mode & 0o777).toString(8);
        }
      }
    }
    expect(Object.keys(modes)).toEqual(
      expect.arrayContaining(['/', '/audit.jsonl', '/processed-queries.jsonl', '/site-secret']),
    );
    // Whatever else is kept there (approvals, ledgers, …) follows the same rule.
    const expected = Object.fromEntries(Object.keys(modes).map((path) => [path, path.endsWith('/') ? '700' : '600']));
    expect(modes).toEqual(expected);
    expect(logger.lines.some((l) => l.includes('narrowed the mode') && l.includes('processed-queries.jsonl'))).toBe(
      true,
    );
  });

  it('publishes heartbeats with its version, data version and criteria limit', async () => {
    await waitFor(() => tapped.some((m) => m.subject === siteHeartbeatSubject(siteId)), 'a heartbeat');
    const beat = tapped.find((m) => m.subject === siteHeartbeatSubject(siteId));
    const decoded = decodeEnvelope(new TextEncoder().encode(beat?.text ?? ''), ['heartbeat']);
    if (!decoded.ok) {
      throw new Error(`invalid heartbeat: ${decoded.error.message}`);
    }
    expect(decoded.value.payload).toMatchObject({
      siteId,
      agentVersion: SITE_AGENT_VERSION,
      dataVersion: ready?.match(/dataVersion=([0-9a-f]{64})/)?.[1],
      state: 'ready',
      maxCriteria: config.policy.maxCriteria,
    });
    expectWireClean();
  });
});
