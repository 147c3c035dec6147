import { connect, DiscardPolicy, type JetStreamManager, type NatsConnection, nanos, StorageType } from 'nats';
import {
  HEARTBEAT_STREAM,
  MAX_HEARTBEAT_ENVELOPE_BYTES,
  MAX_RESULT_ENVELOPE_BYTES,
  NATS_HEADER_ALLOWANCE_BYTES,
  QUERY_STREAM,
  RESULT_STREAM,
  siteHeartbeatSubject,
  siteResultSubject,
} from '@fq/contracts';
import { type NatsServerHandle, startNatsServer } from '@fq/process-kit';
import { DEFAULT_STREAM_LIMITS, ensureJetStreamTopology, type StreamLimits } from './jetstream-topology';

jest.setTimeout(30_000);

let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeEach(async () => {
  // A server of its own per test: each starts from no streams at all.
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await nc.jetstreamManager();
});

afterEach(async () => {
  await nc.close();
  await server.destroy();
});

const SMALL: StreamLimits = {
  resultMaxMsgBytes: 2048,
  resultsPerSite: 5,
  resultMaxBytes: 1024 * 1024,
  heartbeatMaxMsgBytes: 1024,
  heartbeatMaxBytes: 256 * 1024,
};

async function limitsOf(stream: string) {
  const { config } = await jsm.streams.info(stream);
  return {
    max_msg_size: config.max_msg_size,
    max_bytes: config.max_bytes,
    max_msgs_per_subject: config.max_msgs_per_subject,
    discard: config.discard,
  };
}

describe('the JetStream topology’s limits', () => {
  it('gives FQ_RESULTS and FQ_HEARTBEATS per-message, per-site and per-stream limits that discard the oldest', async () => {
    await ensureJetStreamTopology(jsm, ['site-a']);
    expect(await limitsOf(RESULT_STREAM.name)).toEqual({
      max_msg_size: MAX_RESULT_ENVELOPE_BYTES + NATS_HEADER_ALLOWANCE_BYTES,
      max_bytes: DEFAULT_STREAM_LIMITS.resultMaxBytes,
      max_msgs_per_subject: DEFAULT_STREAM_LIMITS.resultsPerSite,
      discard: DiscardPolicy.Old,
    });
    expect(await limitsOf(HEARTBEAT_STREAM.name)).toEqual({
      max_msg_size: MAX_HEARTBEAT_ENVELOPE_BYTES + NATS_HEADER_ALLOWANCE_BYTES,
      max_bytes: DEFAULT_STREAM_LIMITS.heartbeatMaxBytes,
      max_msgs_per_subject: 1,
      discard: DiscardPolicy.Old,
    });
    // Room for a site's own backlog of unread results however large its flood, many times over.
    expect(DEFAULT_STREAM_LIMITS.resultMaxBytes).toBeGreaterThanOrEqual(
      10 * DEFAULT_STREAM_LIMITS.resultsPerSite * DEFAULT_STREAM_LIMITS.resultMaxMsgBytes,
    );
  });

  it('applies the limits to streams that exist from an earlier version, keeping their messages', async () => {
    const week = nanos(7 * 24 * 3600 * 1000);
    await jsm.streams.add({ name: QUERY_STREAM.name, subjects: [...QUERY_STREAM.subjects], max_age: week });
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
    await nc.jetstream().publish(siteResultSubject('site-a'), new Uint8Array(500));
    expect((await jsm.streams.info(RESULT_STREAM.name)).config.max_msg_size).toBe(-1);

    await ensureJetStreamTopology(jsm, ['site-a'], SMALL);
    expect(await limitsOf(RESULT_STREAM.name)).toEqual({
      max_msg_size: 2048,
      max_bytes: 1024 * 1024,
      max_msgs_per_subject: 5,
      discard: DiscardPolicy.Old,
    });
    expect(await limitsOf(HEARTBEAT_STREAM.name)).toMatchObject({ max_msg_size: 1024, max_bytes: 256 * 1024 });
    expect((await jsm.streams.info(RESULT_STREAM.name)).state.messages).toBe(1);
  });

  it('refuses a message over the per-message limit at the server', async () => {
    await ensureJetStreamTopology(jsm, ['site-a'], SMALL);
    const js = nc.jetstream();
    await expect(js.publish(siteResultSubject('site-a'), new Uint8Array(4096))).rejects.toThrow(
      /message size exceeds maximum/,
    );
    await expect(js.publish(siteHeartbeatSubject('site-a'), new Uint8Array(2048))).rejects.toThrow(
      /message size exceeds maximum/,
    );
    await expect(js.publish(siteResultSubject('site-a'), new Uint8Array(1500))).resolves.toMatchObject({ seq: 1 });
  });

  it('lets a flooding site push out only its own results, never another site’s', async () => {
    await ensureJetStreamTopology(jsm, ['site-a', 'site-b'], SMALL);
    const js = nc.jetstream();
    const legitimate = await js.publish(siteResultSubject('site-b'), new TextEncoder().encode('{"answer":1}'));
    for (let i = 0; i < 50; i++) {
      await js.publish(siteResultSubject('site-a'), new Uint8Array(1000));
    }
    const info = await jsm.streams.info(RESULT_STREAM.name, { subjects_filter: '>' });
    expect(info.state.subjects).toEqual({ [siteResultSubject('site-a')]: 5, [siteResultSubject('site-b')]: 1 });
    const kept = await jsm.streams.getMessage(RESULT_STREAM.name, { seq: legitimate.seq });
    expect(new TextDecoder().decode(kept.data)).toBe('{"answer":1}');
  });
});
