import { randomUUID } from 'node:crypto';
import {
  admitted,
  createSiteWorld,
  FEMALE_QUERY,
  GENDER_CRITERION,
  queryEnvelope,
  SITE_ID,
  type SiteWorld,
  type WorldOptions,
} from './__fixtures__/site-world';
import { deriveResultEnvelopeId } from './result-envelope';

describe('QueryAdmissionService', () => {
  let world: SiteWorld;

  async function open(options: WorldOptions = {}): Promise<SiteWorld> {
    world = await createSiteWorld(options);
    return world;
  }

  afterEach(async () => {
    await world.close();
  });

  describe('refusing', () => {
    it('refuses a query whose queryHash does not match its canonical hash', async () => {
      const w = await open();
      const envelope = queryEnvelope(FEMALE_QUERY, { queryHash: 'a'.repeat(64) });

      await expect(w.admit(envelope)).resolves.toBe('ack');

      expect(w.publisher.published[0].payload).toMatchObject({ status: 'refused', code: 'SITE_QUERY_HASH_MISMATCH' });
      expect((await w.auditLines())[0]).toMatchObject({ decision: 'refused', code: 'SITE_QUERY_HASH_MISMATCH' });
    });

    it('refuses a criterion whose context the site does not answer', async () => {
      const w = await open({ policy: { allowedContexts: ['Diagnose'] } });
      await w.admit(queryEnvelope());

      const payload = w.publisher.published[0].payload;
      expect(payload).toMatchObject({ status: 'refused', code: 'SITE_POLICY_REFUSED' });
      expect(payload.status === 'refused' ? payload.reason : '').toMatch(/context Patient is not answered/);
    });

    it('refuses a term code from a code system the site does not answer', async () => {
      const w = await open({ policy: { allowedCodeSystems: ['http://loinc.org'] } });
      await w.admit(queryEnvelope());

      const payload = w.publisher.published[0].payload;
      expect(payload).toMatchObject({ status: 'refused', code: 'SITE_POLICY_REFUSED' });
      expect(payload.status === 'refused' ? payload.reason : '').toMatch(/code system http:\/\/snomed\.info\/sct/);
    });

    it('refuses a query with more criteria than the site allows', async () => {
      const w = await open({ policy: { maxCriteria: 2 } });
      const query = { inclusionCriteria: [[GENDER_CRITERION], [GENDER_CRITERION], [GENDER_CRITERION]] };
      await w.admit(queryEnvelope(query));

      const payload = w.publisher.published[0].payload;
      expect(payload).toMatchObject({ status: 'refused', code: 'SITE_POLICY_REFUSED' });
      expect(payload.status === 'refused' ? payload.reason : '').toMatch(/3 criteria; this site answers at most 2/);
    });

    it('refuses with SITE_RATE_LIMITED past the limit and admits again once the window moved on', async () => {
      const w = await open({ policy: { rateLimit: 2, rateIntervalSeconds: 60 } });
      for (let i = 0; i < 3; i++) {
        await w.admit(queryEnvelope());
      }
      expect(w.publisher.published.map((e) => e.payload.status)).toEqual(['answered', 'answered', 'refused']);
      expect(w.publisher.published[2].payload).toMatchObject({ code: 'SITE_RATE_LIMITED' });

      w.clock.advance(60_000);
      await w.admit(queryEnvelope());
      expect(w.publisher.published[3].payload.status).toBe('answered');
    });

    it('records a refused query so a redelivery is not refused twice', async () => {
      const w = await open({ policy: { maxCriteria: 0 } });
      const envelope = queryEnvelope();
      await w.admit(envelope);
      await w.admit(envelope);
      expect(w.publisher.published).toHaveLength(1);
      expect(w.processed.get(envelope.payload.queryId)?.decision).toBe('refused');
    });
  });

  describe('delivery rules', () => {
    it('acks an expired query without evaluating or answering it and audits it as expired', async () => {
      const w = await open();
      const envelope = queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T09:59:59.000Z' });

      await expect(w.admission.admitExpired(admitted(envelope))).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(0);
      expect(await w.auditLines()).toEqual([
        expect.objectContaining({ decision: 'expired', queryId: envelope.payload.queryId, protectedResult: null }),
      ]);
      expect(w.processed.get(envelope.payload.queryId)?.decision).toBe('expired');
    });

    it('acks a finished query that comes again after its deadline without a second audit line', async () => {
      const w = await open();
      const envelope = queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T10:05:00.000Z' });
      await expect(w.admit(envelope, 5)).resolves.toBe('ack');

      w.clock.advance(10 * 60_000);
      await expect(w.admission.admitExpired(admitted(envelope, 5))).resolves.toBe('ack');

      expect((await w.auditLines()).map((line) => line.decision)).toEqual(['answered']);
      expect(w.processed.get(envelope.payload.queryId)?.decision).toBe('answered');
    });

    it('answers a duplicate delivery once', async () => {
      const w = await open();
      const envelope = queryEnvelope();

      await expect(w.admit(envelope)).resolves.toBe('ack');
      await expect(w.admit({ ...envelope, id: randomUUID() })).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(1);
      expect(await w.auditLines()).toHaveLength(1);
    });

    it('sends a copy that arrives while the query is in hand back for later, and answers once', async () => {
      const w = await open();
      const envelope = queryEnvelope();

      const [first, second] = await Promise.all([w.admit(envelope, 1), w.admit(envelope, 1)]);
      expect([first, second]).toEqual(['ack', 'retry']);
      await expect(w.admit(envelope, 1)).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(1);
      expect(await w.auditLines()).toHaveLength(1);
    });

    it('answers different queries handled at the same time, each once', async () => {
      const w = await open();
      const envelopes = Array.from({ length: 20 }, () => queryEnvelope());

      const dispositions = await Promise.all(envelopes.map((envelope, i) => w.admit(envelope, i + 1)));

      expect(dispositions).toEqual(envelopes.map(() => 'ack'));
      expect(new Set(w.publisher.published.map((result) => result.payload.queryId))).toEqual(
        new Set(envelopes.map((envelope) => envelope.payload.queryId)),
      );
      expect(await w.auditLines()).toHaveLength(20);
    });

    it('remembers answered ids across a restart of the store', async () => {
      const w = await open();
      const envelope = queryEnvelope();
      await w.admit(envelope);
      await w.processed.close();

      const { ProcessedQueryStore } = await import('./processed-query.store');
      const reopened = await ProcessedQueryStore.open(w.dir);
      expect(reopened.get(envelope.payload.queryId)?.decision).toBe('answered');
      await reopened.close();
    });

    it('asks for redelivery when the result cannot be published, and answers once when it can', async () => {
      const w = await open();
      const envelope = queryEnvelope();
      w.publisher.failures = 1;

      await expect(w.admit(envelope)).resolves.toBe('retry');
      expect(w.processed.has(envelope.payload.queryId)).toBe(false);

      await expect(w.admit(envelope)).resolves.toBe('ack');
      await expect(w.admit(envelope)).resolves.toBe('ack');
      expect(w.publisher.published).toHaveLength(1);
    });

    it('sends the same envelope id for the same query and site every time', async () => {
      const w = await open();
      const envelope = queryEnvelope();
      w.publisher.failures = 1;
      await w.admit(envelope);
      await w.admit(envelope);
      expect(w.publisher.published[0].id).toBe(deriveResultEnvelopeId(envelope.payload.queryId, SITE_ID));
    });
  });

  describe('holding for manual approval', () => {
    const manual: WorldOptions = { policy: { approval: 'manual' } };

    it('holds a query, acks it and publishes nothing until an operator decides', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();

      await expect(w.admit(envelope)).resolves.toBe('ack');
      await w.approvalProcessing.processApprovals();

      expect(w.publisher.published).toHaveLength(0);
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(true);
      expect(await w.auditLines()).toEqual([expect.objectContaining({ decision: 'held' })]);
    });

    it('acks a redelivery of a held query without holding it twice', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();
      await w.admit(envelope);
      await w.admit(envelope);
      expect((await w.approvals.listPending()).entries).toHaveLength(1);
      expect(await w.auditLines()).toHaveLength(1);
    });
  });
});
