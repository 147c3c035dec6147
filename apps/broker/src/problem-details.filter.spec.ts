import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ProblemDetails, SubmitQueryResponse } from '@fq/contracts';
import request from 'supertest';
import { FEMALE_QUERY, startSqliteTestBroker } from './__fixtures__/test-broker';
import { BrokerError } from './broker.errors';
import { BROKER_DATABASE, type BrokerDatabase } from './persistence/broker-database';
import { toProblemDetails } from './problem-details.filter';

describe('toProblemDetails', () => {
  it('answers a broker error with its status, code and issues', () => {
    const issues = [{ path: '$.inclusionCriteria', code: 'CCDL_REQUIRED', message: 'inclusionCriteria is required' }];
    expect(toProblemDetails(new BrokerError('BROKER_QUERY_INVALID', 'the query has 1 issue', { issues }))).toEqual({
      problem: {
        type: 'urn:fq:problem:broker-query-invalid',
        title: 'Invalid query',
        status: 400,
        detail: 'the query has 1 issue',
        code: 'BROKER_QUERY_INVALID',
        issues,
      },
      headers: {},
    });
  });

  it("maps Nest's own client errors by status", () => {
    expect(toProblemDetails(new NotFoundException('Cannot GET /x')).problem).toMatchObject({
      status: 404,
      code: 'BROKER_ROUTE_NOT_FOUND',
      detail: 'Cannot GET /x',
    });
    expect(toProblemDetails(new PayloadTooLargeException()).problem).toMatchObject({
      status: 413,
      code: 'BROKER_BODY_TOO_LARGE',
    });
    expect(toProblemDetails(new BadRequestException('Failed to decode param')).problem).toMatchObject({
      status: 400,
      code: 'BROKER_BAD_REQUEST',
    });
  });

  it('answers anything else with a generic 500 and a correlation id, keeping the error for the log', () => {
    const error = new Error('connection refused to db at 10.0.0.7');
    const { problem, logged } = toProblemDetails(error, () => 'corr-1');
    expect(problem).toEqual({
      type: 'urn:fq:problem:broker-internal',
      title: 'Internal server error',
      status: 500,
      detail: 'the broker failed to answer; quote correlation id corr-1',
      code: 'BROKER_INTERNAL',
      correlationId: 'corr-1',
    });
    expect(logged).toBe(error);
  });
});

describe('ProblemDetailsFilter', () => {
  it('answers a failure deep inside with 500 problem+json, no stack and no internals', async () => {
    const broker = await startSqliteTestBroker();
    try {
      const { id } = SubmitQueryResponse.parse(
        (
          await request(broker.url)
            .post('/api/v1/queries')
            .set(await broker.as('alice'))
            .send(FEMALE_QUERY)
            .expect(201)
        ).body,
      );
      // The database goes away under the running broker: broken infrastructure, not the caller's fault.
      await broker.app.get<BrokerDatabase>(BROKER_DATABASE).destroy();
      const response = await request(broker.url)
        .get(`/api/v1/queries/${id}`)
        .set(await broker.as('alice'))
        .expect(500);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = ProblemDetails.parse(response.body);
      expect(problem).toMatchObject({ status: 500, code: 'BROKER_INTERNAL' });
      expect(problem.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.text).not.toMatch(/\.ts:\d+|\.js:\d+|Error:|sqlite|kysely/i);
    } finally {
      await broker.close().catch(() => undefined);
    }
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const broker = await startSqliteTestBroker();
    try {
      const response = await request(broker.url).delete('/api/v1/nothing').expect(404);
      expect(ProblemDetails.parse(response.body)).toMatchObject({ code: 'BROKER_ROUTE_NOT_FOUND' });
    } finally {
      await broker.close();
    }
  });
});
