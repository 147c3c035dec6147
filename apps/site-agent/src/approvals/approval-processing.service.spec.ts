import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createSiteWorld,
  FEMALE_QUERY,
  queryEnvelope,
  type SiteWorld,
  type WorldOptions,
} from '../queries/__fixtures__/site-world';

describe('ApprovalProcessingService', () => {
  let world: SiteWorld;
  const manual: WorldOptions = { policy: { approval: 'manual' } };

  async function open(options: WorldOptions = {}): Promise<SiteWorld> {
    world = await createSiteWorld(options);
    return world;
  }

  afterEach(async () => {
    await world.close();
  });

  it('answers an approved query at the next poll and moves it to done', async () => {
    const w = await open(manual);
    const envelope = queryEnvelope();
    await w.admit(envelope);

    const decided = await w.approvals.decide(envelope.payload.queryId, 'approve', w.clock.now(), 'alice');
    expect(decided.ok).toBe(true);
    w.clock.advance(1000);
    await w.approvalProcessing.processApprovals();

    expect(w.publisher.published).toHaveLength(1);
    expect(w.publisher.published[0].payload).toMatchObject({ status: 'answered', queryId: envelope.payload.queryId });
    const answeredLine = (await w.auditLines())[1];
    expect(answeredLine.decision).toBe('answered');
    expect(answeredLine.reason).toMatch(/approved by alice/);
    expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
    const done = JSON.parse(await readFile(join(w.approvals.doneDir, `${envelope.payload.queryId}.json`), 'utf8')) as {
      outcome: string;
    };
    expect(done.outcome).toBe('answered');

    await w.approvalProcessing.processApprovals();
    expect(w.publisher.published).toHaveLength(1);
  });

  it('refuses a rejected query with SITE_APPROVAL_REJECTED', async () => {
    const w = await open(manual);
    const envelope = queryEnvelope();
    await w.admit(envelope);

    await w.approvals.decide(envelope.payload.queryId, 'reject', w.clock.now(), 'bob');
    await w.approvalProcessing.processApprovals();

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
    await w.admit(envelope);

    w.clock.advance(10 * 60_000);
    await w.approvals.decide(envelope.payload.queryId, 'approve', w.clock.now(), 'alice');
    await w.approvalProcessing.processApprovals();

    expect(w.publisher.published).toHaveLength(0);
    expect((await w.auditLines())[1]).toMatchObject({ decision: 'expired' });
    expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
  });

  it('expires a held query nobody decided on once its deadline passes', async () => {
    const w = await open(manual);
    const envelope = queryEnvelope(FEMALE_QUERY, { expiresAt: '2025-03-01T10:05:00.000Z' });
    await w.admit(envelope);

    w.clock.advance(4 * 60_000);
    await w.approvalProcessing.processApprovals();
    expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(true);

    w.clock.advance(60_000);
    await w.approvalProcessing.processApprovals();
    expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
    expect(w.publisher.published).toHaveLength(0);
    expect((await w.auditLines()).map((l) => l.decision)).toEqual(['held', 'expired']);
  });

  it('keeps an approved query pending when its answer cannot be published, and answers it later', async () => {
    const w = await open(manual);
    const envelope = queryEnvelope();
    await w.admit(envelope);
    await w.approvals.decide(envelope.payload.queryId, 'approve', w.clock.now(), 'alice');

    w.publisher.failures = 1;
    await w.approvalProcessing.processApprovals();
    expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(true);

    await w.approvalProcessing.processApprovals();
    expect(await w.approvals.isPending(envelope.payload.queryId)).toBe(false);
    expect(w.publisher.published).toHaveLength(1);
  });
});
