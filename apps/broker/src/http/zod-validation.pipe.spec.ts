import type { ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { QueryListParams } from '@fq/contracts';
import { z } from 'zod';
import { BROKER_ERROR_STATUS, BrokerError } from '../broker.errors';
import { toProblemDetails } from '../problem-details.filter';
import { ZodValidationPipe } from './zod-validation.pipe';

const QUERY: ArgumentMetadata = { type: 'query' };
const USER_ID: ArgumentMetadata = { type: 'param', data: 'userId' };

/** What the pipe threw for `value`; fails the test if it returned. */
function refusal(pipe: ZodValidationPipe<z.ZodType>, value: unknown, metadata: ArgumentMetadata): BrokerError {
  try {
    pipe.transform(value, metadata);
  } catch (error) {
    if (error instanceof BrokerError) {
      return error;
    }
    throw error;
  }
  throw new Error(`the pipe accepted ${JSON.stringify(value)}`);
}

/** Fails unless `run` returns list parameters that parse again, or throws a 400 BROKER_PARAMETER_INVALID with issues. */
function expectParametersOrProblem(run: () => unknown): void {
  let parsed: unknown;
  try {
    parsed = run();
  } catch (error) {
    const { problem } = toProblemDetails(error);
    expect(problem.status).toBe(BROKER_ERROR_STATUS.BROKER_PARAMETER_INVALID);
    expect(problem.code).toBe('BROKER_PARAMETER_INVALID');
    expect(problem.issues?.length).toBeGreaterThan(0);
    return;
  }
  // The output of a transform (all: 'true' becomes true) does not parse again; its shape is what a handler relies on.
  expect(parsed).toEqual(
    expect.objectContaining({ limit: expect.any(Number) as number, all: expect.any(Boolean) as boolean }),
  );
  const { limit } = parsed as { limit: number };
  expect(Number.isInteger(limit) && limit >= 1 && limit <= 100).toBe(true);
}

describe('ZodValidationPipe', () => {
  const listParams = new ZodValidationPipe(QueryListParams, 'the query parameters are invalid');

  it('hands the handler the parsed value, with coercions and defaults applied', () => {
    expect(listParams.transform({ limit: '5', all: 'true' }, QUERY)).toEqual({ limit: 5, all: true });
    expect(listParams.transform({}, QUERY)).toEqual({ limit: 20, all: false });
  });

  it('refuses with BROKER_PARAMETER_INVALID and lists every issue under query:', () => {
    const error = refusal(listParams, { limit: '1000', cursor: 'not a cursor' }, QUERY);
    expect(error.code).toBe('BROKER_PARAMETER_INVALID');
    expect(error.message).toBe('the query parameters are invalid');
    expect(error.issues).toEqual([
      { path: 'query:limit', code: 'BROKER_PARAMETER_INVALID', message: expect.any(String) as string },
      { path: 'query:cursor', code: 'BROKER_PARAMETER_INVALID', message: expect.any(String) as string },
    ]);
  });

  it('names an unknown query parameter as the whole query string does', () => {
    const error = refusal(listParams, { page: '2' }, QUERY);
    expect(error.issues).toEqual([
      { path: 'query:', code: 'BROKER_PARAMETER_INVALID', message: expect.stringContaining('page') as string },
    ]);
  });

  it('prefixes the issues of one path parameter with path: and its name', () => {
    const pipe = new ZodValidationPipe(z.string().regex(/^[a-z]+$/), 'the user id is malformed');
    expect(pipe.transform('alice', USER_ID)).toBe('alice');
    expect(refusal(pipe, 'Al ice', USER_ID).issues).toEqual([
      { path: 'path:userId', code: 'BROKER_PARAMETER_INVALID', message: expect.any(String) as string },
    ]);
  });

  it('gives any query string either its parameters or a 400 problem with an issue, never another error', () => {
    const value = fc.oneof(fc.string(), fc.integer().map(String), fc.array(fc.string(), { maxLength: 3 }));
    const queryString = fc.dictionary(
      fc.oneof(fc.constantFrom('limit', 'cursor', 'all', 'user', 'status', 'since'), fc.string()),
      value,
      {
        maxKeys: 4,
      },
    );
    fc.assert(
      fc.property(queryString, (query) => expectParametersOrProblem(() => listParams.transform(query, QUERY))),
      { numRuns: 500 },
    );
  });
});
