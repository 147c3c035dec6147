import { QueryResult } from '@fq/contracts';
import type { BrokerHttpClient } from '../../test/support/broker.http-client';

/** How one query ended, as its final server-sent event told. */
export interface QueryOutcome {
  id: string;
  /** `completed` (every site answered, refused or failed) or `expired`. */
  finalEvent: 'completed' | 'expired';
  /** Sites whose answer was `answered`. */
  answeredSites: number;
  sites: number;
  /** From just before the POST to the arrival of the final event. */
  elapsedMs: number;
}

const FINAL_EVENTS = new Set(['completed', 'expired']);

/**
 * Reads `url` as text/event-stream and resolves with the `data` of the first `completed` or `expired` event the
 * moment its frame has arrived (no polling), then closes the stream.
 */
async function awaitFinalEvent(url: string, headers: Record<string, string>): Promise<{ type: string; data: string }> {
  const abort = new AbortController();
  try {
    const response = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal });
    if (response.status !== 200 || response.body === null) {
      throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    // Node types the web stream loosely; its chunks are bytes.
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary: RegExpExecArray | null;
      while ((boundary = /\r?\n\r?\n/.exec(buffer)) !== null) {
        const frame = buffer.slice(0, boundary.index);
        buffer = buffer.slice(boundary.index + boundary[0].length);
        const event = parseFrame(frame);
        if (FINAL_EVENTS.has(event.type) && event.data !== '') {
          return event;
        }
      }
    }
    throw new Error(`the event stream ${url} ended without a completed or expired event`);
  } finally {
    abort.abort();
  }
}

function parseFrame(frame: string): { type: string; data: string } {
  let type = 'message';
  const data: string[] = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line.startsWith('event:')) {
      type = line.slice('event:'.length).trim();
    } else if (line.startsWith('data:')) {
      data.push(line.slice('data:'.length).replace(/^ /, ''));
    }
  }
  return { type, data: data.join('\n') };
}

/** POSTs `query`, follows its event stream to the final event and returns how it ended and how long it took. */
export async function runQuery(client: BrokerHttpClient, query: unknown): Promise<QueryOutcome> {
  const started = performance.now();
  const id = await client.submit(query);
  const event = await awaitFinalEvent(client.eventsUrl(id), client.headers);
  const elapsedMs = performance.now() - started;
  const parsed = QueryResult.safeParse(JSON.parse(event.data));
  if (!parsed.success) {
    throw new Error(`the ${event.type} event of ${id} does not match QueryResult: ${parsed.error.message}`);
  }
  return {
    id,
    finalEvent: event.type === 'completed' ? 'completed' : 'expired',
    answeredSites: parsed.data.sites.filter((site) => site.status === 'answered').length,
    sites: parsed.data.sites.length,
    elapsedMs,
  };
}
