import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ProblemDetails, ValidationProblemDetails } from '@fq/contracts';
import request from 'supertest';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { routeAccess } from '../identity/auth.guard';
import { BEARER_AUTH, buildOpenApiDocument } from './openapi.document';

interface Route {
  method: string;
  /** OpenAPI form: `/api/v1/queries/{id}`. */
  path: string;
  public: boolean;
  roles: string[] | undefined;
}

interface Operation {
  security?: unknown;
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown; example?: unknown }> }
  >;
}

type Paths = Record<string, Record<string, Operation>>;

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .map((segment) => segment.replace(/^:(\w+)$/, '{$1}'))
    .join('/')}`;

/** Every route the running app's controllers expose, read from Nest's routing and our guard's metadata. */
function exposedRoutes(broker: TestBroker): Route[] {
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const module of broker.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') {
          continue;
        }
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (method === undefined || path === undefined) {
          continue;
        }
        const access = routeAccess(reflector, [handler, controller]);
        routes.push({ method: RequestMethod[method].toLowerCase(), path: joinPath(base, path), ...access });
      }
    }
  }
  return routes;
}

function operationsOf(paths: Paths): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
  );
}

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument('1.0.0');
  const components = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;

  it('documents the development issuer key set only when that issuer is on', () => {
    expect(Object.keys(document.paths as Paths)).not.toContain('/api/v1/dev-issuer/jwks');
    const withIssuer = buildOpenApiDocument('1.0.0', { devIssuer: true });
    expect((withIssuer.paths as Paths)['/api/v1/dev-issuer/jwks'].get.security).toEqual([]);
    expect((withIssuer.paths as Paths)['/api/v1/dev-issuer/sign-in'].post.security).toEqual([]);
    expect(Object.keys(document.paths as Paths)).not.toContain('/api/v1/dev-issuer/sign-in');
  });

  it('derives the bodies from the contracts schemas, with references between them', () => {
    expect(Object.keys(components).sort()).toEqual([
      'BlacklistEntry',
      'BlacklistList',
      'CreateSavedQueryRequest',
      'DevSignInRequest',
      'DevSignInResponse',
      'JsonWebKeySet',
      'ProblemDetails',
      'QueryList',
      'QueryResult',
      'QueryResultUpdate',
      'QuerySummary',
      'QuotaLimit',
      'QuotaUsage',
      'SavedQuery',
      'SavedQueryList',
      'SiteResultEvent',
      'SiteStateList',
      'StructuredQuery',
      'SubmitQueryRequest',
      'SubmitQueryResponse',
      'TerminologyEntry',
      'TerminologySearchResponse',
      'UpdateSavedQueryRequest',
      'ValidationProblemDetails',
      'WebConfig',
    ]);
    expect(components.SubmitQueryRequest.anyOf).toContainEqual({ $ref: '#/components/schemas/StructuredQuery' });
    expect(components.QueryResult.required).toEqual(expect.arrayContaining(['id', 'status', 'total', 'sites']));
    expect(components.QueryResult.properties).toMatchObject({ status: { enum: ['running', 'completed', 'expired'] } });
    expect(components.QuotaUsage.properties).toMatchObject({ soft: { $ref: '#/components/schemas/QuotaLimit' } });
    expect(components.BlacklistList.items).toEqual({ $ref: '#/components/schemas/BlacklistEntry' });
    expect(components.ValidationProblemDetails.required).toContain('issues');
    // Live events carry the result without the query.
    expect(components.SiteResultEvent.properties).toMatchObject({
      result: { $ref: '#/components/schemas/QueryResultUpdate' },
    });
    expect(Object.keys(components.QueryResultUpdate.properties ?? {})).not.toContain('query');
    expect(components.SubmitQueryResponse.required).toEqual(['id', 'warnings']);
    expect(JSON.stringify(document)).not.toContain('"$schema"');
  });

  it('declares bearer JWT authentication as the default', () => {
    expect(document.components).toMatchObject({
      securitySchemes: { [BEARER_AUTH]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    });
    expect(document.security).toEqual([{ [BEARER_AUTH]: [] }]);
  });

  it('answers every refusal as problem+json, 401 with WWW-Authenticate, 429 and 503 with Retry-After', () => {
    const refusals = operationsOf(document.paths as Paths).flatMap(({ method, path, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => ({ label: `${method} ${path} ${status}`, status, response })),
    );
    expect(refusals.length).toBeGreaterThan(20);
    const label = ({ label: name }: { label: string }) => name;
    expect(
      refusals
        .filter(({ response }) => Object.keys(response.content ?? {}).join() !== 'application/problem+json')
        .map(label),
    ).toEqual([]);
    expect(
      refusals
        .filter(({ status, response }) => status === '401' && !('WWW-Authenticate' in (response.headers ?? {})))
        .map(label),
    ).toEqual([]);
    const retryAfterSchema = (response: Operation['responses'][string]) =>
      (response.headers?.['Retry-After'] as { schema?: unknown } | undefined)?.schema;
    const throttled = refusals.filter(({ status }) => status === '429' || status === '503');
    expect(throttled.map(label)).toEqual(
      expect.arrayContaining(['post /api/v1/queries 429', 'get /api/v1/queries/{id} 429']),
    );
    expect(
      throttled
        .filter(({ response }) => (retryAfterSchema(response) as { type?: string })?.type !== 'integer')
        .map(label),
    ).toEqual([]);
  });

  it('lists size, media type, quota and validation refusals where they apply', () => {
    const paths = document.paths as Paths;
    const submit = paths['/api/v1/queries'].post;
    expect(Object.keys(submit.responses).sort()).toEqual(['201', '400', '401', '403', '413', '415', '429', '503']);
    const example = submit.responses[400].content?.['application/problem+json'];
    expect(ValidationProblemDetails.parse(example?.example).code).toBe('BROKER_QUERY_TOO_COMPLEX');
    expect(Object.keys(paths['/api/v1/queries/{id}'].get.responses)).toContain('429');
    expect(paths['/api/v1/queries'].get.responses[400].content?.['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationProblemDetails',
    });
    expect(Object.keys(paths['/api/v1/admin/blacklist/{userId}'].delete.responses).sort()).toEqual([
      '204',
      '400',
      '401',
      '403',
      '404',
      '503',
    ]);
  });
});

describe('GET /api/docs against the running controllers', () => {
  let broker: TestBroker;
  let paths: Paths;
  let document: request.Response;

  beforeAll(async () => {
    broker = await startSqliteTestBroker();
    document = await request(broker.url).get('/api/docs/openapi.json');
    paths = (document.body as { paths: Paths }).paths;
  });

  afterAll(async () => {
    await broker.close();
  });

  it('serves the document as JSON', () => {
    expect(document.status).toBe(200);
    expect(document.headers['content-type']).toMatch(/^application\/json/);
    expect(document.body).toMatchObject({ openapi: '3.1.0', info: { title: 'Feasibility broker' } });
  });

  it('finds the routes it checks, public and protected, admin-only among them', () => {
    const routes = exposedRoutes(broker);
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['post /api/v1/queries', 'get /api/v1/sites', 'delete /api/v1/admin/blacklist/{userId}']),
    );
    expect(
      routes
        .filter((route) => route.public)
        .map((route) => route.path)
        .sort(),
    ).toEqual([
      '/api/docs',
      '/api/docs/assets/{file}',
      '/api/docs/openapi.json',
      '/api/v1/dev-issuer/jwks',
      '/api/v1/dev-issuer/sign-in',
      '/api/v1/sites',
      '/api/v1/web-config',
    ]);
    expect(routes.find((route) => route.path === '/api/v1/admin/blacklist')?.roles).toEqual(['admin']);
  });

  it('documents exactly the routes the controllers expose', () => {
    const exposed = exposedRoutes(broker).map((route) => `${route.method} ${route.path}`);
    const documented = operationsOf(paths).map(({ method, path }) => `${method} ${path}`);
    expect(documented.sort()).toEqual(exposed.sort());
  });

  it('requires the bearer token on every protected operation and states none on public ones', () => {
    const routes = exposedRoutes(broker);
    const guardAnswers = ['401', '403', '503'];
    const documented = routes.map((route) => {
      const operation = paths[route.path][route.method];
      return {
        route: `${route.method} ${route.path}`,
        security: operation.security,
        guardAnswers: guardAnswers.filter((status) => status in operation.responses),
      };
    });
    const expected = routes.map((route) => ({
      route: `${route.method} ${route.path}`,
      security: route.public ? [] : [{ [BEARER_AUTH]: [] }],
      guardAnswers: route.public ? [] : guardAnswers,
    }));
    expect(documented).toEqual(expected);
  });

  it('answers as documented: 401 with WWW-Authenticate without a token, 200 on a public route without one', async () => {
    const routes = exposedRoutes(broker).filter((route) => route.method === 'get' && !route.path.includes('{'));
    const answers = [];
    for (const route of routes) {
      const response = await request(broker.url).get(route.path);
      answers.push({
        route: route.path,
        status: response.status,
        challenge: response.headers['www-authenticate'],
        code: response.status === 200 ? undefined : ProblemDetails.parse(response.body).code,
      });
    }
    expect(answers).toEqual(
      routes.map((route) => ({
        route: route.path,
        status: route.public ? 200 : 401,
        challenge: route.public ? undefined : 'Bearer realm="fq-broker"',
        code: route.public ? undefined : 'BROKER_AUTH_REQUIRED',
      })),
    );
  });
});
