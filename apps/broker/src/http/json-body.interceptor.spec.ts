import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { ProblemDetails } from '@fq/contracts';
import request from 'supertest';
import { FEMALE_QUERY, startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { MAX_BODY_BYTES } from './json-body.interceptor';
let broker: TestBroker;
let auth: Record<string, string>;

beforeAll(async () => {
  broker = await startSqliteTestBroker();
  auth = await broker.as('alice');
});

afterAll(async () => {
  await broker.close();
});

function post(body: string, contentType = 'application/json') {
  return request(broker.url).post('/api/v1/queries').set(auth).set('Content-Type', contentType).send(body);
}

function expectProblem(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(ProblemDetails.parse(response.body)).toMatchObject({ status, code });
  expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

/** The female query, its criterion padded with short strings (under the string length limit) to exactly `bytes`. */
function paddedQuery(bytes: number): string {
  const withPadding = (padding: string[]) =>
    JSON.stringify({
      ...FEMALE_QUERY,
      inclusionCriteria: [[{ ...FEMALE_QUERY.inclusionCriteria[0][0], padding }]],
    });
  const chunk = 'x'.repeat(1000);
  const chunks = Math.floor((bytes - withPadding(['']).length) / (chunk.length + 3));
  const full = Array.from({ length: chunks }, () => chunk);
  const text = withPadding([...full, 'x'.repeat(bytes - withPadding([...full, '']).length)]);
  expect(text.length).toBe(bytes);
  return text;
}

describe('request bodies', () => {
  it('answers 415 for a body that is not application/json', async () => {
    expectProblem(await post(JSON.stringify(FEMALE_QUERY), 'text/plain'), 415, 'BROKER_UNSUPPORTED_MEDIA_TYPE');
    expectProblem(
      await post(JSON.stringify(FEMALE_QUERY), 'application/x-www-form-urlencoded'),
      415,
      'BROKER_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('answers 415 for JSON in a charset other than UTF-8', async () => {
    expectProblem(
      await post(JSON.stringify(FEMALE_QUERY), 'application/json; charset=iso-8859-1'),
      415,
      'BROKER_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('accepts application/json with charset=utf-8', async () => {
    expect((await post(JSON.stringify(FEMALE_QUERY), 'application/json; charset=UTF-8')).status).toBe(201);
  });

  it('answers 400 for text that is not JSON, naming the problem', async () => {
    const response = await post('{"inclusionCriteria": [');
    expectProblem(response, 400, 'BROKER_BODY_INVALID_JSON');
    expect(ProblemDetails.parse(response.body).detail).toMatch(/^the body is not valid JSON: /);
  });

  it('answers 400 for bytes that are not UTF-8', async () => {
    // superagent would serialise a Buffer as JSON; raw bytes need a raw request.
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${broker.url}/api/v1/queries`,
        { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': bytes.length } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(bytes);
    });
    expect(response.status).toBe(400);
    expect(ProblemDetails.parse(JSON.parse(response.body))).toMatchObject({
      code: 'BROKER_BODY_INVALID_JSON',
      detail: 'the body is not valid UTF-8',
    });
  });

  it('answers 400 with a root issue for an empty body and for JSON that is not an object', async () => {
    expectProblem(await post(''), 400, 'BROKER_BODY_INVALID_JSON');
    const response = await post('[1, 2]');
    expectProblem(response, 400, 'BROKER_QUERY_INVALID');
    expect(ProblemDetails.parse(response.body).issues?.[0]).toMatchObject({ path: '$' });
  });

  it('answers 413 for a body above 256 kB and accepts one just below', async () => {
    expectProblem(await post(paddedQuery(MAX_BODY_BYTES + 1)), 413, 'BROKER_BODY_TOO_LARGE');
    expect((await post(paddedQuery(MAX_BODY_BYTES - 1024))).status).toBe(201);
  });

  it('answers 413 for a query that fits the body limit but not one network message', async () => {
    const body = paddedQuery(MAX_BODY_BYTES - 400);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expectProblem(await post(body), 413, 'BROKER_QUERY_TOO_LARGE');
  });

  it('answers 413 for a body above the limit sent without Content-Length', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(broker.url).post('/api/v1/queries').set(auth).set('Content-Type', 'application/json');
      // Chunked transfer: the limit must hold while reading, not only against the header.
      req.set('Transfer-Encoding', 'chunked');
      req.write('{"display":"');
      req.write('y'.repeat(MAX_BODY_BYTES));
      req.write('"}');
      req.end((error: unknown, res) =>
        error !== null
          ? reject(error instanceof Error ? error : new Error('request failed', { cause: error }))
          : resolve({ status: res.status, body: res.text }),
      );
    });
    expect(response.status).toBe(413);
    expect(ProblemDetails.parse(JSON.parse(response.body))).toMatchObject({ code: 'BROKER_BODY_TOO_LARGE' });
  });

  it('never answers an arbitrary JSON body with a server error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (value) => {
        const response = await post(JSON.stringify(value));
        expect(response.status).toBeLessThan(500);
        expect(response.status === 201 || ProblemDetails.safeParse(response.body).success).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('never answers arbitrary text, including near-queries, with a server error', async () => {
    const nearQuery = fc
      .record({
        inclusionCriteria: fc.array(
          fc.array(
            fc.dictionary(
              fc.constantFrom('termCodes', 'context', 'valueFilter', 'timeRestriction', '__proto__'),
              fc.jsonValue({ maxDepth: 3 }),
            ),
            { maxLength: 2 },
          ),
          { maxLength: 2 },
        ),
      })
      .map((value) => JSON.stringify(value));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearQuery), async (text) => {
        const response = await post(text);
        expect(response.status).toBeLessThan(500);
        expect(response.status === 201 || ProblemDetails.safeParse(response.body).success).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
