import { ProblemDetails, QueryResult, SubmitQueryResponse } from '@fq/contracts';
import type { z } from 'zod';
import { waitFor } from './wait-for';

/** The `Authorization` header for a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** A raw HTTP answer: status, headers and the body as JSON (undefined when it is not JSON). */
export interface HttpAnswer {
  status: number;
  contentType: string;
  location: string | null;
  retryAfter: string | null;
  wwwAuthenticate: string | null;
  body: unknown;
  text: string;
}

/** Parses `value` with `schema`, failing the test with every issue and the value itself. */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${what} does not match its contract:\n${JSON.stringify(parsed.error.issues, null, 2)}\n${JSON.stringify(value, null, 2)}`,
    );
  }
  return parsed.data;
}

/**
 * A thin client for the broker's researcher API at `baseUrl` (e.g. `http://127.0.0.1:43125`), calling with
 * `identity` (the `Authorization` header; suites use an admin, who sees real site ids and is exempt from quotas).
 */
export class BrokerHttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly identity: Record<string, string>,
  ) {}

  /** `POST /api/v1/queries` with `body` sent as is (a string) or as JSON (anything else). */
  async post(body: unknown, contentType = 'application/json'): Promise<HttpAnswer> {
    return this.request('POST', '/api/v1/queries', typeof body === 'string' ? body : JSON.stringify(body), contentType);
  }

  /** Submits a query that must be accepted; resolves with its id. */
  async submit(query: unknown): Promise<string> {
    const answer = await this.post(query);
    if (answer.status !== 201 && answer.status !== 202) {
      throw new Error(`POST /api/v1/queries answered ${answer.status}: ${answer.text}`);
    }
    return expectShape(SubmitQueryResponse, answer.body, 'the submit response').id;
  }

  /** `GET /api/v1/queries/{id}`, parsed with the contract's QueryResult schema. */
  async result(id: string): Promise<QueryResult> {
    const answer = await this.request('GET', `/api/v1/queries/${id}`);
    if (answer.status !== 200) {
      throw new Error(`GET /api/v1/queries/${id} answered ${answer.status}: ${answer.text}`);
    }
    return expectShape(QueryResult, answer.body, `GET /api/v1/queries/${id}`);
  }

  /** Polls the query until `done` holds for its result; the failure message shows the last result seen. */
  async waitForResult(id: string, done: (result: QueryResult) => boolean, deadlineMs: number): Promise<QueryResult> {
    let last: QueryResult | null = null;
    return waitFor(
      async () => {
        last = await this.result(id);
        return done(last) ? last : null;
      },
      deadlineMs,
      () => `last result of ${id}: ${JSON.stringify(last, null, 2)}`,
    );
  }

  /** Any GET on the broker, e.g. `/api/v1/sites`. */
  get(path: string): Promise<HttpAnswer> {
    return this.request('GET', path);
  }

  /** Any DELETE on the broker, e.g. `/api/v1/admin/blacklist/alice`. */
  delete(path: string): Promise<HttpAnswer> {
    return this.request('DELETE', path);
  }

  /** The URL of a query's server-sent event stream. */
  eventsUrl(id: string): string {
    return `${this.baseUrl}/api/v1/queries/${id}/events`;
  }

  get headers(): Record<string, string> {
    return { ...this.identity };
  }

  private async request(method: string, path: string, body?: string, contentType?: string): Promise<HttpAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...this.identity,
        accept: 'application/json',
        ...(contentType ? { 'content-type': contentType } : {}),
      },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      location: response.headers.get('location'),
      retryAfter: response.headers.get('retry-after'),
      wwwAuthenticate: response.headers.get('www-authenticate'),
      body: parseJson(text),
      text,
    };
  }
}

/** Parses a problem+json body, failing the test if it is not one. */
export function expectProblem(answer: HttpAnswer): ProblemDetails {
  return expectShape(ProblemDetails, answer.body, `the ${answer.status} body`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
