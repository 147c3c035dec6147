import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import type { FhirSourceSettings } from '../../config/fhir-source.schema';
import { FhirServerError } from './fhir-server.errors';

/** A response whose body is still a stream: the caller reads or dumps it. */
export interface FhirResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  body: Dispatcher.ResponseData['body'];
}

export interface FhirRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Waits `ms` or until `signal` aborts; injected so tests need no real waiting. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** How many times a request that met a 429, a 5xx or a broken connection is tried, and the waits between tries. */
export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

const MAX_RETRY_AFTER_MS = 300_000;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 1000, maxDelayMs: 120_000 };

/**
 * HTTP for one FHIR server: undici with the site's CA, the configured timeouts and up to three redirects (undici drops
 * the Authorization header when a redirect leaves the origin).
 */
export class FhirHttp {
  private readonly dispatcher: Dispatcher;

  constructor(
    readonly settings: Pick<FhirSourceSettings, 'baseUrl' | 'caFile' | 'requestTimeoutSeconds'>,
    readonly retry: RetryPolicy = DEFAULT_RETRY,
    readonly sleep: Sleep = realSleep,
  ) {
    const timeout = settings.requestTimeoutSeconds * 1000;
    const agent = new Agent({
      connect: settings.caFile === null ? {} : { ca: readFileSync(settings.caFile, 'utf8') },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: Math.min(timeout, 30_000),
    });
    this.dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 3 }));
  }

  /** One request, no retries; network failures become FHIR_SERVER_UNREACHABLE. */
  async send(url: string, options: FhirRequest = {}): Promise<FhirResponse> {
    try {
      const response = await request(url, {
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        signal: options.signal,
        dispatcher: this.dispatcher,
      });
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body: response.body };
    } catch (cause) {
      if (options.signal?.aborted === true) {
        throw cause;
      }
      throw new FhirServerError('FHIR_SERVER_UNREACHABLE', `${describeUrl(url)}: ${describeCause(cause)}`, {
        cause,
      });
    }
  }

  /**
   * Sends until the answer is neither a 429 nor a 5xx nor a broken connection, at most `retry.attempts` times; waits
   * as `Retry-After` says, else exponentially. The last answer (or failure) is returned as it is.
   */
  async sendWithRetries(
    url: string,
    options: FhirRequest = {},
    onRetry?: (why: string, delayMs: number) => void,
  ): Promise<FhirResponse> {
    for (let attempt = 1; ; attempt++) {
      let response: FhirResponse;
      try {
        response = await this.send(url, options);
      } catch (error) {
        if (!(error instanceof FhirServerError) || attempt >= this.retry.attempts) {
          throw error;
        }
        const delay = this.backoff(attempt);
        onRetry?.(error.message, delay);
        await this.sleep(delay, options.signal);
        continue;
      }
      if (!isRetryable(response.status) || attempt >= this.retry.attempts) {
        return response;
      }
      await response.body.dump();
      const retryAfter = retryAfterMs(response.headers['retry-after'], Date.now());
      // A server's Retry-After is honoured up to five minutes; without one the backoff applies.
      const delay = retryAfter === null ? this.backoff(attempt) : Math.min(retryAfter, MAX_RETRY_AFTER_MS);
      onRetry?.(`HTTP ${response.status}`, delay);
      await this.sleep(delay, options.signal);
    }
  }

  /** The exponential wait before try `attempt + 1`, with up to 20 % jitter so that sites do not retry in step. */
  backoff(attempt: number): number {
    const base = Math.min(this.retry.maxDelayMs, this.retry.firstDelayMs * 2 ** (attempt - 1));
    return Math.round(base * (1 + Math.random() * 0.2));
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function isRetryable(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`; null when absent or invalid. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) {
    return null;
  }
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) {
    return Number(text) * 1000;
  }
  const date = Date.parse(text);
  return Number.isNaN(date) || !/[a-z]/i.test(text) ? null : Math.max(0, date - now);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** A URL for a log line or error: origin and path only, never a query that might carry a token. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}
