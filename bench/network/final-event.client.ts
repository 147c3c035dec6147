import http from 'node:http';
import { QueryResult, SubmitQueryResponse } from '@fq/contracts';
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

interface SseEvent {
  type: string;
  data: string;
}

const FINAL_EVENTS = new Set(['completed', 'expired']);
const FRAME_END = /\r?\n\r?\n/;

// node:http, not fetch: this client shares the cores with the system under test, and fetch cost it ~1.7× the CPU per
// query. Keep-alive lets each POST reuse an idle connection instead of opening one.
const agent = new http.Agent({ keepAlive: true });

/** POSTs `query` as JSON and resolves with the id of the accepted query. */
function submitQuery(client: BrokerHttpClient, query: unknown): Promise<string> {
  const url = `${client.baseUrl}/api/v1/queries`;
  const body = JSON.stringify(query);
  const headers = {
    ...client.headers,
    accept: 'application/json',
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        if (response.statusCode !== 201 && response.statusCode !== 202) {
          reject(new Error(`POST ${url} answered ${response.statusCode}: ${text}`));
          return;
        }
        const parsed = SubmitQueryResponse.safeParse(parseJson(text));
        if (parsed.success) {
          resolve(parsed.data.id);
        } else {
          reject(new Error(`POST ${url} answered a body that is not SubmitQueryResponse: ${text}`));
        }
      });
      // A connection lost mid-body never emits 'end'.
      response.on('close', () => {
        if (!response.complete) {
          reject(new Error(`POST ${url}: the connection closed before the response was complete`));
        }
      });
    });
    request.on('error', (error) => reject(new Error(`POST ${url} failed: ${error.message}`, { cause: error })));
    request.end(body);
  });
}

/**
 * GETs `url` as text/event-stream and resolves with the first `completed` or `expired` event that has data the moment
 * its frame has arrived (no polling), then closes the stream.
 */
function awaitFinalEvent(url: string, headers: Record<string, string>): Promise<SseEvent> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: SseEvent | Error): void => {
      if (settled) {
        return;
      }
      settled = true;
      // Closes the stream now instead of waiting for the broker to end it, and frees the socket after an error.
      request.destroy();
      if (outcome instanceof Error) {
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const request = http.get(url, { agent, headers: { ...headers, accept: 'text/event-stream' } }, (response) => {
      const ok = response.statusCode === 200;
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let boundary: RegExpExecArray | null;
        while (ok && !settled && (boundary = FRAME_END.exec(buffer)) !== null) {
          const event = parseFrame(buffer.slice(0, boundary.index));
          buffer = buffer.slice(boundary.index + boundary[0].length);
          if (FINAL_EVENTS.has(event.type) && event.data !== '') {
            settle(event);
          }
        }
      });
      // After the body ended, or the connection broke; a no-op once settled.
      response.on('close', () =>
        settle(
          ok
            ? new Error(`the event stream ${url} ended without a completed or expired event`)
            : new Error(`GET ${url} answered ${response.statusCode}: ${buffer}`),
        ),
      );
    });
    request.on('error', (error) => settle(new Error(`GET ${url} failed: ${error.message}`, { cause: error })));
  });
}

function parseFrame(frame: string): SseEvent {
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** POSTs `query`, follows its event stream to the final event and returns how it ended and how long it took. */
export async function runQuery(client: BrokerHttpClient, query: unknown): Promise<QueryOutcome> {
  const started = performance.now();
  const id = await submitQuery(client, query);
  const event = await awaitFinalEvent(client.eventsUrl(id), client.headers);
  const elapsedMs = performance.now() - started;
  const parsed = QueryResult.safeParse(parseJson(event.data));
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
