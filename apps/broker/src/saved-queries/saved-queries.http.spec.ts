import {
  MAX_SAVED_QUERIES_PER_USER,
  ProblemDetails,
  SAVED_QUERY_NAME_MAX_LENGTH,
  SavedQuery,
  SavedQueryList,
  SubmitQueryResponse,
} from '@fq/contracts';
import fc from 'fast-check';
import request from 'supertest';
import { FEMALE_QUERY, startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
let broker: TestBroker;

beforeEach(async () => {
  broker = await startSqliteTestBroker();
});

afterEach(async () => {
  await broker.close();
});

async function save(body: object, who = 'alice'): Promise<SavedQuery> {
  const response = await request(broker.url)
    .post('/api/v1/saved-queries')
    .set(await broker.as(who))
    .send(body)
    .expect(201);
  const saved = SavedQuery.parse(response.body);
  expect(response.headers.location).toBe(`/api/v1/saved-queries/${saved.id}`);
  return saved;
}

async function problemOf(method: 'post' | 'patch', path: string, body: unknown, who = 'alice') {
  const response = await request(broker.url)
    [method](path)
    .set(await broker.as(who))
    .send(body as object);
  return { status: response.status, problem: ProblemDetails.parse(response.body) };
}

describe('saved queries over HTTP', () => {
  it('saves a query, lists it, reads it, renames it, and deletes it', async () => {
    const saved = await save({ name: '  Women  ', comment: 'for the pilot', query: FEMALE_QUERY });
    expect(saved).toMatchObject({ name: 'Women', comment: 'for the pilot', query: FEMALE_QUERY });
    const alice = await broker.as('alice');
    const list = SavedQueryList.parse(
      (await request(broker.url).get('/api/v1/saved-queries').set(alice).expect(200)).body,
    );
    expect(list).toEqual({
      items: [
        {
          id: saved.id,
          name: 'Women',
          comment: 'for the pilot',
          createdAt: saved.createdAt,
          updatedAt: saved.updatedAt,
        },
      ],
      maxItems: MAX_SAVED_QUERIES_PER_USER,
    });
    const read = await request(broker.url)
      .get(`/api/v1/saved-queries/${saved.id.toUpperCase()}`)
      .set(alice)
      .expect(200);
    expect(SavedQuery.parse(read.body)).toEqual(saved);
    broker.clock.advance(5_000);
    const renamed = await request(broker.url)
      .patch(`/api/v1/saved-queries/${saved.id}`)
      .set(alice)
      .send({ name: 'Women, all ages', comment: null })
      .expect(200);
    expect(SavedQuery.parse(renamed.body)).toMatchObject({
      name: 'Women, all ages',
      comment: null,
      createdAt: saved.createdAt,
      updatedAt: broker.clock.now().toISOString(),
    });
    await request(broker.url).delete(`/api/v1/saved-queries/${saved.id}`).set(alice).expect(204);
    await request(broker.url).get(`/api/v1/saved-queries/${saved.id}`).set(alice).expect(404);
  });

  it('keeps the cohort definition of a CRTDL document, and re-runs it through POST /api/v1/queries', async () => {
    const saved = await save({ name: 'CRTDL', query: { cohortDefinition: FEMALE_QUERY, dataExtraction: {} } });
    expect(saved.query).toEqual(FEMALE_QUERY);
    const submitted = await request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as('alice'))
      .send(saved.query)
      .expect(201);
    expect(SubmitQueryResponse.parse(submitted.body).warnings).toEqual([]);
  });

  it('never shows, changes or deletes another user’s saved query: it is as unknown as a missing one', async () => {
    const saved = await save({ name: 'Mine', query: FEMALE_QUERY });
    const bob = await broker.as('bob');
    const list = SavedQueryList.parse(
      (await request(broker.url).get('/api/v1/saved-queries').set(bob).expect(200)).body,
    );
    expect(list.items).toEqual([]);
    const admin = await broker.as('root', 'admin');
    for (const caller of [bob, admin]) {
      const read = await request(broker.url).get(`/api/v1/saved-queries/${saved.id}`).set(caller).expect(404);
      expect(ProblemDetails.parse(read.body).code).toBe('BROKER_SAVED_QUERY_NOT_FOUND');
      await request(broker.url).patch(`/api/v1/saved-queries/${saved.id}`).set(caller).send({ name: 'x' }).expect(404);
      await request(broker.url).delete(`/api/v1/saved-queries/${saved.id}`).set(caller).expect(404);
    }
    await request(broker.url)
      .get(`/api/v1/saved-queries/${saved.id}`)
      .set(await broker.as('alice'))
      .expect(200);
  });

  it('answers 404 for an id that is no UUID, and 401 without a token', async () => {
    const response = await request(broker.url)
      .get('/api/v1/saved-queries/not-an-id')
      .set(await broker.as('alice'))
      .expect(404);
    expect(ProblemDetails.parse(response.body).code).toBe('BROKER_SAVED_QUERY_NOT_FOUND');
    await request(broker.url).get('/api/v1/saved-queries').expect(401);
  });

  it('answers 409 for a name the caller already uses, when saving and when renaming', async () => {
    await save({ name: 'Women', query: FEMALE_QUERY });
    const other = await save({ name: 'Other', query: FEMALE_QUERY });
    const again = await problemOf('post', '/api/v1/saved-queries', { name: 'Women', query: FEMALE_QUERY });
    expect(again).toMatchObject({
      status: 409,
      problem: { code: 'BROKER_SAVED_QUERY_NAME_TAKEN', issues: [{ path: '$.name' }] },
    });
    const rename = await problemOf('patch', `/api/v1/saved-queries/${other.id}`, { name: 'Women' });
    expect(rename).toMatchObject({ status: 409, problem: { code: 'BROKER_SAVED_QUERY_NAME_TAKEN' } });
    await save({ name: 'Women', query: FEMALE_QUERY }, 'bob');
  });

  it('answers 400 BROKER_SAVED_QUERY_LIMIT_REACHED once the caller keeps the most saved queries', async () => {
    for (let i = 0; i < MAX_SAVED_QUERIES_PER_USER; i++) {
      await save({ name: `query ${i}`, query: FEMALE_QUERY });
    }
    const over = await problemOf('post', '/api/v1/saved-queries', { name: 'one more', query: FEMALE_QUERY });
    expect(over).toMatchObject({ status: 400, problem: { code: 'BROKER_SAVED_QUERY_LIMIT_REACHED' } });
    expect(over.problem.detail).toContain(String(MAX_SAVED_QUERIES_PER_USER));
  });

  it('lists every issue of the name, the comment and the query at once, the query’s under $.query', async () => {
    const [criterion] = FEMALE_QUERY.inclusionCriteria[0];
    const { valueFilter, ...rest } = criterion;
    const { status, problem } = await problemOf('post', '/api/v1/saved-queries', {
      name: 'x'.repeat(SAVED_QUERY_NAME_MAX_LENGTH + 1),
      comment: 'bell\u0007',
      extra: true,
      query: { ...FEMALE_QUERY, inclusionCriteria: [[{ ...rest, valuefilter: valueFilter }]] },
    });
    expect(status).toBe(400);
    expect(problem.code).toBe('BROKER_SAVED_QUERY_INVALID');
    expect(problem.issues?.map((issue) => [issue.path, issue.code])).toEqual([
      ['$.name', 'BROKER_SAVED_QUERY_INVALID'],
      ['$.comment', 'BROKER_SAVED_QUERY_INVALID'],
      ['$.extra', 'BROKER_SAVED_QUERY_INVALID'],
      ['$.query.inclusionCriteria[0][0].valuefilter', 'CCDL_PROPERTY_MISSPELLED'],
    ]);
  });

  it('answers an invalid query alone with the code POST /api/v1/queries gives, its paths under $.query', async () => {
    const { status, problem } = await problemOf('post', '/api/v1/saved-queries', {
      name: 'Broken',
      query: { inclusionCriteria: [] },
    });
    expect(status).toBe(400);
    expect(problem.code).toBe('BROKER_QUERY_INVALID');
    expect(problem.issues?.[0]?.path).toMatch(/^\$\.query\.inclusionCriteria/);
    const missing = await problemOf('post', '/api/v1/saved-queries', { name: 'No query' });
    expect(missing).toMatchObject({
      status: 400,
      problem: { code: 'BROKER_SAVED_QUERY_INVALID', issues: [{ path: '$.query' }] },
    });
  });

  it('answers 400 to a rename with neither name nor comment, a blank name, or an unknown key', async () => {
    const saved = await save({ name: 'Women', query: FEMALE_QUERY });
    for (const body of [{}, { name: '   ' }, { name: 'ok', query: FEMALE_QUERY }, { comment: 7 }]) {
      const { status, problem } = await problemOf('patch', `/api/v1/saved-queries/${saved.id}`, body);
      expect([status, problem.code, (problem.issues ?? []).length > 0]).toEqual([
        400,
        'BROKER_SAVED_QUERY_INVALID',
        true,
      ]);
    }
  });

  it('answers any body either 201 or a 400 problem with issues, never a 500', async () => {
    const headers = await broker.as('carol');
    const body = fc.oneof(
      fc.record(
        {
          name: fc.string({ maxLength: 130 }),
          comment: fc.option(fc.string(), { nil: undefined }),
          query: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
      fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), query: fc.constant(FEMALE_QUERY) }),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const response = await request(broker.url)
          .post('/api/v1/saved-queries')
          .set(headers)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(value));
        if (response.status === 201) {
          await request(broker.url)
            .delete(`/api/v1/saved-queries/${(response.body as SavedQuery).id}`)
            .set(headers);
        }
        const problem = ProblemDetails.safeParse(response.body);
        const understood =
          response.status === 201
            ? SavedQuery.safeParse(response.body).success
            : response.status === 400 && problem.success && (problem.data.issues?.length ?? 0) > 0;
        expect({ status: response.status, understood }).toEqual({ status: response.status, understood: true });
      }),
      { numRuns: 80 },
    );
  }, 60_000);
});
