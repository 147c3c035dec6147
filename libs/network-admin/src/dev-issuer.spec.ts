import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  FDPG_ROLE_NAMES,
  loadOrCreateDevIssuerKey,
  mintDevToken,
  mintDevTokenWithKeyFile,
  parseTtl,
} from './dev-issuer';
import { DevIssuerKeyError } from './errors';

describe('the development issuer', () => {
  let dir: string;
  let keyFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fq-dev-issuer-lib-'));
    keyFile = join(dir, 'issuer', 'dev-issuer.jwk');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('loadOrCreateDevIssuerKey', () => {
    it('creates a missing key 0600 in a new 0700 directory and loads the same key afterwards', async () => {
      const created = await loadOrCreateDevIssuerKey(keyFile);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'issuer')).mode & 0o777).toBe(0o700);
      // The public half only: no `d`.
      const { x, ...publicJwk } = created.publicJwk;
      expect(publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', kid: created.kid, alg: 'EdDSA', use: 'sig' });
      expect(x).toMatch(/^[\w-]{43}$/);
      expect((await loadOrCreateDevIssuerKey(keyFile)).publicJwk).toEqual(created.publicJwk);
    });

    it('gives processes that create the key at once the same key', async () => {
      const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateDevIssuerKey(keyFile)));
      expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    });

    it.each([0o644, 0o640, 0o604])('refuses a key file of mode %o', async (mode) => {
      await loadOrCreateDevIssuerKey(keyFile);
      chmodSync(keyFile, mode);
      const loading = loadOrCreateDevIssuerKey(keyFile);
      await expect(loading).rejects.toThrow(DevIssuerKeyError);
      await expect(loading).rejects.toMatchObject({ code: 'BROKER_DEV_ISSUER_KEY_INVALID' });
      await expect(loading).rejects.toThrow(/is readable by others .*: chmod 600 it$/);
    });

    it('refuses a file that is not JSON or not an Ed25519 private JWK', async () => {
      const bad = join(dir, 'bad.jwk');
      writeFileSync(bad, 'not json', { mode: 0o600 });
      await expect(loadOrCreateDevIssuerKey(bad)).rejects.toThrow(`the development issuer key ${bad} is not JSON`);
      writeFileSync(bad, '{"kty":"oct","k":"c2VjcmV0"}', { mode: 0o600 });
      await expect(loadOrCreateDevIssuerKey(bad)).rejects.toThrow(
        `the development issuer key ${bad} is not an Ed25519 private JWK with kid`,
      );
    });
  });

  describe('mintDevToken', () => {
    it('mints a token its public key verifies, with the issuer, audience, user and FDPG role name', async () => {
      const key = await loadOrCreateDevIssuerKey(keyFile);
      const now = new Date('2030-01-02T03:04:05Z');
      const token = await mintDevToken(key, { user: 'alice', role: 'power-user', ttlSeconds: 90 }, now);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [key.publicJwk] }), {
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
        currentDate: now,
      });
      expect(payload).toEqual({
        iss: 'urn:fq:broker:dev-issuer',
        aud: 'fq-broker',
        sub: 'alice',
        preferred_username: 'alice',
        realm_access: { roles: [FDPG_ROLE_NAMES.powerUser] },
        iat: now.getTime() / 1000,
        exp: now.getTime() / 1000 + 90,
      });
    });

    it('mints with the key in a file, creating it, and refuses a request outside the limits', async () => {
      const token = await mintDevTokenWithKeyFile(keyFile, { user: 'bob', role: 'admin', ttlSeconds: 60 });
      const key = await loadOrCreateDevIssuerKey(keyFile);
      expect(decodeProtectedHeader(token).kid).toBe(key.kid);
      await expect(mintDevTokenWithKeyFile(keyFile, { user: 'b o b', role: 'admin', ttlSeconds: 60 })).rejects.toThrow(
        /printable ASCII/,
      );
      await expect(mintDevTokenWithKeyFile(keyFile, { user: 'bob', role: 'admin', ttlSeconds: 0 })).rejects.toThrow();
    });
  });

  describe('parseTtl', () => {
    it.each([
      ['90', 90],
      ['90s', 90],
      ['15m', 900],
      [' 8h ', 28_800],
      ['2d', 172_800],
      ['1.5h', null],
      ['-1s', null],
      ['8w', null],
      ['', null],
    ])('reads %j as %p seconds', (text, seconds) => {
      expect(parseTtl(text)).toBe(seconds);
    });
  });
});
