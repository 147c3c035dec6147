import { createParser } from 'eventsource-parser';
import type { QueryResult } from './api-types';
import { problemOf } from './api-problem';

/** A query's result as a live event carries it: everything but the query, which stays at GET /queries/{id}. */
export type LiveResult = Omit<QueryResult, 'query'>;

/** One event of a query's stream: a site answered (with the result as it may be shown now), or the query ended. */
export type QueryStreamEvent =
  | { type: 'site-result'; site: string; status: string; result: LiveResult }
  | { type: 'completed' | 'expired'; result: LiveResult };

function toStreamEvent(type: string | undefined, data: string): QueryStreamEvent | null {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) {
    return null;
  }
  if (type === 'site-result' && 'result' in body && 'site' in body && 'status' in body) {
    const event = body as { site: string; status: string; result: LiveResult };
    return { type, site: event.site, status: event.status, result: event.result };
  }
  if (type === 'completed' || type === 'expired') {
    return { type, result: body as LiveResult };
  }
  return null;
}

/**
 * Reads a query's server-sent events with fetch (EventSource cannot send an Authorization header, and tokens never go
 * into URLs) and a streaming SSE parser; resolves when the broker ends the stream or `signal` aborts it.
 */
export async function readQueryEvents(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: QueryStreamEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(url, {
    headers: { ...headers, Accept: 'text/event-stream' },
    signal,
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    throw await problemOf(response);
  }
  if (response.body === null) {
    return;
  }
  const parser = createParser({
    onEvent: (message) => {
      const event = toStreamEvent(message.event, message.data);
      if (event !== null) {
        onEvent(event);
      }
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return;
      }
      parser.feed(value);
    }
  } finally {
    reader.releaseLock();
  }
}
