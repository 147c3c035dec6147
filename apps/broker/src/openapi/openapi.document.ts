import { StructuredQuery } from '@fq/ccdl';
import {
  BlacklistEntry,
  BlacklistList,
  CreateSavedQueryRequest,
  DevSignInRequest,
  DevSignInResponse,
  JsonWebKeySet,
  ProblemDetails,
  QueryList,
  QueryListParams,
  QueryResult,
  QuerySummary,
  QuotaLimit,
  QuotaUsage,
  SavedQuery,
  SavedQueryList,
  QueryResultUpdate,
  SiteResultEvent,
  SiteStateList,
  SubmitQueryRequest,
  SubmitQueryResponse,
  TerminologyEntry,
  TerminologySearchParams,
  TerminologySearchResponse,
  UpdateSavedQueryRequest,
  ValidationProblemDetails,
  WebConfig,
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
  QueryResultUpdate,
  SiteResultEvent,
  SiteStateList,
  QuotaLimit,
  QuotaUsage,
  BlacklistEntry,
  BlacklistList,
  CreateSavedQueryRequest,
  UpdateSavedQueryRequest,
  SavedQuery,
  SavedQueryList,
  TerminologySearchResponse,
  TerminologyEntry,
  WebConfig,
  DevSignInRequest,
  DevSignInResponse,
  JsonWebKeySet,
  ProblemDetails,
  ValidationProblemDetails,
} as const;

/** The security scheme every protected operation names. */
export const BEARER_AUTH = 'bearerAuth';

type Operation = Record<string, unknown> & { responses: Record<string, unknown> };

const ref = (id: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: keyof typeof COMPONENTS) => ({ 'application/json': { schema: ref(id) } });
const header = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  description,
  schema,
});
const problem = (
  description: string,
  options: { headers?: Record<string, unknown>; schema?: 'ProblemDetails' | 'ValidationProblemDetails' } = {},
) => ({
  description,
  ...(options.headers === undefined ? {} : { headers: options.headers }),
  content: { 'application/problem+json': { schema: ref(options.schema ?? 'ProblemDetails') } },
});
const retryAfter = (why: string) => ({
  'Retry-After': header(`Seconds until ${why}`, { type: 'integer', minimum: 1 }),
});
const pathParameter = (name: string, schema: Record<string, unknown>) => ({ name, in: 'path', required: true, schema });
const queryId = pathParameter('id', { type: 'string', format: 'uuid' });

/** Open to anybody: no security requirement, stated explicitly over the document's default. */
const publicOperation = (operation: Operation): Operation => ({ ...operation, security: [] });

/**
 * Needs a bearer token: the security requirement and the answers of the guard (401 with WWW-Authenticate, 403 for a
 * missing or insufficient role, 503 when the identity provider cannot be reached).
 */
const protectedOperation = (operation: Operation, forbidden = 'The token carries no broker role'): Operation => ({
  ...operation,
  security: [{ [BEARER_AUTH]: [] }],
  responses: {
    ...operation.responses,
    401: problem(
      'No bearer token (BROKER_AUTH_REQUIRED), or an invalid or expired one (BROKER_TOKEN_INVALID, BROKER_TOKEN_EXPIRED), ' +
        'or one whose content is not accepted (BROKER_TOKEN_NOT_YET_VALID, BROKER_TOKEN_ISSUED_IN_FUTURE, ' +
        'BROKER_TOKEN_CLAIM_INVALID, BROKER_TOKEN_SUBJECT_INVALID)',
      {
        headers: {
          'WWW-Authenticate': header('`Bearer realm="fq-broker"`, with `error="invalid_token"` for a bad token'),
        },
      },
    ),
    403: problem(forbidden, {
      headers: { 'WWW-Authenticate': header('`Bearer realm="fq-broker", error="insufficient_scope"`') },
    }),
    503: problem('The identity provider cannot be reached to check the token (BROKER_AUTH_UNAVAILABLE)', {
      headers: retryAfter('it is worth trying again'),
    }),
  },
});

/** Options of the document that follow the broker's configuration. */
export interface OpenApiOptions {
  /** The development issuer is on, so its key set is served. */
  devIssuer: boolean;
}

/** The broker's OpenAPI 3.1 document, generated from the contracts' zod schemas with z.toJSONSchema. */
export function buildOpenApiDocument(
  version: string,
  options: OpenApiOptions = { devIssuer: false },
): Record<string, unknown> {
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
  const badParameter = problem(
    'A parameter is malformed or out of range (BROKER_PARAMETER_INVALID); `issues` says which',
    {
      schema: 'ValidationProblemDetails',
    },
  );
  const notFound = problem('No such query for this caller (BROKER_QUERY_NOT_FOUND)');
  const savedNotFound = problem('No such saved query for this caller (BROKER_SAVED_QUERY_NOT_FOUND)');
  const paths: Record<string, Record<string, Operation>> = {
    '/api/v1/queries': {
      post: protectedOperation(
        {
          summary: 'Submit a query to every registered site',
          requestBody: { required: true, content: json('SubmitQueryRequest') },
          responses: {
            201: {
              description: 'Stored and sent to the sites',
              headers: { Location: header('/api/v1/queries/{id}') },
              content: json('SubmitQueryResponse'),
            },
            400: {
              ...problem(
                'Not a valid CCDL query (BROKER_QUERY_INVALID), beyond a complexity limit (BROKER_QUERY_TOO_COMPLEX: ' +
                  'criteria, nesting depth, string length), above the smallest criteria limit a site advertises ' +
                  '(BROKER_QUERY_ABOVE_SITE_LIMIT), each with `issues` listing every problem; or not UTF-8 ' +
                  'JSON (BROKER_BODY_INVALID_JSON). None of these costs a quota slot',
              ),
              content: {
                'application/problem+json': {
                  schema: ref('ProblemDetails'),
                  example: {
                    type: 'urn:fq:problem:broker-query-too-complex',
                    title: 'Query too complex',
                    status: 400,
                    detail: 'the query has 51 criteria; at most 50 are allowed',
                    code: 'BROKER_QUERY_TOO_COMPLEX',
                    issues: [
                      {
                        path: '$.exclusionCriteria[0][3]',
                        code: 'BROKER_QUERY_TOO_MANY_CRITERIA',
                        message: 'the query has 51 criteria; at most 50 are allowed',
                      },
                    ],
                  },
                },
              },
            },
            413: problem(
              'Body larger than 256 kB (BROKER_BODY_TOO_LARGE), or the query does not fit a network message ' +
                '(BROKER_QUERY_TOO_LARGE)',
            ),
            415: problem('Body is not application/json in UTF-8 (BROKER_UNSUPPORTED_MEDIA_TYPE)'),
            429: problem('Soft quota exhausted (BROKER_QUOTA_EXCEEDED)', {
              headers: retryAfter('the next submission fits'),
            }),
          },
        },
        'The token carries no broker role (BROKER_ROLE_FORBIDDEN), or the hard quota blacklisted the caller ' +
          '(BROKER_USER_BLACKLISTED) until an admin lifts it',
      ),
      get: protectedOperation(
        {
          summary:
            "The caller's queries, newest first, with their titles (the CCDL `display`); every user's for an admin",
          description:
            "Pass `nextCursor` as `cursor` for the next page. `all=true` (admins only) lists every user's queries with " +
            'their `submitter`, narrowed by `user`; `status` and `since` narrow either list.',
          parameters: (['limit', 'cursor', 'all', 'user', 'status', 'since'] as const).map((name) => ({
            name,
            in: 'query',
            schema: paramSchema(QueryListParams.shape[name]),
          })),
          responses: { 200: { description: 'One page', content: json('QueryList') }, 400: badParameter },
        },
        'The token carries no broker role, or a caller who is not an admin asked for all=true (BROKER_ROLE_FORBIDDEN)',
      ),
    },
    '/api/v1/queries/{id}': {
      get: protectedOperation({
        summary: 'Status, total and per-site results of a query',
        description: 'One read per query and user within the polling interval; admins are exempt.',
        parameters: [queryId],
        responses: {
          200: {
            description:
              'The result as it stands; while running, without figures until the final result is certain to show them',
            content: json('QueryResult'),
          },
          404: notFound,
          429: problem(
            'Read again within the polling interval (BROKER_POLLING_LIMIT_EXCEEDED); watch the events instead',
            {
              headers: retryAfter('the result may be read again'),
            },
          ),
        },
      }),
    },
    '/api/v1/queries/{id}/events': {
      get: protectedOperation({
        summary: 'Server-sent events: `site-result` per site answer, then `completed` or `expired`, then the end',
        description:
          'Event ids count from 1; a client that reconnects with Last-Event-ID gets the events after it. ' +
          '`site-result` carries SiteResultEvent (progress only while the final result might hide the figures: ' +
          'totalHidden and breakdownHidden `query-running`), `completed` and `expired` carry QueryResultUpdate. ' +
          'No event repeats the query: GET /api/v1/queries/{id} has it. Not polling-limited.',
        parameters: [queryId, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'An event stream',
            content: {
              'text/event-stream': {
                schema: { type: 'string' },
                itemSchema: { oneOf: [ref('SiteResultEvent'), ref('QueryResultUpdate')] },
              },
            },
          },
          404: notFound,
        },
      }),
    },
    '/api/v1/saved-queries': {
      post: protectedOperation({
        summary:
          'Save a query under a name, with an optional comment (per user; re-run it through POST /api/v1/queries)',
        requestBody: { required: true, content: json('CreateSavedQueryRequest') },
        responses: {
          201: {
            description: 'Saved',
            headers: { Location: header('/api/v1/saved-queries/{id}') },
            content: json('SavedQuery'),
          },
          400: problem(
            "The name, the comment or the body is invalid, with the query's issues under $.query " +
              '(BROKER_SAVED_QUERY_INVALID); only the query is invalid (BROKER_QUERY_INVALID, BROKER_QUERY_TOO_COMPLEX, ' +
              'as POST /api/v1/queries answers); or the caller keeps the most saved queries a user may ' +
              '(BROKER_SAVED_QUERY_LIMIT_REACHED)',
          ),
          409: problem('The caller already has a saved query with this name (BROKER_SAVED_QUERY_NAME_TAKEN)'),
        },
      }),
      get: protectedOperation({
        summary: "The caller's saved queries without their CCDL, most recently changed first",
        responses: { 200: { description: 'Every saved query of the caller', content: json('SavedQueryList') } },
      }),
    },
    '/api/v1/saved-queries/{id}': {
      get: protectedOperation({
        summary: 'One saved query of the caller, with its CCDL',
        parameters: [queryId],
        responses: { 200: { description: 'The saved query', content: json('SavedQuery') }, 404: savedNotFound },
      }),
      patch: protectedOperation({
        summary: 'Rename a saved query, or change or remove (null) its comment',
        parameters: [queryId],
        requestBody: { required: true, content: json('UpdateSavedQueryRequest') },
        responses: {
          200: { description: 'As it is now', content: json('SavedQuery') },
          400: problem('Neither name nor comment, or an invalid one (BROKER_SAVED_QUERY_INVALID)'),
          404: savedNotFound,
          409: problem('The caller already has a saved query with this name (BROKER_SAVED_QUERY_NAME_TAKEN)'),
        },
      }),
      delete: protectedOperation({
        summary: 'Delete a saved query',
        parameters: [queryId],
        responses: { 204: { description: 'Deleted' }, 404: savedNotFound },
      }),
    },
    '/api/v1/terminology/search': {
      get: protectedOperation({
        summary: 'Search the criteria catalog: by display words (prefix, typos forgiven, ä = a, ß = ss) or by code',
        description:
          'An exact code comes first, then entries whose display words start with every typed word, then (only when ' +
          'those are fewer than `limit`) matches with a typo. `context` (code or display, e.g. Diagnose) narrows them.',
        parameters: (['q', 'context', 'limit'] as const).map((name) => ({
          name,
          in: 'query',
          required: name === 'q',
          schema: paramSchema(TerminologySearchParams.shape[name]),
        })),
        responses: {
          200: { description: 'The best matches and how many there are', content: json('TerminologySearchResponse') },
          400: badParameter,
        },
      }),
    },
    '/api/v1/terminology/entries/{id}': {
      get: protectedOperation({
        summary: 'A catalog entry: parents, children, the filters a criterion on it supports, its bare CCDL criterion',
        parameters: [
          pathParameter('id', { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
        ],
        responses: {
          200: { description: 'The entry', content: json('TerminologyEntry') },
          400: badParameter,
          404: problem('The catalog has no entry with this id (BROKER_TERMINOLOGY_ENTRY_NOT_FOUND)'),
        },
      }),
    },
    '/api/v1/quota': {
      get: protectedOperation({
        summary: "The caller's submission quotas, polling interval, blacklist state and privacy budget at each site",
        description:
          '`siteBudgets` lists, for each site that reported one with an answer or a budget refusal, how many new ' +
          'cohorts the site still answers for the caller in its rolling window (a cohort it answered within the window ' +
          'is free again) and when that number next grows. Only admins see which site each entry is; for everyone ' +
          'else the entries carry no site id or name and come fewest remaining first.',
        responses: { 200: { description: 'As they stand now', content: json('QuotaUsage') } },
      }),
    },
    '/api/v1/admin/blacklist': {
      get: protectedOperation(
        {
          summary: 'Every user the hard quota blacklisted, longest listed first (admins only)',
          responses: { 200: { description: 'The blacklist', content: json('BlacklistList') } },
        },
        'The caller is not an admin (BROKER_ROLE_FORBIDDEN)',
      ),
    },
    '/api/v1/admin/blacklist/{userId}': {
      delete: protectedOperation(
        {
          summary: "Lift a user's blacklisting; the hard quota then counts from the lift (admins only)",
          parameters: [pathParameter('userId', { type: 'string', minLength: 1, maxLength: 128 })],
          responses: {
            204: { description: 'Lifted' },
            400: badParameter,
            404: problem('The user is not blacklisted (BROKER_BLACKLIST_ENTRY_NOT_FOUND)'),
          },
        },
        'The caller is not an admin (BROKER_ROLE_FORBIDDEN)',
      ),
    },
    '/api/v1/sites': {
      get: publicOperation({
        summary: 'Registered sites, whether they are online and how fresh their data are',
        responses: { 200: { description: 'Every registered site', content: json('SiteStateList') } },
      }),
    },
    '/api/v1/web-config': {
      get: publicOperation({
        summary: 'How the web app signs in: the OIDC issuer, client id and scopes, and whether demo sign-in is on',
        responses: { 200: { description: 'The sign-in settings', content: json('WebConfig') } },
      }),
    },
    '/api/docs': {
      get: publicOperation({
        summary: 'These API docs for people: Swagger UI over this document (Authorize takes a bearer token)',
        responses: { 200: { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
      }),
    },
    '/api/docs/openapi.json': {
      get: publicOperation({
        summary: 'This document',
        responses: { 200: { description: 'OpenAPI 3.1 JSON', content: { 'application/json': {} } } },
      }),
    },
    '/api/docs/assets/{file}': {
      get: publicOperation({
        summary: "A file of the API docs page (Swagger UI's script and stylesheet, the page's start-up script)",
        parameters: [pathParameter('file', { type: 'string' })],
        responses: {
          200: { description: 'The file (text/css or text/javascript)' },
          404: problem('No such file (BROKER_ROUTE_NOT_FOUND)'),
        },
      }),
    },
  };
  if (options.devIssuer) {
    paths['/api/v1/dev-issuer/jwks'] = {
      get: publicOperation({
        summary: "The development issuer's public key (BROKER_DEV_ISSUER=true only; never in production)",
        responses: { 200: { description: 'A JSON Web Key Set', content: json('JsonWebKeySet') } },
      }),
    };
    paths['/api/v1/dev-issuer/sign-in'] = {
      post: publicOperation({
        summary: 'A bearer token of the development issuer for a user and role: the demo\'s one-click sign-in',
        requestBody: { required: true, content: json('DevSignInRequest') },
        responses: {
          200: { description: 'The token (valid 8 h) and when it expires', content: json('DevSignInResponse') },
          400: problem('The user id or role is invalid (BROKER_PARAMETER_INVALID)', {
            schema: 'ValidationProblemDetails',
          }),
          415: problem('The body is not application/json (BROKER_UNSUPPORTED_MEDIA_TYPE)'),
        },
      }),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Feasibility broker',
      version,
      description:
        'Submit an MII CCDL feasibility query, watch the sites answer, read protected totals. Totals below the ' +
        'results threshold and per-site counts of too few sites are withheld (FDPG rules); sites appear under ' +
        'per-query pseudonyms. Every operation needs a bearer token (OIDC, roles researcher, power-user, admin) ' +
        'unless it says otherwise.',
    },
    // The default; each operation also states its own.
    security: [{ [BEARER_AUTH]: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        [BEARER_AUTH]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token of the configured OIDC issuer (BROKER_AUTH_ISSUER), or of the development issuer ' +
            '(`broker token`). The role comes from the realm roles FeasibilityUser, FeasibilityPowerUser, ' +
            'FeasibilityAdmin.',
        },
      },
    },
  };
}
