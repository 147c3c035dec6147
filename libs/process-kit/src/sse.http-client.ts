import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** One server-sent event as received; the field names are the protocol's. */
export interface ServerSentEvent {
  /** The `id:` field; undefined when the server sent none. */
  id: string | undefined;
  /** The `event:` field; `message` when the server sent none. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
}

/** An open `text/event-stream` response whose events are parsed and kept as they arrive. */
export interface EventStream {
  /** The response, for its status and headers. */
  readonly response: IncomingMessage;
  /** Every event so far, in arrival order. */
  readonly events: readonly ServerSentEvent[];
  /**
   * Resolves with every event once the server ended the stream, or once `close` was called; rejects when the
   * connection broke first.
   */
  readonly ended: Promise<readonly ServerSentEvent[]>;
  /**
   * Resolves with the first event (already received or still to come) that `match` accepts, the moment it arrives;
   * rejects if the stream ends without one or `deadlineMs` passes.
   */
  waitForEvent(match: (event: ServerSentEvent) => boolean, deadlineMs?: number): Promise<ServerSentEvent>;
  /** Resolves once `condition` holds over the events so far; rejects if the stream ends first or the deadline passes. */
  waitUntil(condition: (events: readonly ServerSentEvent[]) => boolean, deadlineMs: number): Promise<void>;
  /** Stops reading and closes the connection. */
  close(): void;
}

const FRAME_END = /\r?\n\r?\n/;

/**
 * GETs `url` as an event stream and resolves once the response headers are in (whatever the status). Built on
 * node:http with its keep-alive agent, not fetch: a benchmark client shares the cores with the system it measures.
 */
export function openEventStream(
  url: string,
  headers: Record<string, string> = {},
  options: { agent?: http.Agent } = {},
): Promise<EventStream> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolveOpen, rejectOpen) => {
    let closedByUs = false;
    const close = (): void => {
      closedByUs = true;
      request.destroy();
    };
    const request = get(
      url,
      { headers: { ...headers, accept: 'text/event-stream' }, ...(options.agent ? { agent: options.agent } : {}) },
      (response) => resolveOpen(readStream(response, close, () => closedByUs)),
    );
    request.once('error', (error) => rejectOpen(new Error(`GET ${url} failed: ${error.message}`, { cause: error })));
  });
}

function readStream(response: IncomingMessage, close: () => void, closedByUs: () => boolean): EventStream {
  const events: ServerSentEvent[] = [];
  const listeners = new Set<() => void>();
  let finished: 'ended' | Error | null = null;
  let buffer = '';
  const notify = (): void => {
    for (const listener of [...listeners]) {
      listener();
    }
  };
  const ended = new Promise<readonly ServerSentEvent[]>((resolveEnd, rejectEnd) => {
    const finish = (outcome: 'ended' | Error): void => {
      if (finished !== null) {
        return;
      }
      finished = outcome;
      if (outcome === 'ended') {
        resolveEnd(events);
      } else {
        rejectEnd(outcome);
      }
      notify();
    };
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let boundary: RegExpExecArray | null;
      while ((boundary = FRAME_END.exec(buffer)) !== null) {
        const event = parseFrame(buffer.slice(0, boundary.index));
        buffer = buffer.slice(boundary.index + boundary[0].length);
        if (event !== null) {
          events.push(event);
          notify();
        }
      }
    });
    response.once('end', () => finish('ended'));
    // After 'end', or when the connection broke: only a break we did not cause is a failure.
    response.once('close', () =>
      finish(response.complete || closedByUs() ? 'ended' : new Error('the event stream was cut off')),
    );
    response.once('error', (error) => finish(closedByUs() ? 'ended' : error));
  });
  // A caller that only waits for events need not handle a broken stream twice.
  ended.catch(() => undefined);

  const waitFor = <T>(check: () => T | null, deadlineMs: number, what: string): Promise<T> =>
    new Promise((resolveWait, rejectWait) => {
      const settle = (): void => {
        const found = check();
        if (found !== null) {
          done();
          resolveWait(found);
        } else if (finished !== null) {
          done();
          const why = finished === 'ended' ? 'the stream ended' : `the stream failed: ${finished.message}`;
          rejectWait(new Error(`${why} before ${what}\n${describeEvents(events)}`));
        }
      };
      const timer = Number.isFinite(deadlineMs)
        ? setTimeout(() => {
            done();
            rejectWait(new Error(`no ${what} within ${deadlineMs} ms\n${describeEvents(events)}`));
          }, deadlineMs)
        : null;
      const done = (): void => {
        if (timer !== null) {
          clearTimeout(timer);
        }
        listeners.delete(settle);
      };
      listeners.add(settle);
      settle();
    });

  return {
    response,
    events,
    ended,
    waitForEvent: (match, deadlineMs = Infinity) =>
      waitFor(() => events.find(match) ?? null, deadlineMs, 'a matching event'),
    waitUntil: async (condition, deadlineMs) => {
      await waitFor(() => (condition(events) ? true : null), deadlineMs, 'the condition held');
    },
    close,
  };
}

function describeEvents(events: readonly ServerSentEvent[]): string {
  return `events so far:\n${events.map((event) => `${event.event}: ${event.data}`).join('\n')}`;
}

/** One frame of `field: value` lines; comments (`:keep-alive`) and frames without data dispatch no event. */
function parseFrame(frame: string): ServerSentEvent | null {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) {
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') {
      id = value;
    } else if (field === 'event') {
      event = value;
    } else if (field === 'data') {
      data.push(value);
    }
  }
  return data.length === 0 ? null : { id, event, data: data.join('\n') };
}
