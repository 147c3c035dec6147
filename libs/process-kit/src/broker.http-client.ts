import http from 'node:http';
import https from 'node:https';
import { ProblemDetails, QueryResult, SubmitQueryResponse } from '@fq/contracts';
import type { z } from 'zod';
import { waitFor } from './wait-for';

/** The `Authorization` header for a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** A raw HTTP answer: status, the headers callers look at, and the body as text and as JSON (undefined if not JSON). */
export interface HttpAnswer {
  status: number;
  contentType: string;
  location: string | null;
  retryAfter: string | null;
  wwwAuthenticate: string | null;
  body: unknown;
  text: string;
}

/** Parses `value` with `schema`; throws with every issue and the value itself when it does not match. */
export function expectShape<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${what} does not match its contract:\n${JSON.stringify(parsed.error.issues, null, 2)}\n${JSON.stringify(value, null, 2)}`,
    );
  }
  return parsed.data;
}

/** Parses a problem+json body; throws if it is not one. */
export function expectProblem(answer: HttpAnswer): ProblemDetails {
  return expectShape(ProblemDetails, answer.body, `the ${answer.status} body`);
}

/**
 * A client for the broker's researcher API at `baseUrl` (e.g. `http://127.0.0.1:43125`), calling with `identity` (the
 * `Authorization` header). Built on node:http with its keep-alive agent, not fetch: the network benchmark's client
 * shares the cores with the system it measures, and fetch cost it about 1.7 times the CPU per query.
 */
export class BrokerHttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly identity: Record<string, string>,
    private readonly agent?: http.Agent,
  ) {}

  /** `POST /api/v1/queries` with `body` sent as is (a string) or as JSON (anything else). */
  post(body: unknown, contentType = 'application/json'): Promise<HttpAnswer> {
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
      () => `the result of ${id}; the last one read:\n${JSON.stringify(last, null, 2)}`,
      deadlineMs,
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

  /** The identity headers, e.g. for `openEventStream`. */
  get headers(): Record<string, string> {
    return { ...this.identity };
  }

  private request(method: string, path: string, body?: string, contentType?: string): Promise<HttpAnswer> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string | number> = { ...this.identity, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const send = url.startsWith('https:') ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const request = send(url, { method, headers, ...(this.agent ? { agent: this.agent } : {}) }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.once('end', () => {
          const header = (name: string): string | null => {
            const value = response.headers[name];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          };
          resolve({
            status: response.statusCode ?? 0,
            contentType: header('content-type') ?? '',
            location: header('location'),
            retryAfter: header('retry-after'),
            wwwAuthenticate: header('www-authenticate'),
            body: parseJson(text),
            text,
          });
        });
        // A connection lost mid-body never emits 'end'.
        response.once('close', () => {
          if (!response.complete) {
            reject(new Error(`${method} ${url}: the connection closed before the response was complete`));
          }
        });
      });
      request.once('error', (error) =>
        reject(new Error(`${method} ${url} failed: ${error.message}`, { cause: error })),
      );
      request.end(body);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
