import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProblemDetails } from '@fq/contracts';
import request from 'supertest';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { SECURITY_HEADERS } from '../http/security-headers';

const STRICT_CSP = SECURITY_HEADERS['Content-Security-Policy'];
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The directives of a CSP header by name, e.g. `{ 'script-src': ["'self'"] }`. */
function directivesOf(csp: string | undefined): Record<string, string[]> {
  return Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name !== '')
      .map(([name, ...sources]) => [name, sources]),
  );
}

describe('GET /api/docs', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startSqliteTestBroker();
  });

  afterAll(async () => {
    await broker.close();
  });

  it('serves Swagger UI as HTML that loads only the broker’s own files and links the JSON document', async () => {
    const page = await request(broker.url).get('/api/docs').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = page.text;
    const sources = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources).toEqual([
      '/api/docs/assets/swagger-ui.css',
      '/api/docs/assets/swagger-ui-bundle.js',
      '/api/docs/assets/api-docs.js',
    ]);
    expect(html).toContain('<a href="/api/docs/openapi.json">');
    // No inline script: the CSP allows scripts from the broker only.
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
  });

  it('loosens the CSP just enough for the page: own scripts and styles, data: images, calls to the broker', async () => {
    const page = await request(broker.url).get('/api/docs').expect(200);
    expect(directivesOf(page.headers['content-security-policy'])).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the page’s files from the installed swagger-ui-dist package, with their types', async () => {
    for (const [file, type] of [
      ['swagger-ui.css', 'text/css; charset=utf-8'],
      ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
    ]) {
      const asset = await request(broker.url).get(`/api/docs/assets/${file}`).expect(200);
      expect(asset.headers['content-type']).toBe(type);
      expect(asset.text === readFileSync(join(SWAGGER_UI_DIR, file), 'utf8')).toBe(true);
      expect(asset.headers['content-security-policy']).toBe(STRICT_CSP);
    }
    const start = await request(broker.url).get('/api/docs/assets/api-docs.js').expect(200);
    expect(start.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const script = start.text;
    expect(script).toContain("url: '/api/docs/openapi.json'");
    expect(script).toContain('validatorUrl: null');
  });

  it('answers 404 problem+json for any other file, without reading the disk', async () => {
    for (const file of ['index.html', 'swagger-ui.js', '..%2Fpackage.json', 'oauth2-redirect.html']) {
      const answer = await request(broker.url).get(`/api/docs/assets/${file}`);
      expect(answer.status).toBe(404);
      expect(ProblemDetails.parse(answer.body).code).toBe('BROKER_ROUTE_NOT_FOUND');
      expect(answer.headers['content-security-policy']).toBe(STRICT_CSP);
    }
  });

  it('keeps the OpenAPI JSON, with the bearer scheme the page’s Authorize button uses', async () => {
    const document = await request(broker.url).get('/api/docs/openapi.json').expect(200);
    expect(document.headers['content-type']).toMatch(/^application\/json/);
    expect(document.headers['content-security-policy']).toBe(STRICT_CSP);
    expect(document.body).toMatchObject({
      openapi: '3.1.0',
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    });
  });

  it('leaves every other route the strict API CSP', async () => {
    for (const path of ['/api/v1/sites', '/api/v1/queries', '/api/v1/nowhere', '/api/docsx']) {
      const answer = await request(broker.url).get(path);
      expect([path, answer.headers['content-security-policy']]).toEqual([path, STRICT_CSP]);
    }
  });
});
