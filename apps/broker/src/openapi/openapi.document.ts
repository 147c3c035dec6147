import { StructuredQuery } from '@fq/ccdl';
import {
  ProblemDetails,
  QueryList,
  QueryListParams,
  QueryResult,
  QuerySummary,
  SiteResultEvent,
  SiteStateList,
  SubmitQueryRequest,
  SubmitQueryResponse,
} from '@fq/contracts';
import { z } from 'zod';

// The same zod schemas that validate and shape the bodies; the document cannot drift from the code.
const COMPONENTS = {
  StructuredQuery,
  SubmitQueryRequest,
  SubmitQueryResponse,
  QueryResult,
  QuerySummary,
  QueryList,
  SiteResultEvent,
  SiteStateList,
  ProblemDetails,
} as const;

const ref = (id: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: keyof typeof COMPONENTS) => ({ 'application/json': { schema: ref(id) } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('ProblemDetails') } },
});
const queryId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};

/** The broker's OpenAPI 3.1 document, generated from the contracts' zod schemas with z.toJSONSchema. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) {
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    unrepresentable: 'any',
  });
  const components = Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      // Each generated schema names itself; inside an OpenAPI document the component key does that.
      const { $id: _id, $schema: _schema, ...rest } = schema;
      return [id, rest];
    }),
  );
  const paramSchema = (schema: z.ZodType) => {
    const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io: 'input' });
    return rest;
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Feasibility broker',
      version,
      description:
        'Submit an MII CCDL feasibility query, watch the sites answer, read protected totals. Totals below the ' +
        'results threshold and per-site counts of too few sites are withheld (FDPG rules); sites appear under ' +
        'per-query pseudonyms.',
    },
    paths: {
      '/api/v1/queries': {
        post: {
          summary: 'Submit a query to every registered site',
          requestBody: { required: true, content: json('SubmitQueryRequest') },
          responses: {
            201: {
              description: 'Stored and sent to the sites',
              headers: { Location: { schema: { type: 'string' }, description: '/api/v1/queries/{id}' } },
              content: json('SubmitQueryResponse'),
            },
            400: problem('Not a valid CCDL query or not JSON; `issues` lists every problem'),
            413: problem('Body larger than 256 kB, or the query does not fit a network message'),
            415: problem('Body is not application/json (UTF-8)'),
          },
        },
        get: {
          summary: "The caller's queries, newest first",
          parameters: [
            { name: 'limit', in: 'query', schema: paramSchema(QueryListParams.shape.limit) },
            { name: 'offset', in: 'query', schema: paramSchema(QueryListParams.shape.offset) },
          ],
          responses: { 200: { description: 'One page', content: json('QueryList') }, 400: problem('Bad parameters') },
        },
      },
      '/api/v1/queries/{id}': {
        get: {
          summary: 'Status, total and per-site results of a query',
          parameters: [queryId],
          responses: {
            200: { description: 'The result as it stands', content: json('QueryResult') },
            404: problem('No such query for this caller'),
          },
        },
      },
      '/api/v1/queries/{id}/events': {
        get: {
          summary: 'Server-sent events: `site-result` per site answer, then `completed` or `expired`, then the end',
          description:
            'Event ids count from 1; a client that reconnects with Last-Event-ID gets the events after it. ' +
            '`site-result` carries SiteResultEvent, `completed` and `expired` carry QueryResult.',
          parameters: [queryId, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
          responses: {
            200: {
              description: 'An event stream',
              content: {
                'text/event-stream': {
                  schema: { type: 'string' },
                  itemSchema: { oneOf: [ref('SiteResultEvent'), ref('QueryResult')] },
                },
              },
            },
            404: problem('No such query for this caller'),
          },
        },
      },
      '/api/v1/sites': {
        get: {
          summary: 'Registered sites, whether they are online and how fresh their data are',
          responses: { 200: { description: 'Every registered site', content: json('SiteStateList') } },
        },
      },
      '/api/docs': {
        get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 JSON' } } },
      },
    },
    components: { schemas: components },
  };
}
