import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevIssuerKey, loadOrCreateDevIssuerKey, mintDevToken } from '@fq/network-admin';
import { TokenVerifier } from './token-verifier';

describe('TokenVerifier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fq-token-verifier-'));
  let key: DevIssuerKey;
  let now: Date;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    key = await loadOrCreateDevIssuerKey(join(dir, 'dev-issuer.jwk'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    now = new Date('2026-03-02T09:00:00.000Z');
    verifier = new TokenVerifier(
      { oidc: null, devIssuer: { keyFile: join(dir, 'dev-issuer.jwk') }, clockToleranceSeconds: 30 },
      key,
      () => now,
    );
  });

  it('accepts a token again without verifying it anew, and refuses it once it expired', async () => {
    const token = await mintDevToken(key, { user: 'alice', role: 'researcher', ttlSeconds: 60 }, now);
    await expect(verifier.verify(token)).resolves.toEqual({ ok: true, value: { id: 'alice', role: 'researcher' } });
    now = new Date('2026-03-02T09:01:29.000Z');
    await expect(verifier.verify(token)).resolves.toEqual({ ok: true, value: { id: 'alice', role: 'researcher' } });
    now = new Date('2026-03-02T09:01:31.000Z');
    await expect(verifier.verify(token)).resolves.toMatchObject({ ok: false, error: { code: 'BROKER_TOKEN_EXPIRED' } });
  });

  it('never remembers a rejected token', async () => {
    const token = await mintDevToken(key, { user: 'bob', role: 'admin', ttlSeconds: 60 }, now);
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expect(verifier.verify(tampered)).resolves.toMatchObject({
      ok: false,
      error: { code: 'BROKER_TOKEN_INVALID' },
    });
    await expect(verifier.verify(tampered)).resolves.toMatchObject({
      ok: false,
      error: { code: 'BROKER_TOKEN_INVALID' },
    });
    await expect(verifier.verify(token)).resolves.toEqual({ ok: true, value: { id: 'bob', role: 'admin' } });
  });
});

describe('TokenVerifier and the issue time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fq-token-iat-'));
  const now = new Date('2026-03-02T09:00:00.000Z');
  let key: DevIssuerKey;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    key = await loadOrCreateDevIssuerKey(join(dir, 'dev-issuer.jwk'));
    verifier = new TokenVerifier(
      { oidc: null, devIssuer: { keyFile: join(dir, 'dev-issuer.jwk') }, clockToleranceSeconds: 30 },
      key,
      () => now,
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a token issued later than now plus the clock tolerance', async () => {
    const tomorrow = new Date(now.getTime() + 86_400_000);
    const token = await mintDevToken(key, { user: 'mallory', role: 'admin', ttlSeconds: 60 }, tomorrow);
    await expect(verifier.verify(token)).resolves.toMatchObject({
      ok: false,
      error: { code: 'BROKER_TOKEN_ISSUED_IN_FUTURE' },
    });
    const justBeyond = await mintDevToken(
      key,
      { user: 'mallory', role: 'admin', ttlSeconds: 60 },
      new Date(now.getTime() + 31_000),
    );
    await expect(verifier.verify(justBeyond)).resolves.toMatchObject({ ok: false });
  });

  it('accepts a token issued in the future within the clock tolerance', async () => {
    const token = await mintDevToken(
      key,
      { user: 'carol', role: 'researcher', ttlSeconds: 60 },
      new Date(now.getTime() + 29_000),
    );
    await expect(verifier.verify(token)).resolves.toEqual({ ok: true, value: { id: 'carol', role: 'researcher' } });
  });
});
