import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadOrCreateDevIssuerKey } from '@fq/network-admin';
import { EnvelopeAuditLog } from '../transport/envelope-audit.log';
import { ReceivedEnvelopesStore } from '../transport/received-envelopes.store';
import { openBrokerDatabase } from './database.provider';

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Runs `work` under the usual 022 umask, with which an unguarded file comes out 0644. */
async function underUmask<T>(work: () => Promise<T>): Promise<T> {
  const previous = process.umask(0o022);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

describe('the broker’s state files', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fq-broker-modes-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the SQLite database, its -wal and its -shm 0600 in a 0700 directory', async () => {
    const file = join(dir, 'state', 'broker.sqlite');
    const db = await underUmask(() => openBrokerDatabase({ kind: 'sqlite', file }));
    try {
      await sql`insert into broker_secrets (name, value) values ('probe', 'x')`.execute(db);
      expect(await modeOf(join(dir, 'state'))).toBe(0o700);
      expect(await modeOf(file)).toBe(0o600);
      expect(await modeOf(`${file}-wal`)).toBe(0o600);
      expect(await modeOf(`${file}-shm`)).toBe(0o600);
    } finally {
      await db.destroy();
    }
  });

  it('narrows an existing database, -wal and -shm that others could read', async () => {
    const file = join(dir, 'broker.sqlite');
    const first = await openBrokerDatabase({ kind: 'sqlite', file });
    await sql`insert into broker_secrets (name, value) values ('probe', 'x')`.execute(first);
    await first.destroy();
    // Left behind as a crashed broker leaves them, then opened up by hand.
    await writeFile(`${file}-wal`, '', { flag: 'a' });
    await writeFile(`${file}-shm`, '', { flag: 'a' });
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      await chmod(path, 0o644);
    }
    const db = await openBrokerDatabase({ kind: 'sqlite', file });
    try {
      await sql`insert into broker_secrets (name, value) values ('again', 'y')`.execute(db);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect([path, await modeOf(path)]).toEqual([path, 0o600]);
      }
    } finally {
      await db.destroy();
    }
  });

  it('creates the envelope audit log 0600 and narrows an existing one', async () => {
    const file = join(dir, 'logs', 'audit.jsonl');
    const log = await underUmask(() => EnvelopeAuditLog.open(file));
    await log.close();
    expect(await modeOf(join(dir, 'logs'))).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);
    await chmod(file, 0o640);
    await (await EnvelopeAuditLog.open(file)).close();
    expect(await modeOf(file)).toBe(0o600);
  });

  it('creates the replay log 0600 and narrows an existing one and a stale temporary file', async () => {
    const file = join(dir, 'replay', 'received-envelopes.jsonl');
    await (await underUmask(() => ReceivedEnvelopesStore.open(file, new Date()))).close();
    expect(await modeOf(join(dir, 'replay'))).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);
    await chmod(file, 0o644);
    await writeFile(`${file}.tmp`, '', { mode: 0o644 });
    await chmod(`${file}.tmp`, 0o644);
    await (await ReceivedEnvelopesStore.open(file, new Date())).close();
    expect(await modeOf(file)).toBe(0o600);
  });

  it('creates the development issuer key 0600 in a 0700 directory', async () => {
    const file = join(dir, 'issuer', 'dev-issuer.jwk');
    await underUmask(() => loadOrCreateDevIssuerKey(file));
    expect(await modeOf(join(dir, 'issuer'))).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);
  });

  it('leaves an existing parent directory of a configured file as it is', async () => {
    const shared = join(dir, 'shared');
    await mkdir(shared, { mode: 0o755 });
    await chmod(shared, 0o755);
    await (await EnvelopeAuditLog.open(join(shared, 'audit.jsonl'))).close();
    expect(await modeOf(shared)).toBe(0o755);
  });
});
