import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogWriter, AuditRecordInvalidError } from './audit-log.writer';
import type { AuditRecord } from './audit-record.schema';

const record = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  time: '2025-03-01T10:00:00.000Z',
  decision: 'answered',
  queryId: '6a1f6c0e-2f4b-4c1e-9d3a-0b8e7f6a5c41',
  queryHash: 'b'.repeat(64),
  requester: 'researcher-1',
  code: null,
  reason: null,
  protectedResult: { kind: 'count', protectedCount: 120 },
  dataVersion: 'v1',
  envelopeId: '0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718',
  ...overrides,
});

describe('AuditLogWriter', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
    file = join(dir, 'nested', 'audit.jsonl');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the log 0600 in a 0700 directory whatever the umask, and narrows an existing one', async () => {
    const umask = process.umask(0o022);
    try {
      await (await AuditLogWriter.open(file)).close();
    } finally {
      process.umask(umask);
    }
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await chmod(file, 0o640);
    await (await AuditLogWriter.open(file)).close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('writes one JSON object per line, in call order', async () => {
    const writer = await AuditLogWriter.open(file);
    await Promise.all([
      writer.append(record({ decision: 'held', protectedResult: null })),
      writer.append(record()),
      writer.append(record({ decision: 'expired', protectedResult: null })),
    ]);
    await writer.close();

    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as AuditRecord).decision)).toEqual(['held', 'answered', 'expired']);
  });

  it('commits many concurrent appends, each resolved once its line is written, all in call order', async () => {
    const writer = await AuditLogWriter.open(file);
    const ids = Array.from({ length: 200 }, (_, i) => `0f4b7e2a-9c3d-4e8f-a1b2-${String(i).padStart(12, '0')}`);
    const order: number[] = [];
    await Promise.all(
      ids.map((envelopeId, i) =>
        writer.append(record({ envelopeId })).then(async () => {
          // Resolved means written: the line is in the file already.
          expect(await readFile(file, 'utf8')).toContain(envelopeId);
          order.push(i);
        }),
      ),
    );
    await writer.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as AuditRecord).envelopeId)).toEqual(ids);
    expect(order).toHaveLength(200);
  });

  it('appends to an existing log and never rewrites earlier lines', async () => {
    await writeFile(join(dir, 'audit.jsonl'), '{"earlier":"line"}\n');
    const writer = await AuditLogWriter.open(join(dir, 'audit.jsonl'));
    await writer.append(record());
    await writer.close();
    const again = await AuditLogWriter.open(join(dir, 'audit.jsonl'));
    await again.append(record({ decision: 'refused', code: 'SITE_RATE_LIMITED', protectedResult: null }));
    await again.close();

    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('{"earlier":"line"}');
    expect(JSON.parse(lines[2])).toMatchObject({ decision: 'refused', code: 'SITE_RATE_LIMITED' });
  });

  it('refuses a record that carries a raw count and writes nothing', async () => {
    const writer = await AuditLogWriter.open(file);
    const leaky = { ...record(), rawCount: 123 } as AuditRecord;

    await expect(writer.append(leaky)).rejects.toBeInstanceOf(AuditRecordInvalidError);
    await writer.append(record());
    await writer.close();

    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/rawCount|123/);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses a protected result that is not a protected count', async () => {
    const writer = await AuditLogWriter.open(file);
    const wrong = record({ protectedResult: { kind: 'count', protectedCount: 17, rawCount: 17 } as never });
    await expect(writer.append(wrong)).rejects.toThrow(/protectedResult/);
    await writer.close();
  });

  it('refuses to write after it was closed', async () => {
    const writer = await AuditLogWriter.open(file);
    await writer.close();
    await expect(writer.append(record())).rejects.toThrow(/closed/);
  });
});
