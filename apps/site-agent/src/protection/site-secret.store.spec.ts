import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { memoryNumbering } from './__fixtures__/memory-numbering';
import { CountProtectionService } from './count-protection.service';
import { loadOrCreateSiteSecret, SITE_SECRET_FILE } from './site-secret.store';

describe('loadOrCreateSiteSecret', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secret-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates an owner-only secret on first start and reads the same one afterwards', async () => {
    const stateDir = join(dir, 'state');
    const first = await loadOrCreateSiteSecret(stateDir);
    const second = await loadOrCreateSiteSecret(stateDir);
    if (!first.ok || !second.ok) {
      throw new Error('expected a secret');
    }
    expect(first.value.created).toBe(true);
    expect(second.value.created).toBe(false);
    expect(Buffer.from(second.value.secret).equals(Buffer.from(first.value.secret))).toBe(true);
    expect((await stat(join(stateDir, SITE_SECRET_FILE))).mode & 0o077).toBe(0);
  });

  it('refuses an invalid secret file without overwriting it or echoing it', async () => {
    await writeFile(join(dir, SITE_SECRET_FILE), 'c2hvcnQ\n');
    const result = await loadOrCreateSiteSecret(dir);
    expect(result.ok ? null : result.error.code).toBe('SITE_SECRET_INVALID');
    expect(result.ok ? '' : result.error.message).not.toContain('c2hvcnQ');
    expect(await readFile(join(dir, SITE_SECRET_FILE), 'utf8')).toBe('c2hvcnQ\n');
  });
});

describe('CountProtectionService', () => {
  const numbering = memoryNumbering();
  const service = new CountProtectionService(new Uint8Array(32).fill(1), DEFAULT_PROTECTION_POLICY, numbering);

  it('gives the same protected result for the same cohort', () => {
    const cohortKey = 'c'.repeat(32);
    expect(service.protect(137, cohortKey)).toEqual(service.protect(137, cohortKey));
  });

  it('reports counts far below the threshold as below threshold', () => {
    expect(service.protect(0, 'd'.repeat(32))).toEqual({ kind: 'below-threshold', threshold: 10 });
  });

  it('numbers patients through its numbering and keys cohorts by their members and the site secret', async () => {
    const { patientNumber, keyOf } = service.cohortKeying;
    expect([patientNumber('p1'), patientNumber('p2'), patientNumber('p1')]).toEqual([0, 1, 0]);
    const other = new CountProtectionService(new Uint8Array(32).fill(2), DEFAULT_PROTECTION_POLICY, memoryNumbering());
    expect(keyOf(Uint8Array.from([3]), 2)).toMatch(/^[0-9a-f]{32}$/);
    expect(keyOf(Uint8Array.from([3]), 2)).not.toBe(keyOf(Uint8Array.from([5]), 2));
    expect(other.cohortKeying.keyOf(Uint8Array.from([3]), 2)).not.toBe(keyOf(Uint8Array.from([3]), 2));
    await service.saveNumbers();
    expect(numbering.saves).toBe(1);
  });
});
