import { get, type IncomingMessage } from 'node:http';

/** One server-sent event as a client sees it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** An open `text/event-stream` response, parsed as it arrives. */
export interface EventStream {
  response: IncomingMessage;
  events: SseEvent[];
  /** Resolves with every event once the server ends the stream. */
  ended: Promise<SseEvent[]>;
  close(): void;
}

/** Opens an event stream; resolves once the response headers are in. */
export function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      const events: SseEvent[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      const ended = new Promise<SseEvent[]>((resolveEnd, rejectEnd) => {
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let boundary = buffer.indexOf('\n\n');
          while (boundary >= 0) {
            const frame = parseFrame(buffer.slice(0, boundary));
            if (frame !== null) {
              events.push(frame);
            }
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
          }
        });
        response.on('end', () => resolveEnd(events));
        response.on('error', rejectEnd);
      });
      resolve({ response, events, ended, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

function parseFrame(frame: string): SseEvent | null {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':') || line === '') {
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
  return data.length === 0 && id === undefined ? null : { id, event, data: data.join('\n') };
}

/** Polls `condition` until it holds or `timeoutMs` passes; never a fixed sleep. */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  description: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
