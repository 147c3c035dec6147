import request from 'supertest';
import { startTestBroker } from '../__fixtures__/test-broker';
import { createTestDatabase } from '../persistence/__fixtures__/test-databases';
import { buildOpenApiDocument } from './openapi.document';

describe('buildOpenApiDocument', () => {
  const document = buildOpenApiDocument('1.0.0');
  const components = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;

  it('documents every endpoint of the researcher API', () => {
    expect(Object.keys(document.paths as object).sort()).toEqual([
      '/api/docs',
      '/api/v1/queries',
      '/api/v1/queries/{id}',
      '/api/v1/queries/{id}/events',
      '/api/v1/sites',
    ]);
  });

  it('derives the bodies from the contracts schemas, with references between them', () => {
    expect(Object.keys(components).sort()).toEqual([
      'ProblemDetails',
      'QueryList',
      'QueryResult',
      'QuerySummary',
      'SiteResultEvent',
      'SiteStateList',
      'StructuredQuery',
      'SubmitQueryRequest',
      'SubmitQueryResponse',
    ]);
    expect(components.SubmitQueryRequest.anyOf).toContainEqual({ $ref: '#/components/schemas/StructuredQuery' });
    expect(components.QueryResult.required).toEqual(expect.arrayContaining(['id', 'status', 'total', 'sites']));
    expect(components.QueryResult.properties).toMatchObject({ status: { enum: ['running', 'completed', 'expired'] } });
    expect(JSON.stringify(document)).not.toContain('"$schema"');
  });
});

describe('GET /api/docs', () => {
  it('serves the document as JSON', async () => {
    const db = await createTestDatabase('sqlite');
    const broker = await startTestBroker(db.env);
    try {
      const response = await request(broker.url)
        .get('/api/docs')
        .expect(200)
        .expect('Content-Type', /application\/json/);
      expect(response.body).toMatchObject({ openapi: '3.1.0', info: { title: 'Feasibility broker' } });
    } finally {
      await broker.close();
      await db.drop();
    }
  });
});
