import request from 'supertest';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';

const PORTAL = 'https://portal.example.org';
const LOCAL = 'http://localhost:4200';
const STRANGER = 'https://evil.example.org';

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-allow-credentials',
  'access-control-max-age',
];

function corsHeadersOf(response: request.Response): Record<string, unknown> {
  return Object.fromEntries(
    CORS_HEADERS.filter((name) => name in response.headers).map((n) => [n, response.headers[n]]),
  );
}

const preflight = (broker: TestBroker, origin: string) =>
  request(broker.url)
    .options('/api/v1/queries')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type');

describe('CORS', () => {
  let broker: TestBroker;

  afterEach(async () => {
    await broker.close();
  });

  describe('with BROKER_CORS_ORIGINS', () => {
    beforeEach(async () => {
      broker = await startSqliteTestBroker({ BROKER_CORS_ORIGINS: `${PORTAL}, ${LOCAL}` });
    });

    it.each([PORTAL, LOCAL])('answers a preflight from %s with the allowed methods and headers', async (origin) => {
      const response = await preflight(broker, origin).expect(204);
      expect(corsHeadersOf(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET,POST,DELETE',
        'access-control-allow-headers': 'Authorization,Content-Type,Last-Event-ID',
        'access-control-expose-headers': 'Location,Retry-After,WWW-Authenticate',
        'access-control-max-age': '600',
      });
      expect(response.headers.vary).toMatch(/Origin/);
    });

    it('lets an allowed origin read a simple answer and its Location, Retry-After and WWW-Authenticate', async () => {
      const sites = await request(broker.url).get('/api/v1/sites').set('Origin', PORTAL).expect(200);
      expect(corsHeadersOf(sites)).toEqual({
        'access-control-allow-origin': PORTAL,
        'access-control-expose-headers': 'Location,Retry-After,WWW-Authenticate',
      });
      const unauthorized = await request(broker.url).get('/api/v1/queries').set('Origin', LOCAL).expect(401);
      expect(unauthorized.headers['access-control-allow-origin']).toBe(LOCAL);
      expect(unauthorized.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it.each([STRANGER, `${PORTAL}:8443`, 'null'])('gives %s no CORS headers', async (origin) => {
      expect(corsHeadersOf(await preflight(broker, origin))).toEqual({});
      const simple = await request(broker.url).get('/api/v1/sites').set('Origin', origin).expect(200);
      expect(corsHeadersOf(simple)).toEqual({});
    });
  });

  describe('by default', () => {
    beforeEach(async () => {
      broker = await startSqliteTestBroker();
    });

    it('answers neither a preflight nor a simple request with CORS headers', async () => {
      const answer = await preflight(broker, PORTAL);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(corsHeadersOf(answer)).toEqual({});
      const simple = await request(broker.url).get('/api/v1/sites').set('Origin', PORTAL).expect(200);
      expect(corsHeadersOf(simple)).toEqual({});
    });
  });
});
