import { ProblemDetails } from '@fq/contracts';
import type { z } from 'zod';
import { CliError, ExitCode } from '../cli/exit-codes';

/** How a status the broker answers with maps onto the CLI's exit codes. */
export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 401 || status === 403) {
    return ExitCode.Auth;
  }
  if (status === 429) {
    return ExitCode.Quota;
  }
  if (status >= 500) {
    return ExitCode.Unreachable;
  }
  return ExitCode.Invalid;
}

/** Talks to the broker's researcher HTTP API with a bearer token; every answer is checked against its contract. */
export class BrokerApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
    private readonly now: () => Date,
  ) {}

  /** GET a path and parse the JSON answer with `schema`. */
  get<S extends z.ZodType>(
    path: string,
    schema: S,
    query: Record<string, string | undefined> = {},
  ): Promise<z.output<S>> {
    return this.send('GET', path, schema, undefined, query);
  }

  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.send('POST', path, schema, body);
  }

  patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    return this.send('PATCH', path, schema, body);
  }

  /** DELETE a path; the broker answers 204. */
  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  /** Opens a request whose body the caller reads itself (server-sent events); refusals are thrown as for the rest. */
  async open(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    return this.request('GET', path, undefined, {}, headers, signal);
  }

  private async send<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    query: Record<string, string | undefined> = {},
  ): Promise<z.output<S>> {
    const response = await this.request(method, path, body, query);
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new CliError(
        ExitCode.Unreachable,
        `the broker at ${this.baseUrl} answered ${method} ${path} with a body this CLI does not understand`,
        parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
      );
    }
    return parsed.data;
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string | undefined> = {},
    extraHeaders: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.set(name, value);
      }
    }
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    if (this.token !== null) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new CliError(ExitCode.Unreachable, `cannot reach the broker at ${this.baseUrl}: ${reasonOf(error)}`, [], {
        cause: error,
      });
    }
    if (!response.ok) {
      throw await this.refusal(response, method, path);
    }
    return response;
  }

  private async refusal(response: Response, method: string, path: string): Promise<CliError> {
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const problem = ProblemDetails.safeParse(json);
    const exitCode = exitCodeOfStatus(response.status);
    const details = problem.success
      ? (problem.data.issues ?? []).map((issue) => `${issue.path}: ${issue.message} (${issue.code})`)
      : [];
    let message = problem.success
      ? `${problem.data.title}: ${problem.data.detail} (${problem.data.code})`
      : `the broker answered ${method} ${path} with HTTP ${response.status}`;
    if (response.status === 429) {
      message += `; ${retryHint(response.headers.get('retry-after'), this.now())}`;
    }
    if (response.status === 401) {
      message += '; sign in with fq login';
    }
    return new CliError(exitCode, message, details);
  }
}

/** "try again in 42 s (at 10:15:03 UTC)" from a Retry-After header in seconds or as an HTTP date. */
export function retryHint(retryAfter: string | null, now: Date): string {
  if (retryAfter === null) {
    return 'try again later';
  }
  const seconds = /^\d+$/.test(retryAfter.trim())
    ? Number(retryAfter.trim())
    : Math.max(0, Math.ceil((Date.parse(retryAfter) - now.getTime()) / 1000));
  if (!Number.isFinite(seconds)) {
    return 'try again later';
  }
  const at = new Date(now.getTime() + seconds * 1000);
  return `try again in ${seconds} s (at ${at.toISOString().slice(11, 19)} UTC)`;
}

function reasonOf(error: unknown): string {
  // fetch wraps the socket's error (ECONNREFUSED, ENOTFOUND, a TLS problem) as its cause.
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return error instanceof Error ? error.message : String(error);
}
