import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { QuotaUsage } from '@fq/contracts';
import request from 'supertest';
import { loadOrCreateDevIssuerKey } from '@fq/network-admin';
import { ManualClock, startTestBroker } from '../__fixtures__/test-broker';
import { TokenVerifier } from '../identity/token-verifier';
import { createTestDatabase } from '../persistence/__fixtures__/test-databases';
import { runBrokerCli } from './broker.cli';

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text) } };
  const code = await runBrokerCli(args, io, env);
  return { code, out, err };
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

describe('broker token', () => {
  let dir: string;
  let keyFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fq-token-cli-'));
    keyFile = join(dir, 'keys', 'dev-issuer.jwk');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('mints a token the broker verifier accepts with the user as sub and the given role', async () => {
    const minted = await cli([
      'token',
      '--user',
      'alice',
      '--role',
      'power-user',
      '--ttl',
      '90s',
      '--key-file',
      keyFile,
    ]);
    expect(minted).toMatchObject({ code: 0, err: '' });
    const token = minted.out.trim();
    expect(minted.out).toBe(`${token}\n`);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'alice', iss: 'urn:fq:broker:dev-issuer', aud: 'fq-broker' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(90);

    const auth = { oidc: null, devIssuer: { keyFile }, clockToleranceSeconds: 0 };
    const key = await loadOrCreateDevIssuerKey(keyFile);
    const issuedAt = new Date((claims.iat ?? 0) * 1000);
    expect(await new TokenVerifier(auth, key, () => issuedAt).verify(token)).toEqual({
      ok: true,
      value: { id: 'alice', role: 'power-user' },
    });
    const later = new Date(issuedAt.getTime() + 91_000);
    expect(await new TokenVerifier(auth, key, () => later).verify(token)).toMatchObject({
      ok: false,
      error: { code: 'BROKER_TOKEN_EXPIRED' },
    });
  });

  it('mints with the key in BROKER_DEV_ISSUER_KEY_FILE that a running broker trusts, researcher by default', async () => {
    const minted = await cli(['token', '--user', 'bob'], { BROKER_DEV_ISSUER_KEY_FILE: keyFile });
    expect(minted.code).toBe(0);
    const db = await createTestDatabase('sqlite');
    const broker = await startTestBroker(
      { ...db.env, BROKER_DEV_ISSUER_KEY_FILE: keyFile },
      { clock: new ManualClock(new Date().toISOString()) },
    );
    try {
      const response = await request(broker.url)
        .get('/api/v1/quota')
        .set('Authorization', `Bearer ${minted.out.trim()}`)
        .expect(200);
      expect(QuotaUsage.parse(response.body)).toMatchObject({ userId: 'bob', role: 'researcher' });
    } finally {
      await broker.close();
      await db.drop();
    }
  });

  it.each([
    [['--role', 'superuser'], '--role "superuser" is not a role: use researcher, power-user, admin'],
    [['--ttl', 'forever'], '--ttl "forever" is not a duration such as 90s, 30m, 8h or 2d'],
    [['--ttl', '31d'], '--ttl 31d is out of range: at least 1s, at most 30d'],
    [['--ttl', '0'], '--ttl 0 is out of range: at least 1s, at most 30d'],
  ])('exits 1 for %j and says why', async (options, message) => {
    const run = await cli(['token', '--user', 'alice', '--key-file', keyFile, ...options]);
    expect(run).toEqual({ code: 1, out: '', err: `broker: ${message}\n` });
  });

  it('refuses a user id with spaces', async () => {
    const run = await cli(['token', '--user', 'alice smith', '--key-file', keyFile]);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: 'broker: --user "alice smith": a user id is 1-128 printable ASCII characters without spaces\n',
    });
  });

  it('lists a bad role and a bad ttl together', async () => {
    const run = await cli(['token', '--user', 'alice', '--role', 'root', '--ttl', '1y', '--key-file', keyFile]);
    expect(run.code).toBe(1);
    expect(run.err.split('\n')).toEqual([
      'broker: --ttl "1y" is not a duration such as 90s, 30m, 8h or 2d',
      'broker: --role "root" is not a role: use researcher, power-user, admin',
      '',
    ]);
  });

  it('creates a missing key file, directory included, with mode 0600', async () => {
    expect((await cli(['token', '--user', 'alice', '--key-file', keyFile])).code).toBe(0);
    expect(mode(keyFile)).toBe(0o600);
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
  });

  it.each(['644', '640', '604'])('refuses a key file with mode %s and prints no token', async (openMode) => {
    expect((await cli(['token', '--user', 'alice', '--key-file', keyFile])).code).toBe(0);
    chmodSync(keyFile, parseInt(openMode, 8));
    const run = await cli(['token', '--user', 'alice', '--key-file', keyFile]);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: `broker: the development issuer key ${keyFile} is readable by others (mode ${openMode}): chmod 600 it\n`,
    });
  });

  it('refuses a key file that is not an Ed25519 private JWK', async () => {
    writeFileSync(join(dir, 'bad.jwk'), '{"kty":"oct","k":"c2VjcmV0"}', { mode: 0o600 });
    const run = await cli(['token', '--user', 'alice', '--key-file', join(dir, 'bad.jwk')]);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: `broker: the development issuer key ${join(dir, 'bad.jwk')} is not an Ed25519 private JWK with kid\n`,
    });
  });
});
