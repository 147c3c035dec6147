import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResultEnvelope } from '@fq/contracts';
import { evaluateQuery, type PatientIndex } from '@fq/engine';
import {
  buildIndex,
  createSiteWorld,
  FEMALE_QUERY,
  fixedSource,
  GENDER_CRITERION,
  queryEnvelope,
  scanJson,
  SITE_ID,
  type SiteWorld,
  type WorldOptions,
} from './__fixtures__/site-world';
import { deriveResultEnvelopeId } from './result-envelope';

const EXACT_FEMALE = 43;

describe('QueryHandler', () => {
  let world: SiteWorld;

  async function open(options: WorldOptions = {}): Promise<SiteWorld> {
    world = await createSiteWorld(options);
    return world;
  }

  afterEach(async () => {
    await world.close();
  });

  describe('answering', () => {
    it('answers a valid query with a protected count in a valid result envelope', async () => {
      const w = await open();
      const envelope = queryEnvelope();

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(1);
      const result = ResultEnvelope.parse(w.publisher.published[0]);
      expect(result.id).toBe(deriveResultEnvelopeId(envelope.payload.queryId, SITE_ID));
      expect(result.sender).toEqual({ kind: 'site', siteId: SITE_ID });
      expect(result.payload).toMatchObject({
        status: 'answered',
        queryId: envelope.payload.queryId,
        siteId: SITE_ID,
        queryHash: envelope.payload.queryHash,
        dataVersion: 'data-v1',
      });
      const payload = result.payload;
      if (payload.status !== 'answered' || payload.result.kind !== 'count') {
        throw new Error(`expected a protected count, got ${JSON.stringify(payload)}`);
      }
      expect(payload.result.protectedCount % 10).toBe(0);
      expect(w.processed.get(envelope.payload.queryId)?.decision).toBe('answered');
    });

    it('writes one audit line with the protected result and the data version', async () => {
      const w = await open();
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);

      const lines = await w.auditLines();
      expect(lines).toHaveLength(1);
      const published = w.publisher.published[0].payload;
      expect(lines[0]).toEqual({
        time: '2025-03-01T10:00:00.000Z',
        decision: 'answered',
        queryId: envelope.payload.queryId,
        queryHash: envelope.payload.queryHash,
        requester: 'researcher-7f3a',
        code: null,
        reason: null,
        protectedResult: published.status === 'answered' ? published.result : 'not answered',
        dataVersion: 'data-v1',
        envelopeId: envelope.id,
        budget: {
          charge: 'charged',
          report: { remaining: 49, limit: 50, windowDays: 7, resetsAt: '2025-03-08T10:00:00.000Z' },
        },
      });
    });

    it('never lets the exact count reach the result, the audit log or a log line', async () => {
      const w = await open();
      const index = w.siteData.current().index;
      expect(evaluateQuery(index, FEMALE_QUERY, { evaluationDate: '2025-03-01' }).rawCount).toBe(EXACT_FEMALE);

      for (let i = 0; i < 5; i++) {
        await w.handler.handleQuery(queryEnvelope());
      }

      const auditText = await readFile(join(w.dir, 'audit.jsonl'), 'utf8');
      const texts = [auditText, ...w.publisher.published.map((e) => JSON.stringify(e)), ...w.logger.lines];
      for (const text of texts) {
        expect(text).not.toMatch(/rawCount/);
        expect(text).not.toMatch(new RegExp(`\\b${EXACT_FEMALE}\\b`));
      }
      const scanned = scanJson([...(await w.auditLines()), ...w.publisher.published]);
      expect(scanned.hasRawCountKey).toBe(false);
      expect(scanned.numbers).not.toContain(EXACT_FEMALE);
    });

    it('gives the same protected count to a repeated query with the same hash', async () => {
      const w = await open();
      await w.handler.handleQuery(queryEnvelope());
      await w.handler.handleQuery(queryEnvelope());

      const [first, second] = w.publisher.published.map((e) => e.payload);
      expect(first.status === 'answered' && second.status === 'answered').toBe(true);
      expect(first.status === 'answered' ? first.result : null).toEqual(
        second.status === 'answered' ? second.result : null,
      );
    });

    it('answers from the snapshot current when the query arrives', async () => {
      const w = await open({ source: fixedSource(buildIndex(43, 0), 'v-old') });
      await w.handler.handleQuery(queryEnvelope());
      expect(w.publisher.published[0].payload).toMatchObject({ status: 'answered', dataVersion: 'v-old' });
    });

    it('answers failed with SITE_EVALUATION_FAILED when the engine throws', async () => {
      const broken = { patientCount: 1, knownPatients: null } as unknown as PatientIndex;
      const w = await open({ source: fixedSource(broken) });
      const envelope = queryEnvelope();

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');

      expect(w.publisher.published[0].payload).toMatchObject({ status: 'failed', code: 'SITE_EVALUATION_FAILED' });
      expect((await w.auditLines())[0]).toMatchObject({ decision: 'failed', code: 'SITE_EVALUATION_FAILED' });
    });
  });

  describe('refusing', () => {
    it('refuses a query whose queryHash does not match its canonical hash', async () => {
      const w = await open();
      const envelope = queryEnvelope(FEMALE_QUERY, { queryHash: 'a'.repeat(64) });

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');

      expect(w.publisher.published[0].payload).toMatchObject({ status: 'refused', code: 'SITE_QUERY_HASH_MISMATCH' });
      expect((await w.auditLines())[0]).toMatchObject({ decision: 'refused', code: 'SITE_QUERY_HASH_MISMATCH' });
    });

    it('refuses a criterion whose context the site does not answer', async () => {
      const w = await open({ policy: { allowedContexts: ['Diagnose'] } });
      await w.handler.handleQuery(queryEnvelope());

      const payload = w.publisher.published[0].payload;
      expect(payload).toMatchObject({ status: 'refused', code: 'SITE_POLICY_REFUSED' });
      expect(payload.status === 'refused' ? payload.reason : '').toMatch(/context Patient is not answered/);
    });

    it('refuses a term code from a code system the site does not answer', async () => {
      const w = await open({ policy: { allowedCodeSystems: ['http://loinc.org'] } });
      await w.handler.handleQuery(queryEnvelope());

      const payload = w.publisher.published[0].payload;
      expect(payload).toMatchObject({ status: 'refused', code: 'SITE_POLICY_REFUSED' });
      expect(payload.status === 'refused' ? payload.reason : '').toMatch(/code system http:\/\/snomed\.info\/sct/);
    });

    it('refuses a query with more criteria than the site allows', async () => {
      const w = await open({ policy: { maxCriteria: 2 } });
      const query = { inclusionCriteria: [[GENDER_CRITERION], [GENDER_CRITERION], [GENDER_CRITERION]] };
      await w.handler.handleQuery(queryEnvelope(query));

      const payload = w.publisher.published[0].payload;
      expect(payload).toMatchObject({ status: 'refused', code: 'SITE_POLICY_REFUSED' });
      expect(payload.status === 'refused' ? payload.reason : '').toMatch(/3 criteria; this site answers at most 2/);
    });

    it('refuses with SITE_RATE_LIMITED past the limit and admits again once the window moved on', async () => {
      const w = await open({ policy: { rateLimit: 2, rateIntervalSeconds: 60 } });
      for (let i = 0; i < 3; i++) {
        await w.handler.handleQuery(queryEnvelope());
      }
      expect(w.publisher.published.map((e) => e.payload.status)).toEqual(['answered', 'answered', 'refused']);
      expect(w.publisher.published[2].payload).toMatchObject({ code: 'SITE_RATE_LIMITED' });

      w.clock.advance(60_000);
      await w.handler.handleQuery(queryEnvelope());
      expect(w.publisher.published[3].payload.status).toBe('answered');
    });

    it('records a refused query so a redelivery is not refused twice', async () => {
      const w = await open({ policy: { maxCriteria: 0 } });
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);
      await w.handler.handleQuery(envelope);
      expect(w.publisher.published).toHaveLength(1);
      expect(w.processed.get(envelope.payload.queryId)?.decision).toBe('refused');
    });
  });

  describe('delivery rules', () => {
    it('acks an expired query without evaluating or answering it and audits it as expired', async () => {
      const w = await open();
      const envelope = queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T09:59:59.000Z' });

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(0);
      expect(await w.auditLines()).toEqual([
        expect.objectContaining({ decision: 'expired', queryId: envelope.payload.queryId, protectedResult: null }),
      ]);
      expect(w.processed.get(envelope.payload.queryId)?.decision).toBe('expired');
    });

    it('answers a duplicate delivery once', async () => {
      const w = await open();
      const envelope = queryEnvelope();

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');
      await expect(w.handler.handleQuery({ ...envelope, id: randomUUID() })).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(1);
      expect(await w.auditLines()).toHaveLength(1);
    });

    it('sends a copy that arrives while the query is in hand back for later, and answers once', async () => {
      const w = await open();
      const envelope = queryEnvelope();

      const [first, second] = await Promise.all([
        w.handler.handleQuery(envelope, { streamSequence: 1 }),
        w.handler.handleQuery(envelope, { streamSequence: 1 }),
      ]);
      expect([first, second]).toEqual(['ack', 'retry']);
      await expect(w.handler.handleQuery(envelope, { streamSequence: 1 })).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(1);
      expect(await w.auditLines()).toHaveLength(1);
    });

    it('answers different queries handled at the same time, each once', async () => {
      const w = await open();
      const envelopes = Array.from({ length: 20 }, () => queryEnvelope());

      const dispositions = await Promise.all(
        envelopes.map((envelope, i) => w.handler.handleQuery(envelope, { streamSequence: i + 1 })),
      );

      expect(dispositions).toEqual(envelopes.map(() => 'ack'));
      expect(new Set(w.publisher.published.map((result) => result.payload.queryId))).toEqual(
        new Set(envelopes.map((envelope) => envelope.payload.queryId)),
      );
      expect(await w.auditLines()).toHaveLength(20);
    });

    it('remembers answered ids across a restart of the store', async () => {
      const w = await open();
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);
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

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('retry');
      expect(w.processed.has(envelope.payload.queryId)).toBe(false);

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');
      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');
      expect(w.publisher.published).toHaveLength(1);
    });

    it('sends the same envelope id for the same query and site every time', async () => {
      const w = await open();
      const envelope = queryEnvelope();
      w.publisher.failures = 1;
      await w.handler.handleQuery(envelope);
      await w.handler.handleQuery(envelope);
      expect(w.publisher.published[0].id).toBe(deriveResultEnvelopeId(envelope.payload.queryId, SITE_ID));
    });

    it('acks and audits a malformed message and keeps working', async () => {
      const w = await open();
      const rejection = {
        code: 'ENVELOPE_SCHEMA_INVALID',
        message: 'the message is not a valid envelope ($.payload.queryHash: expected 64 lowercase hex digits)',
        envelopeId: randomUUID(),
        queryId: null,
      };

      await expect(w.handler.handleRejectedMessage(rejection)).resolves.toBe('ack');
      await expect(w.handler.handleQuery(queryEnvelope())).resolves.toBe('ack');

      const lines = await w.auditLines();
      expect(lines[0]).toMatchObject({
        decision: 'rejected-message',
        code: 'ENVELOPE_SCHEMA_INVALID',
        envelopeId: rejection.envelopeId,
        queryId: null,
      });
      expect(lines[1]).toMatchObject({ decision: 'answered' });
      expect(w.publisher.published).toHaveLength(1);
    });

    it('rejects a query that claims to come from a site, without answering it', async () => {
      const w = await open();
      const envelope = { ...queryEnvelope(), sender: { kind: 'site' as const, siteId: 'site-evil' } };

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');

      expect(w.publisher.published).toHaveLength(0);
      expect((await w.auditLines())[0]).toMatchObject({
        decision: 'rejected-message',
        code: 'SITE_MESSAGE_UNEXPECTED',
      });
    });
  });

  describe('manual approval', () => {
    const manual: WorldOptions = { policy: { approval: 'manual' } };

    it('holds a query, acks it and publishes nothing until an operator decides', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();

      await expect(w.handler.handleQuery(envelope)).resolves.toBe('ack');
      await w.handler.processApprovals();

      expect(w.publisher.published).toHaveLength(0);
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(true);
      expect(await w.auditLines()).toEqual([expect.objectContaining({ decision: 'held' })]);
    });

    it('acks a redelivery of a held query without holding it twice', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);
      await w.handler.handleQuery(envelope);
      expect((await w.approvals.listPending()).entries).toHaveLength(1);
      expect(await w.auditLines()).toHaveLength(1);
    });

    it('answers an approved query at the next poll and moves it to done', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);

      const decided = await w.approvals.decide(envelope.payload.queryId, 'approve', w.clock.now(), 'alice');
      expect(decided.ok).toBe(true);
      w.clock.advance(1000);
      await w.handler.processApprovals();

      expect(w.publisher.published).toHaveLength(1);
      expect(w.publisher.published[0].payload).toMatchObject({ status: 'answered', queryId: envelope.payload.queryId });
      const answeredLine = (await w.auditLines())[1];
      expect(answeredLine.decision).toBe('answered');
      expect(answeredLine.reason).toMatch(/approved by alice/);
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
      const done = JSON.parse(
        await readFile(join(w.approvals.doneDir, `${envelope.payload.queryId}.json`), 'utf8'),
      ) as { outcome: string };
      expect(done.outcome).toBe('answered');

      await w.handler.processApprovals();
      expect(w.publisher.published).toHaveLength(1);
    });

    it('refuses a rejected query with SITE_APPROVAL_REJECTED', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);

      await w.approvals.decide(envelope.payload.queryId, 'reject', w.clock.now(), 'bob');
      await w.handler.processApprovals();

      expect(w.publisher.published[0].payload).toMatchObject({
        status: 'refused',
        code: 'SITE_APPROVAL_REJECTED',
        reason: 'the site operator rejected this query',
      });
      expect((await w.auditLines())[1]).toMatchObject({ decision: 'refused', code: 'SITE_APPROVAL_REJECTED' });
    });

    it('does not answer a query approved after its deadline', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T10:05:00.000Z' });
      await w.handler.handleQuery(envelope);

      w.clock.advance(10 * 60_000);
      await w.approvals.decide(envelope.payload.queryId, 'approve', w.clock.now(), 'alice');
      await w.handler.processApprovals();

      expect(w.publisher.published).toHaveLength(0);
      expect((await w.auditLines())[1]).toMatchObject({ decision: 'expired' });
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
    });

    it('expires a held query nobody decided on once its deadline passes', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T10:05:00.000Z' });
      await w.handler.handleQuery(envelope);

      w.clock.advance(4 * 60_000);
      await w.handler.processApprovals();
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(true);

      w.clock.advance(60_000);
      await w.handler.processApprovals();
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
      expect(w.publisher.published).toHaveLength(0);
      expect((await w.auditLines()).map((l) => l.decision)).toEqual(['held', 'expired']);
    });

    it('keeps an approved query pending when its answer cannot be published, and answers it later', async () => {
      const w = await open(manual);
      const envelope = queryEnvelope();
      await w.handler.handleQuery(envelope);
      await w.approvals.decide(envelope.payload.queryId, 'approve', w.clock.now(), 'alice');

      w.publisher.failures = 1;
      await w.handler.processApprovals();
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(true);

      await w.handler.processApprovals();
      expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
      expect(w.publisher.published).toHaveLength(1);
    });
  });
});
