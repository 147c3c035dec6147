import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { readSecretFile, SecretText } from './secret-file';

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
    expect(read.ok ? '' : read.message).toMatch(/readable by others .*chmod 600/);
    expect(read.ok ? '' : read.message).not.toContain('SAsecret');
  });

  it('names the file and the reason when it cannot be read', () => {
    const read = readSecretFile(join(dir, 'missing.nk'));
    expect(read.ok ? '' : read.message).toBe(`cannot read ${join(dir, 'missing.nk')} (ENOENT)`);
    expect(new SecretText('x').toString()).toBe('***');
  });
});
