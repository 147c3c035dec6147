import fc from 'fast-check';
import { ProblemDetails, QueryList } from '@fq/contracts';
import request from 'supertest';
import { FEMALE_QUERY, startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { QueriesRepository } from '../persistence/queries.repository';

// Small limits, so that each is reached with a readable query. FEMALE_QUERY's deepest container sits at depth 6 and
// its longest string has 41 characters.
const MAX_CRITERIA = 3;
const MAX_DEPTH = 8;
const MAX_STRING = 64;

const LIMITS = {
  BROKER_MAX_CRITERIA: String(MAX_CRITERIA),
  BROKER_MAX_NESTING_DEPTH: String(MAX_DEPTH),
  BROKER_MAX_STRING_LENGTH: String(MAX_STRING),
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const criterion = (code: string): Record<string, Json> => ({
  termCodes: [{ system: 'http://snomed.info/sct', code, display: 'Diagnosis' }],
});

/** FEMALE_QUERY with `extra` added to its first criterion (an unknown key, which CCDL keeps). */
function withCriterionExtra(extra: Record<string, Json>): Record<string, Json> {
  const [[first]] = FEMALE_QUERY.inclusionCriteria;
  return { ...FEMALE_QUERY, inclusionCriteria: [[{ ...first, ...extra }]] };
}

/** `levels` arrays inside each other: `[[]]` for 2. */
function nestedArrays(levels: number): Json {
  let value: Json = [];
  for (let i = 1; i < levels; i++) {
    value = [value];
  }
  return value;
}

/** A query with `count` criteria: OR groups of two in the inclusion, the rest in one exclusion group. */
function queryWithCriteria(count: number): Record<string, Json> {
  const all = Array.from({ length: count }, (_, i) => criterion(`1000${i}`));
  const inclusion = Math.ceil(count / 2);
  const groups: Json[] = [];
  for (let i = 0; i < inclusion; i += 2) {
    groups.push(all.slice(i, Math.min(i + 2, inclusion)));
  }
  return count - inclusion > 0
    ? { ...FEMALE_QUERY, inclusionCriteria: groups, exclusionCriteria: [all.slice(inclusion)] }
    : { ...FEMALE_QUERY, inclusionCriteria: groups };
}

describe('query complexity limits', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startSqliteTestBroker({ ...LIMITS });
  });

  afterAll(async () => {
    await broker.close();
  });

  const submit = async (body: unknown, user = 'alice') =>
    request(broker.url)
      .post('/api/v1/queries')
      .set(await broker.as(user))
      .send(body as object);

  async function expectTooComplex(body: unknown, issue: { path: string; code: string }): Promise<void> {
    const response = await submit(body, 'mallory');
    expect(response.status).toBe(400);
    const problem = ProblemDetails.parse(response.body);
    expect(problem.code).toBe('BROKER_QUERY_TOO_COMPLEX');
    expect(problem.issues).toEqual([expect.objectContaining(issue)]);
  }

  describe('criteria', () => {
    it(`accepts ${MAX_CRITERIA} criteria`, async () => {
      expect((await submit(queryWithCriteria(MAX_CRITERIA))).status).toBe(201);
    });

    it(`refuses ${MAX_CRITERIA + 1} and points at the first criterion beyond the limit`, async () => {
      // Inclusion [[c0, c1]], exclusion [[c2, c3]]: c3 is the fourth.
      await expectTooComplex(queryWithCriteria(MAX_CRITERIA + 1), {
        path: '$.exclusionCriteria[0][1]',
        code: 'BROKER_QUERY_TOO_MANY_CRITERIA',
      });
    });

    it('counts every OR alternative and points into the CRTDL document that carries the query', async () => {
      const query = {
        ...FEMALE_QUERY,
        inclusionCriteria: [[criterion('1'), criterion('2')], [criterion('3')], [criterion('4')]],
      };
      await expectTooComplex(
        { cohortDefinition: query, dataExtraction: {} },
        { path: '$.cohortDefinition.inclusionCriteria[2][0]', code: 'BROKER_QUERY_TOO_MANY_CRITERIA' },
      );
    });
  });

  describe('nesting depth', () => {
    // The first criterion sits at depth 3, so `extra` is at depth 4 and holds MAX_DEPTH - 4 levels.
    it(`accepts containers nested ${MAX_DEPTH} levels deep`, async () => {
      expect((await submit(withCriterionExtra({ extra: nestedArrays(MAX_DEPTH - 4) }))).status).toBe(201);
    });

    it(`refuses ${MAX_DEPTH + 1} levels and points at the container that is one too deep`, async () => {
      await expectTooComplex(withCriterionExtra({ extra: nestedArrays(MAX_DEPTH - 3) }), {
        path: '$.inclusionCriteria[0][0].extra[0][0][0][0]',
        code: 'BROKER_QUERY_TOO_DEEP',
      });
    });

    it('refuses objects nested too deep as well as arrays', async () => {
      await expectTooComplex(withCriterionExtra({ a: { b: { c: { d: { e: {} } } } } }), {
        path: '$.inclusionCriteria[0][0].a.b.c.d.e',
        code: 'BROKER_QUERY_TOO_DEEP',
      });
    });
  });

  describe('string length', () => {
    it(`accepts a string of ${MAX_STRING} characters and a property name as long`, async () => {
      const long = 'x'.repeat(MAX_STRING);
      expect((await submit(withCriterionExtra({ display: long, [long]: true }))).status).toBe(201);
    });

    it(`refuses a string of ${MAX_STRING + 1} characters where it is`, async () => {
      const query = withCriterionExtra({});
      const [[first]] = query.inclusionCriteria as Array<Array<Record<string, Json>>>;
      first.termCodes = [{ system: 'http://snomed.info/sct', code: '263495000', display: 'x'.repeat(MAX_STRING + 1) }];
      await expectTooComplex(query, {
        path: '$.inclusionCriteria[0][0].termCodes[0].display',
        code: 'BROKER_QUERY_STRING_TOO_LONG',
      });
    });

    it(`refuses a property name of ${MAX_STRING + 1} characters`, async () => {
      const name = 'k'.repeat(MAX_STRING + 1);
      await expectTooComplex(withCriterionExtra({ [name]: 1 }), {
        path: `$.inclusionCriteria[0][0].${name}`,
        code: 'BROKER_QUERY_STRING_TOO_LONG',
      });
    });
  });

  it('never answers an oversized or too deep body with a 5xx, and stores none of them', async () => {
    const before = await broker.app.get(QueriesRepository).listRunningQueries();
    const published = broker.transport.published.length;
    // `levels` containers inside each other, arrays or objects, as JSON text: too deep for JSON.stringify's stack.
    const tooDeep = (minLevels: number) =>
      fc
        .record({ levels: fc.integer({ min: minLevels, max: 20_000 }), objects: fc.boolean() })
        .map(({ levels, objects }) =>
          objects
            ? `${'{"n":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`
            : `${'['.repeat(levels)}${']'.repeat(levels)}`,
        );
    const tooLong = fc.string({ minLength: MAX_STRING + 1, maxLength: 4_000 });
    const text = (query: unknown) => JSON.stringify(query);
    const body = fc.oneof(
      // Below a criterion (depth 4) or as the whole body (depth 0).
      tooDeep(MAX_DEPTH - 3).map((deep) => text(withCriterionExtra({ deep: 'DEEP' })).replace('"DEEP"', deep)),
      tooDeep(MAX_DEPTH + 1),
      tooLong.map((long) => text(withCriterionExtra({ display: long }))),
      tooLong.map((long) => text(withCriterionExtra({ [long]: long.length }))),
      tooLong.map((long) => text({ ...FEMALE_QUERY, version: long })),
      fc.integer({ min: MAX_CRITERIA + 1, max: 60 }).map((count) => text(queryWithCriteria(count))),
      fc
        .integer({ min: MAX_CRITERIA + 1, max: 60 })
        .map((count) => text({ cohortDefinition: queryWithCriteria(count), dataExtraction: null })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const response = await request(broker.url)
          .post('/api/v1/queries')
          .set(await broker.as('fuzzer'))
          .set('Content-Type', 'application/json')
          .send(json);
        expect(response.status).toBe(400);
        const problem = ProblemDetails.parse(response.body);
        expect(problem.code).toBe('BROKER_QUERY_TOO_COMPLEX');
        expect(problem.issues?.length).toBeGreaterThan(0);
        for (const issue of problem.issues ?? []) {
          expect(issue.path.startsWith('$')).toBe(true);
        }
      }),
      { numRuns: 120 },
    );
    const list = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .set(await broker.as('fuzzer'))
          .expect(200)
      ).body,
    );
    expect(list.totalItems).toBe(0);
    expect(await broker.app.get(QueriesRepository).listRunningQueries()).toEqual(before);
    expect(broker.transport.published).toHaveLength(published);
  });
});
