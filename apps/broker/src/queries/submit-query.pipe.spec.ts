import fc from 'fast-check';
import { parseStructuredQuery, parseStructuredQueryWithWarnings } from '@fq/ccdl';
import { formatIssuePath } from '@fq/result';
import { ProblemDetails } from '@fq/contracts';
import { FEMALE_QUERY } from '../__fixtures__/test-broker';
import { BrokerError } from '../broker.errors';
import { toProblemDetails } from '../problem-details.filter';
import { SubmitQueryPipe, type SubmittedQuery } from './submit-query.pipe';

const pipe = new SubmitQueryPipe({ requestLimits: { maxCriteria: 3, maxNestingDepth: 8, maxStringLength: 64 } });

/** What the pipe threw for `body`; fails the test if it accepted it. */
function refusal(body: unknown, by: SubmitQueryPipe = pipe): BrokerError {
  try {
    by.transform(body);
  } catch (error) {
    if (error instanceof BrokerError) {
      return error;
    }
    throw error;
  }
  throw new Error(`the pipe accepted ${JSON.stringify(body)}`);
}

const criterion = (code: string) => ({ termCodes: [{ system: 'http://snomed.info/sct', code, display: 'Diagnosis' }] });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in `value` where a part can be swapped: `[]` for the whole, `['inclusionCriteria', 0]` and so on. */
function pathsOf(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) {
    return [path, ...value.flatMap((item: unknown, index) => pathsOf(item, [...path, index]))];
  }
  if (typeof value === 'object' && value !== null) {
    return [path, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...path, key]))];
  }
  return [path];
}

/** A copy of `value` with the part at `path` replaced by `replacement`. */
function replaceAt(value: Json, path: ReadonlyArray<string | number>, replacement: Json): Json {
  if (path.length === 0) {
    return replacement;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  }
  if (typeof value === 'object' && value !== null && typeof head === 'string') {
    return { ...value, [head]: replaceAt(value[head], rest, replacement) };
  }
  return value;
}

/** Fails unless the pipe accepts `query` (alone or in a CRTDL document) as CCDL does, or refuses it with a 400. */
function expectAcceptedAsCcdlOrProblem(query: Json, crtdl: boolean): void {
  let accepted: SubmittedQuery;
  try {
    accepted = pipe.transform(crtdl ? { cohortDefinition: query } : query);
  } catch (error) {
    const { problem } = toProblemDetails(error);
    expect(problem.status).toBe(400);
    expect(['BROKER_QUERY_INVALID', 'BROKER_QUERY_TOO_COMPLEX']).toContain(problem.code);
    expect(problem.issues?.length).toBeGreaterThan(0);
    expect(problem.issues?.every((issue) => issue.path.startsWith('$'))).toBe(true);
    return;
  }
  const expected = parseStructuredQueryWithWarnings(crtdl ? { cohortDefinition: query } : query);
  expect(
    expected.ok && {
      query: expected.value.query,
      root: crtdl ? '$.cohortDefinition' : '$',
      warnings: expected.value.warnings,
    },
  ).toEqual(accepted);
}

describe('SubmitQueryPipe', () => {
  it('hands the service the parsed query rooted at $', () => {
    const expected = parseStructuredQuery(FEMALE_QUERY);
    if (!expected.ok) {
      throw expected.error;
    }
    expect(pipe.transform(FEMALE_QUERY)).toEqual({ query: expected.value, root: '$', warnings: [] });
  });

  it('hands the service the query a CRTDL document carries, rooted at $.cohortDefinition', () => {
    const submitted = pipe.transform({ cohortDefinition: FEMALE_QUERY, dataExtraction: { attributeGroups: [] } });
    expect(submitted.root).toBe('$.cohortDefinition');
    expect(submitted.query.inclusionCriteria).toEqual(FEMALE_QUERY.inclusionCriteria);
  });

  it('refuses an invalid query with BROKER_QUERY_INVALID, counting and listing every issue', () => {
    const error = refusal({
      inclusionCriteria: [[{ termCodes: [], timeRestriction: { afterDate: '2024-02-01', beforeDate: '2024-01-01' } }]],
      exclusionCriteria: 'none',
    });
    expect(error.code).toBe('BROKER_QUERY_INVALID');
    expect(error.message).toBe('the query has 3 issues');
    expect(error.issues?.map((issue) => [issue.path, issue.code])).toEqual(
      expect.arrayContaining([
        ['$.inclusionCriteria[0][0].termCodes', 'CCDL_TOO_SMALL'],
        ['$.inclusionCriteria[0][0].timeRestriction.beforeDate', 'CCDL_TIME_RANGE_INVERTED'],
        ['$.exclusionCriteria', 'CCDL_INVALID_TYPE'],
      ]),
    );
  });

  it('says "1 issue" for one', () => {
    expect(refusal({ ...FEMALE_QUERY, exclusionCriteria: 'none' }).message).toBe('the query has 1 issue');
  });

  it('checks the size limits before the schemas: a deep body is too complex, not invalid', () => {
    let deep: Json = [];
    for (let level = 0; level < 10_000; level++) {
      deep = [deep];
    }
    const error = refusal({ inclusionCriteria: 'wrong', deep });
    expect(error.code).toBe('BROKER_QUERY_TOO_COMPLEX');
    expect(error.message).toBe('the query exceeds the broker’s size limits');
    expect(error.issues).toEqual([
      expect.objectContaining({ path: '$.deep[0][0][0][0][0][0][0]', code: 'BROKER_QUERY_TOO_DEEP' }),
    ]);
  });

  it('refuses more criteria than the broker allows, pointing into the CRTDL document', () => {
    const query = {
      ...FEMALE_QUERY,
      inclusionCriteria: [[criterion('1'), criterion('2')], [criterion('3')], [criterion('4')]],
    };
    const error = refusal({ cohortDefinition: query });
    expect(error.code).toBe('BROKER_QUERY_TOO_COMPLEX');
    expect(error.message).toBe('the query has 4 criteria; at most 3 are allowed');
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: '$.cohortDefinition.inclusionCriteria[2][0]',
        code: 'BROKER_QUERY_TOO_MANY_CRITERIA',
      }),
    ]);
  });

  it('refuses any JSON that is not a query with a 400 problem listing its issues', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const { problem } = toProblemDetails(refusal(body));
        expect(ProblemDetails.parse(problem).status).toBe(400);
        expect(['BROKER_QUERY_INVALID', 'BROKER_QUERY_TOO_COMPLEX']).toContain(problem.code);
        expect(problem.issues?.length).toBeGreaterThan(0);
        expect(problem.issues?.every((issue) => issue.path.startsWith('$'))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('either accepts a query with one part swapped for any JSON, or refuses it with a 400 problem', () => {
    const paths = pathsOf(FEMALE_QUERY);
    const body = fc
      .tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 4 }), fc.boolean())
      .map(([path, replacement, crtdl]) => ({ query: replaceAt(FEMALE_QUERY, path, replacement as Json), crtdl }));
    fc.assert(
      fc.property(body, ({ query, crtdl }) => expectAcceptedAsCcdlOrProblem(query, crtdl)),
      { numRuns: 1000 },
    );
  });
  describe('unknown properties', () => {
    // Room for a property's value below the deepest object of a CRTDL document.
    const roomyPipe = new SubmitQueryPipe({
      requestLimits: { maxCriteria: 3, maxNestingDepth: 16, maxStringLength: 1000 },
    });
    const objectPaths = pathsOf(FEMALE_QUERY).filter((path) => {
      const node = path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], FEMALE_QUERY);
      return typeof node === 'object' && node !== null && !Array.isArray(node);
    });
    const keysAt = (path: ReadonlyArray<string | number>): string[] =>
      Object.keys(
        path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], FEMALE_QUERY) as object,
      );
    const withKey = (path: ReadonlyArray<string | number>, key: string, extra: Json): Json => {
      const node = path.reduce<unknown>(
        (value, part) => (value as Record<string | number, unknown>)[part],
        FEMALE_QUERY,
      );
      return replaceAt(FEMALE_QUERY, path, { ...(node as Record<string, Json>), [key]: extra });
    };

    it('refuses a known property with its case changed or one letter dropped, at any depth, with its path', () => {
      const misspelling = fc
        .tuple(fc.constantFrom(...objectPaths), fc.nat(), fc.nat(), fc.boolean(), fc.jsonValue({ maxDepth: 2 }))
        .map(([path, pickKey, at, lower, extra]) => {
          const keys = keysAt(path);
          const known = keys[pickKey % keys.length];
          const i = at % known.length;
          const key = lower ? known.toUpperCase() : known.slice(0, i) + known.slice(i + 1);
          return { path, key, extra: extra as Json, keys };
        })
        .filter(({ key, keys }) => !keys.includes(key));
      fc.assert(
        fc.property(misspelling, fc.boolean(), ({ path, key, extra }, crtdl) => {
          const query = withKey(path, key, extra);
          const error = refusal(crtdl ? { cohortDefinition: query } : query, roomyPipe);
          expect(toProblemDetails(error).problem.status).toBe(400);
          expect(error.issues).toContainEqual(
            expect.objectContaining({
              path: formatIssuePath([...(crtdl ? ['cohortDefinition'] : []), ...path, key]),
              code: 'CCDL_PROPERTY_MISSPELLED',
            }),
          );
        }),
        { numRuns: 300 },
      );
    });

    it('accepts a property far from every known name, at any depth, and warns about it', () => {
      const unrelated = fc
        .tuple(fc.string({ maxLength: 5 }), fc.constantFrom('-x-9', '_#0$', '42!?'))
        .map(([word, marker]) => `${word}${marker}`);
      fc.assert(
        fc.property(fc.constantFrom(...objectPaths), unrelated, fc.jsonValue({ maxDepth: 2 }), (path, key, extra) => {
          const accepted = roomyPipe.transform(withKey(path, key, extra as Json));
          expect(accepted.warnings).toEqual([
            expect.objectContaining({ path: formatIssuePath([...path, key]), code: 'CCDL_UNKNOWN_PROPERTY' }),
          ]);
        }),
        { numRuns: 300 },
      );
    });
  });
});
