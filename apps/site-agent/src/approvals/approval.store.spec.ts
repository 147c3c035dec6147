import { lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryEnvelope } from '../queries/__fixtures__/site-world';
import { ApprovalStore } from './approval.store';

const NOW = new Date('2025-03-01T10:00:00.000Z');

describe('ApprovalStore', () => {
  let dir: string;
  let store: ApprovalStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'approvals-'));
    store = new ApprovalStore(dir);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its directories 0700 and its files 0600 whatever the umask', async () => {
    const umask = process.umask(0o022);
    try {
      const held = queryEnvelope();
      await store.hold(held, NOW);
      await store.decide(held.payload.queryId, 'approve', NOW, 'alice');
      const [entry] = (await store.listPending()).entries;
      await store.complete(entry.pending, entry.decision, 'answered', NOW);
      await store.hold(queryEnvelope(), NOW);
    } finally {
      process.umask(umask);
    }
    const modes: string[] = [];
    for (const entry of await readdir(join(dir, 'approvals'), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      modes.push(`${entry.isDirectory() ? 'dir' : 'file'} ${((await lstat(path)).mode & 0o777).toString(8)}`);
    }
    expect(modes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(modes)).toEqual(new Set(['dir 700', 'file 600']));
  });

  it('lists held queries oldest first with the full envelope', async () => {
    const later = queryEnvelope();
    const earlier = queryEnvelope();
    await store.hold(later, new Date('2025-03-01T10:05:00.000Z'));
    await store.hold(earlier, NOW);

    const { entries, problems } = await store.listPending();
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.pending.queryId)).toEqual([earlier.payload.queryId, later.payload.queryId]);
    expect(entries[0].pending.envelope).toEqual(earlier);
    expect(entries[0].decision).toBeNull();
  });

  it('records a decision once and refuses a second one', async () => {
    const envelope = queryEnvelope();
    await store.hold(envelope, NOW);

    const first = await store.decide(envelope.payload.queryId, 'approve', NOW, 'alice');
    const second = await store.decide(envelope.payload.queryId, 'reject', NOW, 'bob');

    expect(first).toMatchObject({ ok: true, value: { decision: 'approve', decidedBy: 'alice' } });
    expect(second.ok ? null : second.error.code).toBe('SITE_APPROVAL_ALREADY_DECIDED');
    expect(second.ok ? '' : second.error.message).toMatch(/already approved by alice/);
    expect((await store.listPending()).entries[0].decision).toMatchObject({ decision: 'approve' });
  });

  it('refuses a decision for an unknown query id', async () => {
    const result = await store.decide('0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718', 'approve', NOW, 'alice');
    expect(result.ok ? null : result.error.code).toBe('SITE_APPROVAL_NOT_FOUND');
  });

  it('refuses an id that is not a UUID without touching the file system', async () => {
    const result = await store.decide('../../etc/passwd', 'approve', NOW, 'alice');
    expect(result.ok ? null : result.error.code).toBe('SITE_APPROVAL_ID_INVALID');
  });

  it('tells how a completed query ended when someone still tries to decide it', async () => {
    const envelope = queryEnvelope();
    await store.hold(envelope, NOW);
    const [entry] = (await store.listPending()).entries;
    await store.complete(entry.pending, null, 'expired', NOW);

    expect(await store.isPending(envelope.payload.queryId)).toBe(false);
    const result = await store.decide(envelope.payload.queryId, 'approve', NOW, 'alice');
    expect(result.ok ? '' : result.error.message).toMatch(/no longer pending: it ended as expired/);
  });

  it('leaves no temporary files behind', async () => {
    const envelope = queryEnvelope();
    await store.hold(envelope, NOW);
    await store.decide(envelope.payload.queryId, 'reject', NOW, 'alice');
    expect(await readdir(store.pendingDir)).toEqual([`${envelope.payload.queryId}.json`]);
    expect(await readdir(store.decisionsDir)).toEqual([`${envelope.payload.queryId}.json`]);
  });

  it('reports an unreadable pending file instead of failing the whole list', async () => {
    await store.hold(queryEnvelope(), NOW);
    await writeFile(join(store.pendingDir, '0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718.json'), '{"half":');
    const { entries, problems } = await store.listPending();
    expect(entries).toHaveLength(1);
    expect(problems).toEqual([
      expect.stringMatching(/0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718\.json: not a pending approval/),
    ]);
  });
});
