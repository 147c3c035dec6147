import { decodeEnvelope, type Envelope } from '@fq/contracts';
import { connect, type NatsConnection } from 'nats';
import { type NatsLogin, natsLoginOptions } from './nats-login';

const JS_ACK_PREFIX = '$JS.ACK.';

/** One message the tap saw. */
export interface TappedMessage {
  subject: string;
  /** The reply subject; a JetStream delivery to a consumer carries `$JS.ACK.…`. */
  reply: string;
  /** True for a JetStream consumer delivering a stored message, false for the original publish. */
  delivery: boolean;
  /** The payload as text (every message on this network is JSON or empty). */
  text: string;
  /** The payload parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The payload decoded as one of our envelopes, or null. */
  envelope: Envelope | null;
}

/** A NATS subscription to `>` that records every message's subject and data. */
export interface WireTap {
  readonly messages: readonly TappedMessage[];
  /** Messages on exactly `subject`: publishes and JetStream deliveries (which carry the original subject too). */
  on(subject: string): TappedMessage[];
  /** Only the publishes on exactly `subject`, without JetStream's deliveries of them to consumers. */
  publishedOn(subject: string): TappedMessage[];
  /** Waits until every message published before this call has reached the tap. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to `natsUrl` (as `login`, a monitoring user that may subscribe to `>`, where the server has authorization)
 * and records everything published on the server from now on.
 */
export async function startWireTap(natsUrl: string, login?: NatsLogin): Promise<WireTap> {
  const connection: NatsConnection = await connect({
    servers: natsUrl,
    name: 'e2e-wire-tap',
    maxReconnectAttempts: -1,
    ...natsLoginOptions(login),
  });
  const messages: TappedMessage[] = [];
  // A callback runs as the client parses each message, so a flush() round trip finds every earlier one recorded.
  connection.subscribe('>', {
    callback: (error, message) => {
      if (error !== null) {
        return;
      }
      const text = new TextDecoder().decode(message.data);
      const decoded = decodeEnvelope(message.data, ['query', 'result', 'heartbeat']);
      messages.push({
        subject: message.subject,
        reply: message.reply ?? '',
        delivery: (message.reply ?? '').startsWith(JS_ACK_PREFIX),
        text,
        json: parseJson(text),
        envelope: decoded.ok ? decoded.value : null,
      });
    },
  });
  await connection.flush();
  return {
    messages,
    on: (subject) => messages.filter((message) => message.subject === subject),
    publishedOn: (subject) => messages.filter((message) => message.subject === subject && !message.delivery),
    flush: () => connection.flush(),
    async close() {
      await connection.drain();
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Every key anywhere inside a JSON value, e.g. to prove that no message carries `rawCount`. */
export function keysDeep(value: unknown): Set<string> {
  const keys = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        keys.add(key);
        visit(child);
      }
    }
  };
  visit(value);
  return keys;
}
