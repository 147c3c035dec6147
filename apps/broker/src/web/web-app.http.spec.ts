import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemDetails, QuotaUsage, WebConfig } from '@fq/contracts';
import request from 'supertest';
import { startIdentityProvider, type TestIdentityProvider } from '../__fixtures__/identity-provider';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';

const INDEX = '<!doctype html><title>app</title><script type="module" src="/assets/index-1a2b.js"></script>';

function writeWebBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fq-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-1a2b.js'), 'export const app = 1;\n');
  writeFileSync(join(dir, 'assets', 'index-9f8e.css'), 'body { margin: 0 }\n');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

describe('the web app at /', () => {
  let broker: TestBroker;
  let webDir: string;

  beforeAll(async () => {
    webDir = writeWebBuild();
    broker = await startSqliteTestBroker({ BROKER_WEB_DIR: webDir });
  });

  afterAll(async () => {
    await broker.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves index.html at / with the page CSP and without storing it', async () => {
    const response = await request(broker.url).get('/').expect(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.text).toBe(INDEX);
  });

  it.each(['/queries/42', '/auth/callback', '/saved', '/index.html'])(
    'answers the client route %s with index.html',
    async (path) => {
      const response = await request(broker.url).get(`${path}?code=x&state=y`).expect(200);
      expect(response.text).toBe(INDEX);
      expect(response.headers['cache-control']).toBe('no-store');
    },
  );

  it('serves hashed assets with their type, cached for a year', async () => {
    const script = await request(broker.url).get('/assets/index-1a2b.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const style = await request(broker.url).get('/assets/index-9f8e.css').expect(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    const icon = await request(broker.url).get('/favicon.svg').expect(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it.each([
    '/assets/missing.js',
    '/assets/',
    '/missing.png',
    '/assets/../package.json',
    '/%2e%2e/package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
  ])('answers %s with a 404 problem, not the page', async (path) => {
    const response = await request(broker.url).get(path).expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('leaves /api/* to the API: an unknown API path is a 404 problem, an API answer keeps the API CSP', async () => {
    const unknown = await request(broker.url).get('/api/v1/no-such-thing').expect(404);
    expect(ProblemDetails.parse(unknown.body).code).toBe('BROKER_ROUTE_NOT_FOUND');
    const config = await request(broker.url).get('/api/v1/web-config').expect(200);
    expect(config.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('serves the page only to GET and HEAD', async () => {
    const head = await request(broker.url).head('/').expect(200);
    expect(head.headers['content-length']).toBe(String(INDEX.length));
    const post = await request(broker.url).post('/').send({}).expect(404);
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('tells the page that development sign-in is on and no OIDC provider is configured', async () => {
    const response = await request(broker.url).get('/api/v1/web-config').expect(200);
    expect(WebConfig.parse(response.body)).toEqual({ oidc: null, devSignIn: true });
  });

  it('signs in with one request as the development issuer and the token works', async () => {
    const response = await request(broker.url)
      .post('/api/v1/dev-issuer/sign-in')
      .send({ user: 'demo-admin', role: 'admin' })
      .expect(200);
    const body = response.body as { token: string; expiresAt: string };
    expect(Date.parse(body.expiresAt) - broker.clock.now().getTime()).toBeGreaterThan(7 * 3600 * 1000);
    const quota = await request(broker.url)
      .get('/api/v1/quota')
      .set('Authorization', `Bearer ${body.token}`)
      .expect(200);
    expect(QuotaUsage.parse(quota.body)).toMatchObject({ userId: 'demo-admin', role: 'admin' });
  });

  it.each([
    [{ user: 'demo researcher', role: 'researcher' }, 'body:user'],
    [{ user: 'demo-researcher', role: 'owner' }, 'body:role'],
    [{ user: 'demo-researcher', role: 'researcher', ttlSeconds: 9e9 }, 'body:'],
  ])('refuses the sign-in request %j with a 400 naming %s', async (body, path) => {
    const response = await request(broker.url).post('/api/v1/dev-issuer/sign-in').send(body).expect(400);
    const problem = ProblemDetails.parse(response.body);
    expect(problem.code).toBe('BROKER_PARAMETER_INVALID');
    expect(problem.issues?.map((issue) => issue.path)).toContain(path);
  });
});

describe('the web app with an OIDC provider and without the development issuer', () => {
  let broker: TestBroker;
  let idp: TestIdentityProvider;
  let webDir: string;

  beforeAll(async () => {
    webDir = writeWebBuild();
    idp = await startIdentityProvider();
    broker = await startSqliteTestBroker({
      BROKER_WEB_DIR: webDir,
      BROKER_DEV_ISSUER: 'false',
      BROKER_AUTH_ISSUER: idp.issuer,
      BROKER_AUTH_AUDIENCE: 'feasibility-webapp',
      BROKER_WEB_OIDC_SCOPES: 'profile email',
    });
  });

  afterAll(async () => {
    await broker.close();
    await idp.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('tells the page the issuer, the client id (the audience) and the scopes, openid first', async () => {
    const response = await request(broker.url).get('/api/v1/web-config').expect(200);
    expect(WebConfig.parse(response.body)).toEqual({
      oidc: { issuer: idp.issuer, clientId: 'feasibility-webapp', scopes: ['openid', 'profile', 'email'] },
      devSignIn: false,
    });
  });

  it("lets the page connect to the issuer's origin and nothing else", async () => {
    const response = await request(broker.url).get('/').expect(200);
    expect(response.headers['content-security-policy']).toContain(`connect-src 'self' ${new URL(idp.issuer).origin};`);
  });

  it('has no development sign-in', async () => {
    const response = await request(broker.url)
      .post('/api/v1/dev-issuer/sign-in')
      .send({ user: 'demo-admin', role: 'admin' })
      .expect(404);
    expect(ProblemDetails.parse(response.body).code).toBe('BROKER_ROUTE_NOT_FOUND');
  });
});

describe('a broker without a built web app', () => {
  it('still serves its API and answers / with a 404 problem', async () => {
    const broker = await startSqliteTestBroker({ BROKER_WEB_DIR: join(tmpdir(), 'fq-no-such-web-build') });
    try {
      const response = await request(broker.url).get('/').expect(404);
      expect(ProblemDetails.parse(response.body).code).toBe('BROKER_ROUTE_NOT_FOUND');
      await request(broker.url).get('/api/v1/web-config').expect(200);
    } finally {
      await broker.close();
    }
  });
});
