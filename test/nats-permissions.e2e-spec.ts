import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  encodeEnvelope,
  envelopeSignerFromSeed,
  QUERY_STREAM,
  type QueryEnvelope,
  RESULT_STREAM,
  type ResultEnvelope,
  signEnvelope,
  siteQueryConsumerName,
  siteQuerySubject,
  siteResultSubject,
  type UnsignedEnvelope,
} from '@fq/contracts';
import { generateEnvelopeKey } from '@fq/network-admin';
import { connect, type NatsConnection } from 'nats';
import { z } from 'zod';
import { waitFor } from '@fq/process-kit';
import {
  adultsQuery,
  type BrokerHandle,
  type JetStreamProbe,
  natsLoginOptions,
  NetworkWorld,
  type SiteData,
  type WireTap,
} from './support';

const FORGED_COUNT = 4240;
const PERMISSIONS_VIOLATION = /Permissions Violation/;

/** The fields of the broker's audit log (BROKER_AUDIT_LOG) this suite looks at. */
const BrokerAuditLine = z.looseObject({
  code: z.string(),
  envelopeId: z.string().nullable(),
  siteId: z.string().nullable(),
});

async function brokerAudit(world: NetworkWorld): Promise<Array<z.infer<typeof BrokerAuditLine>>> {
  let text: string;
  try {
    text = await readFile(world.brokerAuditLog, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => BrokerAuditLine.parse(JSON.parse(line)));
}

/** A NATS connection that logs in with a site's own credentials, as a compromised site agent would. */
async function connectAsSite(world: NetworkWorld, siteId: string): Promise<NatsConnection> {
  return connect({
    servers: world.nats.url,
    name: `e2e-as-${siteId}`,
    ...natsLoginOptions(await world.siteLogin(siteId)),
  });
}

/** The query envelope the broker published for `siteId`, as the wire tap saw it. */
async function queryEnvelopeFor(tap: WireTap, siteId: string, queryId: string): Promise<QueryEnvelope> {
  return waitFor(
    () => {
      const envelope = tap
        .publishedOn(siteQuerySubject(siteId))
        .find(
          (message) => message.envelope?.type === 'query' && message.envelope.payload.queryId === queryId,
        )?.envelope;
      return envelope?.type === 'query' ? envelope : null;
    },
    `a query ${queryId} published for ${siteId}`,
    10_000,
  );
}

/** An `answered` result for `siteId` with a made-up count, signed with `signingSeed` (not necessarily the site's). */
function forgedResult(query: QueryEnvelope, siteId: string, signingSeed: string): ResultEnvelope {
  const signer = envelopeSignerFromSeed(signingSeed);
  if (!signer.ok) {
    throw new Error(signer.error.message);
  }
  const now = new Date();
  const unsigned: UnsignedEnvelope<ResultEnvelope> = {
    id: randomUUID(),
    type: 'result',
    sentAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 60_000).toISOString(),
    sender: { kind: 'site', siteId },
    payload: {
      queryId: query.payload.queryId,
      siteId,
      status: 'answered',
      queryHash: query.payload.queryHash,
      dataVersion: 'forged',
      result: { kind: 'count', protectedCount: FORGED_COUNT },
    },
  };
  return signEnvelope<ResultEnvelope>(unsigned, signer.value);
}

/** Every count the broker shows an admin for `siteId` in query `queryId`. */
async function siteAnswer(broker: BrokerHandle, queryId: string, siteId: string) {
  const result = await broker.client.result(queryId);
  return result.sites.find((site) => site.siteId === siteId);
}

// Per-site counts are shown to the admin whatever the number of sites, so a forged count would be visible.
const SHOW_EVERY_COUNT = {
  BROKER_THRESHOLD_RESULTS: '0',
  BROKER_THRESHOLD_SITES: '0',
  BROKER_THRESHOLD_SITES_RESULT: '0',
};

describe('per-site NATS permissions', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  let probe: JetStreamProbe;
  let own: { id: string; data: SiteData };
  let other: { id: string };

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    probe = await world.probe();
    const ownId = world.newSiteId('own');
    own = { id: ownId, data: await world.generateSite(ownId, 200) };
    // The other site never runs here: its queries wait in its consumer, where only it may read them.
    other = { id: world.newSiteId('other') };
    broker = await world.startBroker(world.brokerEnv([own.id, other.id], SHOW_EVERY_COUNT));
    await world.startSite(own.id, world.siteEnv(own.id, own.data));
  });

  afterAll(async () => {
    await probe?.close();
    await world?.close();
  });

  it("refuses a site's login to pull another site's queries or to subscribe to its query subject", async () => {
    const queryId = await broker.client.submit(adultsQuery());
    await broker.client.waitForResult(
      queryId,
      (result) => result.sites.some((site) => site.siteId === own.id && site.status === 'answered'),
      20_000,
    );
    const otherConsumer = siteQueryConsumerName(other.id);
    const before = await probe.consumerProgress(QUERY_STREAM.name, otherConsumer);
    expect(before.pending).toBeGreaterThanOrEqual(1);

    const nc = await connectAsSite(world, own.id);
    try {
      const js = nc.jetstream();
      // The same calls work on the site's own consumer, so what follows fails for want of permission only.
      await expect(js.consumers.get(QUERY_STREAM.name, siteQueryConsumerName(own.id))).resolves.toBeDefined();
      await expect(js.consumers.get(QUERY_STREAM.name, otherConsumer)).rejects.toThrow(PERMISSIONS_VIOLATION);
      const pullRequest = JSON.stringify({ batch: 10, no_wait: true });
      await expect(
        nc.request(`$JS.API.CONSUMER.MSG.NEXT.${QUERY_STREAM.name}.${otherConsumer}`, pullRequest, { timeout: 5000 }),
      ).rejects.toThrow(PERMISSIONS_VIOLATION);

      const received: string[] = [];
      const errors: Error[] = [];
      nc.subscribe(siteQuerySubject(other.id), {
        callback: (error, message) => (error === null ? received.push(message.subject) : errors.push(error)),
      });
      await waitFor(() => errors.length > 0, 'the subscription to be refused', 10_000);
      expect(errors[0]?.message).toMatch(PERMISSIONS_VIOLATION);

      // A new query for the other site is published after the refused subscription and never reaches this login.
      const later = await broker.client.submit(adultsQuery());
      await queryEnvelopeFor(tap, other.id, later);
      await nc.flush();
      expect(received).toEqual([]);
    } finally {
      await nc.close();
    }
    const after = await probe.consumerProgress(QUERY_STREAM.name, otherConsumer);
    expect(after.ackFloor).toBe(before.ackFloor);
    expect(after.pending).toBe(before.pending + 1);
  });

  it("refuses a site's login to publish another site's result, and the broker records nothing", async () => {
    const queryId = await broker.client.submit(adultsQuery());
    const query = await queryEnvelopeFor(tap, other.id, queryId);
    // The attacker has only its own keys: it signs the other site's result with its own envelope key.
    const forged = forgedResult(query, other.id, world.keysOf(own.id).signing.seed);

    const nc = await connectAsSite(world, own.id);
    try {
      await expect(
        nc
          .jetstream()
          .publish(siteResultSubject(other.id), encodeEnvelope(forged), { msgID: forged.id, timeout: 5000 }),
      ).rejects.toThrow(PERMISSIONS_VIOLATION);
    } finally {
      await nc.close();
    }
    await tap.flush();

    expect(tap.on(siteResultSubject(other.id))).toEqual([]);
    expect(await probe.storedOn(RESULT_STREAM.name, siteResultSubject(other.id))).toBe(0);
    expect(await siteAnswer(broker, queryId, other.id)).toMatchObject({ status: 'pending', count: null });
    expect((await brokerAudit(world)).filter((line) => line.siteId === other.id)).toEqual([]);
  });
});

describe('signed envelopes on permitted subjects', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let tap: WireTap;
  let probe: JetStreamProbe;
  let late: { id: string; data: SiteData };
  let running: { id: string; data: SiteData };

  beforeAll(async () => {
    world = await NetworkWorld.create();
    tap = await world.tap();
    probe = await world.probe();
    const lateId = world.newSiteId('late');
    const runningId = world.newSiteId('running');
    late = { id: lateId, data: await world.generateSite(lateId, 200, 11) };
    running = { id: runningId, data: await world.generateSite(runningId, 200, 13) };
    broker = await world.startBroker(
      world.brokerEnv([late.id, running.id], { ...SHOW_EVERY_COUNT, BROKER_QUERY_DEADLINE_SECONDS: '120' }),
    );
    await world.startSite(running.id, world.siteEnv(running.id, running.data));
  });

  afterAll(async () => {
    await probe?.close();
    await world?.close();
  });

  it('refuses and audits a result signed with a key the site did not register, and keeps the real answer', async () => {
    const queryId = await broker.client.submit(adultsQuery());
    const query = await queryEnvelopeFor(tap, late.id, queryId);
    // The site's own NATS login may publish here; only the signature gives the forgery away.
    const forged = forgedResult(query, late.id, generateEnvelopeKey().seed);
    const nc = await connectAsSite(world, late.id);
    try {
      await nc.jetstream().publish(siteResultSubject(late.id), encodeEnvelope(forged), { msgID: forged.id });
    } finally {
      await nc.close();
    }

    const audited = await waitFor(
      async () => (await brokerAudit(world)).find((line) => line.envelopeId === forged.id),
      () => world.tails(),
      15_000,
    );
    expect(audited).toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID', siteId: late.id });
    expect(await siteAnswer(broker, queryId, late.id)).toMatchObject({ status: 'pending', count: null });

    await world.startSite(late.id, world.siteEnv(late.id, late.data));
    const result = await broker.client.waitForResult(queryId, (r) => r.status === 'completed', 20_000);
    const real = tap
      .publishedOn(siteResultSubject(late.id))
      .map((message) => message.envelope)
      .find(
        (envelope) => envelope?.type === 'result' && envelope.id !== forged.id && envelope.payload.queryId === queryId,
      );
    expect(real?.type === 'result' && real.payload.status === 'answered' ? real.payload.result : null).toEqual({
      kind: 'count',
      protectedCount: result.sites.find((site) => site.siteId === late.id)?.count,
    });
    expect(result.sites.find((site) => site.siteId === late.id)?.count).not.toBe(FORGED_COUNT);
  });

  it('makes a site refuse and audit a query not signed by the broker, without answering it', async () => {
    const genuineId = await broker.client.submit(adultsQuery());
    const genuine = await queryEnvelopeFor(tap, running.id, genuineId);
    const signer = envelopeSignerFromSeed(generateEnvelopeKey().seed);
    if (!signer.ok) {
      throw new Error(signer.error.message);
    }
    const forgedQueryId = randomUUID();
    const { signature: _signature, ...unsigned } = genuine;
    const forged = signEnvelope<QueryEnvelope>(
      { ...unsigned, id: randomUUID(), payload: { ...unsigned.payload, queryId: forgedQueryId } },
      signer.value,
    );
    // The broker's login may publish where the site consumes; the site trusts only the broker's envelope key.
    const sequence = await probe.publish(siteQuerySubject(running.id), encodeEnvelope(forged), forged.id);

    const audited = await waitFor(
      async () => (await world.auditLog(running.id)).find((line) => line.queryId === forgedQueryId),
      () => world.tails(),
      15_000,
    );
    expect(audited).toMatchObject({ decision: 'rejected-message', code: 'ENVELOPE_SIGNATURE_INVALID' });
    await waitFor(
      async () =>
        (await probe.consumerProgress(QUERY_STREAM.name, siteQueryConsumerName(running.id))).ackFloor >= sequence,
      () => world.tails(),
      15_000,
    );

    // The site answers in order: once a query sent after the forgery is answered, any answer to it would be on the wire.
    const laterId = await broker.client.submit(adultsQuery());
    await broker.client.waitForResult(
      laterId,
      (result) => result.sites.some((site) => site.siteId === running.id && site.status === 'answered'),
      20_000,
    );
    await tap.flush();
    const answered = tap
      .publishedOn(siteResultSubject(running.id))
      .map((message) => (message.envelope?.type === 'result' ? message.envelope.payload.queryId : null));
    expect(answered).toContain(laterId);
    expect(answered).not.toContain(forgedQueryId);
  });
});
