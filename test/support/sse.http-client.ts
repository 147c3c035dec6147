import { waitFor } from './wait-for';

/** One server-sent event as received. */
export interface ServerSentEvent {
  id: string | null;
  /** The `event:` field; `message` when the server sent none. */
  type: string;
  /** The `data:` lines joined by newlines. */
  data: string;
}

/** An open event stream that records every event until it ends or is closed. */
export interface EventStream {
  readonly status: number;
  readonly contentType: string;
  readonly events: readonly ServerSentEvent[];
  /** Resolves when the stream ended (server closed it, we closed it, or it failed); never rejects. */
  readonly ended: Promise<void>;
  /** Waits until `condition` holds over the events received so far. */
  waitUntil(condition: (events: readonly ServerSentEvent[]) => boolean, deadlineMs: number): Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream (text/event-stream) and parses events as they arrive. */
export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal });
  const events: ServerSentEvent[] = [];
  let failure: string | null = null;
  const body = response.body;
  const ended = (async () => {
    if (body === null) {
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      // Node types the web stream loosely; its chunks are bytes.
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: RegExpExecArray | null;
        while ((boundary = /\r?\n\r?\n/.exec(buffer)) !== null) {
          const frame = buffer.slice(0, boundary.index);
          buffer = buffer.slice(boundary.index + boundary[0].length);
          const event = parseFrame(frame);
          if (event !== null) {
            events.push(event);
          }
        }
      }
    } catch (error) {
      // Closing the stream ourselves aborts the read; anything else is kept for the failure message.
      if (!abort.signal.aborted) {
        failure = error instanceof Error ? error.message : String(error);
      }
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    events,
    ended,
    waitUntil: async (condition, deadlineMs) => {
      await waitFor(
        () => condition(events),
        deadlineMs,
        () => `stream error: ${failure}\nevents so far:\n${events.map((e) => `${e.type}: ${e.data}`).join('\n')}`,
      );
    },
    close: () => abort.abort(),
  };
}

/** One frame of `field: value` lines; comments (`:keep-alive`) and frames without data are no events. */
function parseFrame(frame: string): ServerSentEvent | null {
  let id: string | null = null;
  let type = 'message';
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
      type = value;
    } else if (field === 'data') {
      data.push(value);
    }
  }
  return data.length === 0 ? null : { id, type, data: data.join('\n') };
}
