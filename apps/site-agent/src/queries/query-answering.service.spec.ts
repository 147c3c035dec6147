import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResultEnvelope } from '@fq/contracts';
import { evaluateQuery, type PatientIndex } from '@fq/engine';
import {
  buildIndex,
  createSiteWorld,
  FEMALE_QUERY,
  fixedSource,
  queryEnvelope,
  scanJson,
  SITE_ID,
  type SiteWorld,
  type WorldOptions,
} from './__fixtures__/site-world';
import { deriveResultEnvelopeId } from './result-envelope';

const EXACT_FEMALE = 43;

describe('QueryAnsweringService', () => {
  let world: SiteWorld;

  async function open(options: WorldOptions = {}): Promise<SiteWorld> {
    world = await createSiteWorld(options);
    return world;
  }

  afterEach(async () => {
    await world.close();
  });

  it('answers a valid query with a protected count in a valid result envelope', async () => {
    const w = await open();
    const envelope = queryEnvelope();

    await expect(w.admit(envelope)).resolves.toBe('ack');

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
    await w.admit(envelope);

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
      await w.admit(queryEnvelope());
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
    await w.admit(queryEnvelope());
    await w.admit(queryEnvelope());

    const [first, second] = w.publisher.published.map((e) => e.payload);
    expect(first.status === 'answered' && second.status === 'answered').toBe(true);
    expect(first.status === 'answered' ? first.result : null).toEqual(
      second.status === 'answered' ? second.result : null,
    );
  });

  it('answers from the snapshot current when the query arrives', async () => {
    const w = await open({ source: fixedSource(buildIndex(43, 0), 'v-old') });
    await w.admit(queryEnvelope());
    expect(w.publisher.published[0].payload).toMatchObject({ status: 'answered', dataVersion: 'v-old' });
  });

  it('answers failed with SITE_EVALUATION_FAILED when the engine throws', async () => {
    const broken = { patientCount: 1, knownPatients: null } as unknown as PatientIndex;
    const w = await open({ source: fixedSource(broken) });
    const envelope = queryEnvelope();

    await expect(w.admit(envelope)).resolves.toBe('ack');

    expect(w.publisher.published[0].payload).toMatchObject({ status: 'failed', code: 'SITE_EVALUATION_FAILED' });
    expect((await w.auditLines())[0]).toMatchObject({ decision: 'failed', code: 'SITE_EVALUATION_FAILED' });
  });
});
