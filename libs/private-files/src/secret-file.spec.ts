import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { readSecret, readSecretFile, SecretText } from './secret-file';

describe('readSecretFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fq-secret-file-'));
  const file = join(dir, 'seed.nk');

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a 0600 file, trimmed, into a value that never prints', () => {
    writeFileSync(file, 'SAsecret-seed\n', { mode: 0o600 });
    const read = readSecretFile(file);
    expect(read.ok && read.value.reveal()).toBe('SAsecret-seed');
    const printed = read.ok ? [JSON.stringify({ seed: read.value }), String(read.value), inspect(read.value)] : [];
    expect(printed).toEqual(['{"seed":"***"}', '***', 'SecretText(***)']);
  });

  it.each([0o640, 0o604, 0o644])('refuses a file of mode %o and says how to fix it, without its content', (mode) => {
    writeFileSync(file, 'SAsecret-seed\n', { mode: 0o600 });
    chmodSync(file, mode);
    const read = readSecretFile(file);
    expect(read.ok ? '' : read.error).toMatch(/readable by others .*chmod 600/);
    expect(read.ok ? '' : read.error).not.toContain('SAsecret');
  });

  it('names the file and the reason when it cannot be read', () => {
    const read = readSecretFile(join(dir, 'missing.nk'));
    expect(read.ok ? '' : read.error).toBe(`cannot read ${join(dir, 'missing.nk')} (ENOENT)`);
    expect(new SecretText('x').toString()).toBe('***');
  });
});

describe('readSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fq-secret-'));
  const file = join(dir, 'seed.nk');

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file when one is given, else takes the value trimmed, else gives null', () => {
    writeFileSync(file, 'SAfrom-file\n', { mode: 0o600 });
    const fromFile = readSecret(file, 'SAfrom-value');
    expect(fromFile.ok && fromFile.value?.reveal()).toBe('SAfrom-file');
    const fromValue = readSecret(null, '  SAfrom-value\n');
    expect(fromValue.ok && fromValue.value?.reveal()).toBe('SAfrom-value');
    expect(readSecret(null, null)).toEqual({ ok: true, value: null });
  });

  it('passes on why a file cannot be used', () => {
    chmodSync(file, 0o644);
    const read = readSecret(file, null);
    expect(read.ok ? '' : read.error).toMatch(/readable by others .*chmod 600/);
  });
});
