import fc from 'fast-check';
import { ProblemDetails, QueryList } from '@fq/contracts';
import request, { type Response } from 'supertest';
import { FEMALE_QUERY, startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';

/** 150 HTTP round trips per property; a busy CI machine needs more than Jest's 5 s. */
const PROPERTY_TIMEOUT_MS = 60_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** FEMALE_QUERY with the part at one of its paths (or the whole) replaced by `replacement`. */
function swapPart(value: Json, path: ReadonlyArray<string | number>, replacement: Json): Json {
  if (path.length === 0) {
    return replacement;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    return value.map((item, index) => (index === head ? swapPart(item, rest, replacement) : item));
  }
  if (typeof value === 'object' && value !== null && typeof head === 'string') {
    return { ...value, [head]: swapPart(value[head], rest, replacement) };
  }
  return value;
}

function pathsOf(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) {
    return [path];
  }
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((item: unknown, index) => [index, item])
    : Object.entries(value);
  return [path, ...entries.flatMap(([key, item]) => pathsOf(item, [...path, key]))];
}

/** Fails unless `response` is a problem+json of `status` that parses as our problem details. */
function expectProblem(response: Response, status: number): ProblemDetails {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  return ProblemDetails.parse(response.body);
}

/** Fails unless `response` is an empty page of the list or a 400 problem naming query parameters. */
function expectEmptyPageOrParameterProblem(response: Response): void {
  if (response.status === 200) {
    expect(QueryList.parse(response.body).totalItems).toBe(0);
    return;
  }
  const problem = expectProblem(response, 400);
  expect(problem.code).toBe('BROKER_PARAMETER_INVALID');
  expect(problem.issues?.every((issue) => issue.path.startsWith('query:'))).toBe(true);
}

describe('the query API at its edge', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startSqliteTestBroker();
  });

  afterAll(async () => {
    await broker.close();
  });

  const post = async (who: string, body: string | Buffer) =>
    request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as(who))
      .set('Content-Type', 'application/json')
      .send(body);

  const storedCount = async (who: string) =>
    QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .set(await broker.as(who))
          .expect(200)
      ).body,
    ).totalItems;

  it(
    'answers any JSON that is not a query with a 400 problem listing its issues, and stores nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (body) => {
          const problem = expectProblem(await post('json-fuzzer', JSON.stringify(body)), 400);
          expect(['BROKER_QUERY_INVALID', 'BROKER_QUERY_TOO_COMPLEX']).toContain(problem.code);
          expect(problem.issues?.length).toBeGreaterThan(0);
        }),
        { numRuns: 150 },
      );
      expect(await storedCount('json-fuzzer')).toBe(0);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers any bytes at all with a 400 problem, never a 5xx',
    async () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((array) => Buffer.from(array)),
        fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
      );
      await fc.assert(
        fc.asyncProperty(bytes, async (body) => {
          const problem = expectProblem(await post('byte-fuzzer', body), 400);
          expect(['BROKER_BODY_INVALID_JSON', 'BROKER_QUERY_INVALID', 'BROKER_QUERY_TOO_COMPLEX']).toContain(
            problem.code,
          );
        }),
        { numRuns: 150 },
      );
      expect(await storedCount('byte-fuzzer')).toBe(0);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers a query with one part swapped for any JSON either 201 or a 400 problem',
    async () => {
      const body = fc
        .tuple(fc.constantFrom(...pathsOf(FEMALE_QUERY)), fc.jsonValue({ maxDepth: 3 }), fc.boolean())
        .map(([path, replacement, crtdl]) => {
          const query = swapPart(FEMALE_QUERY, path, replacement as Json);
          return crtdl ? { cohortDefinition: query } : query;
        });
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(body, async (query) => {
          const response = await post('swapper', JSON.stringify(query));
          if (response.status === 201) {
            accepted++;
            return;
          }
          const problem = expectProblem(response, 400);
          expect(problem.issues?.length).toBeGreaterThan(0);
        }),
        { numRuns: 150 },
      );
      expect(await storedCount('swapper')).toBe(accepted);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers any query string of the list either 200 or a 400 problem naming query parameters',
    async () => {
      const value = fc.oneof(fc.string(), fc.integer({ min: -5, max: 1_000 }).map(String));
      const parameters = fc.dictionary(
        fc.oneof(fc.constantFrom('limit', 'offset'), fc.string({ minLength: 1 })),
        value,
        {
          maxKeys: 3,
        },
      );
      await fc.assert(
        fc.asyncProperty(parameters, async (query) => {
          expectEmptyPageOrParameterProblem(
            await request(broker.url)
              .get('/api/v1/queries')
              .query(query)
              .set(await broker.as('lister')),
          );
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'answers any id that names no query of the caller with a 404 problem, for results and events alike',
    async () => {
      const id = fc.oneof(
        fc.uuid(),
        fc.string({ minLength: 1 }).filter((text) => text !== '.' && text !== '..'),
      );
      await fc.assert(
        fc.asyncProperty(id, fc.boolean(), async (text, events) => {
          const path = `/api/v1/queries/${encodeURIComponent(text)}${events ? '/events' : ''}`;
          const response = await request(broker.url)
            .get(path)
            .set(await broker.as('reader'));
          expect(expectProblem(response, 404).code).toBe('BROKER_QUERY_NOT_FOUND');
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
