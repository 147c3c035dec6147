import fc from 'fast-check';
import { SignJWT } from 'jose';
import { JsonWebKeySet, ProblemDetails, QueryList } from '@fq/contracts';
import request from 'supertest';
import { startIdentityProvider, type TestIdentityProvider } from '../__fixtures__/identity-provider';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { QueriesRepository } from '../persistence/queries.repository';
let broker: TestBroker;
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startIdentityProvider();
  broker = await startSqliteTestBroker({
    BROKER_AUTH_ISSUER: idp.issuer,
    BROKER_AUTH_AUDIENCE: 'feasibility-webapp',
  });
});

afterAll(async () => {
  await broker.close();
  await idp.close();
});

function keycloakToken(
  claims: Record<string, unknown>,
  options: { audience?: string; expiresInSeconds?: number } = {},
) {
  const now = Math.floor(broker.clock.now().getTime() / 1000);
  return new SignJWT({ realm_access: { roles: ['FeasibilityUser'] }, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(idp.issuer)
    .setAudience(options.audience ?? 'feasibility-webapp')
    .setSubject('kc-user-1')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 300))
    .sign(idp.key);
}

function expectProblem(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(ProblemDetails.parse(response.body)).toMatchObject({ status, code });
}

describe('bearer tokens', () => {
  it('answers 401 with WWW-Authenticate without a token and with a malformed header', async () => {
    const missing = await request(broker.url).get('/api/v1/queries');
    expectProblem(missing, 401, 'BROKER_AUTH_REQUIRED');
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="fq-broker"');
    const basic = await request(broker.url).get('/api/v1/queries').set('Authorization', 'Basic YWxpY2U6eA==');
    expectProblem(basic, 401, 'BROKER_TOKEN_INVALID');
    expect(basic.headers['www-authenticate']).toMatch(/^Bearer realm="fq-broker", error="invalid_token"/);
  });

  it('accepts a Keycloak-style token of the configured issuer and maps its realm roles', async () => {
    const response = await request(broker.url)
      .get('/api/v1/quota')
      .set('Authorization', `Bearer ${await keycloakToken({ realm_access: { roles: ['FeasibilityPowerUser'] } })}`)
      .expect(200);
    expect(response.body).toMatchObject({ userId: 'kc-user-1', role: 'power-user' });
  });

  it('answers 401 for an expired token, another audience, a foreign signature and an unknown issuer', async () => {
    const expired = await keycloakToken({}, { expiresInSeconds: -120 });
    const expiredAnswer = await request(broker.url).get('/api/v1/queries').set('Authorization', `Bearer ${expired}`);
    expectProblem(expiredAnswer, 401, 'BROKER_TOKEN_EXPIRED');
    const otherAudience = await keycloakToken({}, { audience: 'another-app' });
    expectProblem(
      await request(broker.url).get('/api/v1/queries').set('Authorization', `Bearer ${otherAudience}`),
      401,
      'BROKER_TOKEN_CLAIM_INVALID',
    );
    const [header, payload] = (await keycloakToken({})).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expectProblem(
      await request(broker.url).get('/api/v1/queries').set('Authorization', `Bearer ${forged}`),
      401,
      'BROKER_TOKEN_INVALID',
    );
    const stranger = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://evil.example')
      .sign(idp.key);
    expectProblem(
      await request(broker.url).get('/api/v1/queries').set('Authorization', `Bearer ${stranger}`),
      401,
      'BROKER_TOKEN_INVALID',
    );
  });

  it('answers 403 for a token without a broker role and for a researcher on an admin endpoint', async () => {
    const noRole = await keycloakToken({ realm_access: { roles: ['offline_access'] } });
    expectProblem(
      await request(broker.url).get('/api/v1/queries').set('Authorization', `Bearer ${noRole}`),
      403,
      'BROKER_ROLE_FORBIDDEN',
    );
    expectProblem(
      await request(broker.url)
        .get('/api/v1/admin/blacklist')
        .set(await broker.as('alice')),
      403,
      'BROKER_ROLE_FORBIDDEN',
    );
    await request(broker.url)
      .get('/api/v1/admin/blacklist')
      .set(await broker.as('root', 'admin'))
      .expect(200);
  });

  it('serves the development issuer key set publicly', async () => {
    const response = await request(broker.url).get('/api/v1/dev-issuer/jwks').expect(200);
    expect(JsonWebKeySet.parse(response.body).keys).toEqual([
      expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' }),
    ]);
    expect(JSON.stringify(response.body)).not.toContain('"d"');
  });

  it('sets security headers on every answer, errors included', async () => {
    const response = await request(broker.url).get('/api/v1/queries');
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
    });
  });

  it('never answers random Authorization headers and bodies with a 5xx, and stores nothing for them', async () => {
    const header = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      fc.base64String().map((s) => `Bearer ${s}.${s}.${s}`),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
    );
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', '');
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(header, contentType, body, async (authorization, type, text) => {
        // Header values must be legal on the wire; those fast-check cannot send are not the broker's concern.
        if (!/^[\t\x20-\x7e]*$/.test(authorization)) {
          return;
        }
        const response = await request(broker.url)
          .post('/api/v1/queries')
          .set('Authorization', authorization)
          .set('Content-Type', type)
          .send(text);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(ProblemDetails.safeParse(response.body).success).toBe(true);
      }),
      { numRuns: 100 },
    );
    const list = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .set(await broker.as('alice'))
      ).body,
    );
    expect(list.totalItems).toBe(0);
    expect(await broker.app.get(QueriesRepository).listRunningQueries()).toEqual([]);
  });
});
