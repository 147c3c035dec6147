import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DevIssuerKeyError, loadOrCreateDevIssuerKey } from '@fq/network-admin';
import { startTestBroker } from '../__fixtures__/test-broker';
import { createTestDatabase, type TestDatabase } from '../persistence/__fixtures__/test-databases';

describe('the development issuer key at broker start-up', () => {
  let dir: string;
  let keyFile: string;
  let db: TestDatabase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fq-dev-issuer-'));
    keyFile = join(dir, 'issuer', 'dev-issuer.jwk');
    db = await createTestDatabase('sqlite');
  });

  afterEach(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a missing key with mode 0600 and serves its public half', async () => {
    const broker = await startTestBroker({ ...db.env, BROKER_DEV_ISSUER_KEY_FILE: keyFile });
    try {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const { kid } = await loadOrCreateDevIssuerKey(keyFile);
      const jwks = await request(broker.url).get('/api/v1/dev-issuer/jwks').expect(200);
      expect(jwks.body).toEqual({ keys: [expect.objectContaining({ kid, kty: 'OKP', crv: 'Ed25519' })] });
    } finally {
      await broker.close();
    }
  });

  it.each(['644', '640', '604'])('refuses to start with a key file of mode %s and says how to fix it', async (mode) => {
    await loadOrCreateDevIssuerKey(keyFile);
    chmodSync(keyFile, parseInt(mode, 8));
    const starting = startTestBroker({ ...db.env, BROKER_DEV_ISSUER_KEY_FILE: keyFile });
    await expect(starting).rejects.toThrow(DevIssuerKeyError);
    await expect(starting).rejects.toThrow(
      `the development issuer key ${keyFile} is readable by others (mode ${mode}): chmod 600 it`,
    );
  });

  it('starts again once the key file is chmod 600', async () => {
    await loadOrCreateDevIssuerKey(keyFile);
    chmodSync(keyFile, 0o644);
    await expect(startTestBroker({ ...db.env, BROKER_DEV_ISSUER_KEY_FILE: keyFile })).rejects.toThrow(
      DevIssuerKeyError,
    );
    chmodSync(keyFile, 0o600);
    const broker = await startTestBroker({ ...db.env, BROKER_DEV_ISSUER_KEY_FILE: keyFile });
    await broker.close();
  });
});
