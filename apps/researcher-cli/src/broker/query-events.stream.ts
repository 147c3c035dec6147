import { QueryResultUpdate, SiteResultEvent } from '@fq/contracts';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CliError, ExitCode } from '../cli/exit-codes';
import type { BrokerApiClient } from './broker-api.client';

/** One event of a query's stream, checked against its contract. */
export type QueryStreamEvent =
  { type: 'site-result'; data: SiteResultEvent } | { type: 'completed' | 'expired'; data: QueryResultUpdate };

/** How often a dropped stream is opened again (with Last-Event-ID, so no event is seen twice). */
const MAX_RECONNECTS = 5;
const RECONNECT_DELAY_MS = 500;

/**
 * Follows `GET /api/v1/queries/{id}/events` until `completed` or `expired`, handing each event to `onEvent`; resolves
 * to the final result. A stream that ends early is opened again after the last event seen.
 */
export async function followQueryEvents(
  client: BrokerApiClient,
  id: string,
  onEvent: (event: QueryStreamEvent) => void,
): Promise<QueryResultUpdate> {
  let lastEventId: string | undefined;
  for (let attempt = 0; attempt <= MAX_RECONNECTS; attempt++) {
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS * attempt));
    }
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId !== undefined) {
      headers['Last-Event-ID'] = lastEventId;
    }
    const response = await client.open(`/api/v1/queries/${encodeURIComponent(id)}/events`, headers);
    const final = await readStream(response, (message) => {
      if (message.id !== undefined) {
        lastEventId = message.id;
      }
      const event = toStreamEvent(message);
      if (event !== null) {
        onEvent(event);
      }
      return event !== null && event.type !== 'site-result' ? event.data : null;
    });
    if (final !== null) {
      return final;
    }
  }
  throw new CliError(ExitCode.Unreachable, `the broker's event stream of query ${id} kept ending before the query did`);
}

async function readStream(
  response: Response,
  handle: (message: EventSourceMessage) => QueryResultUpdate | null,
): Promise<QueryResultUpdate | null> {
  if (response.body === null) {
    return null;
  }
  // Written by the parser's callback; an object, so the loop below reads what the callback wrote.
  const state: { final: QueryResultUpdate | null; failure: Error | null } = { final: null, failure: null };
  const parser = createParser({
    onEvent: (message) => {
      try {
        state.final ??= handle(message);
      } catch (error) {
        state.failure ??= error instanceof Error ? error : new Error(String(error));
      }
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (state.final === null && state.failure === null) {
      // A dropped connection ends this read; the caller opens the stream again.
      const chunk = await reader.read().catch(() => null);
      if (chunk === null || chunk.done) {
        break;
      }
      parser.feed(chunk.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (state.failure !== null) {
    throw state.failure;
  }
  return state.final;
}

function toStreamEvent(message: EventSourceMessage): QueryStreamEvent | null {
  const type = message.event;
  if (type !== 'site-result' && type !== 'completed' && type !== 'expired') {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch {
    json = undefined;
  }
  const parsed = type === 'site-result' ? SiteResultEvent.safeParse(json) : QueryResultUpdate.safeParse(json);
  if (!parsed.success) {
    throw new CliError(ExitCode.Unreachable, `the broker sent a ${type} event this CLI does not understand`);
  }
  return type === 'site-result'
    ? { type, data: parsed.data as SiteResultEvent }
    : { type, data: parsed.data as QueryResultUpdate };
}
