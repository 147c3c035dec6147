import { type ConnectionOptions, nkeyAuthenticator } from 'nats';

/** How a test client logs in to a nats-server with authorization: a user nkey seed and the inbox it may read. */
export interface NatsLogin {
  /** The user's nkey seed (`SU…`). */
  nkeySeed: string;
  /** The inbox prefix the user's permissions allow (e.g. `_INBOX_broker`); nats.js's default `_INBOX` otherwise. */
  inboxPrefix?: string;
  /** TLS files where the server requires TLS with client certificates. */
  tls?: { caFile: string; certFile?: string; keyFile?: string };
}

/** The nats.js connection options of `login`; none without one (a server without authorization). */
export function natsLoginOptions(
  login: NatsLogin | undefined,
): Pick<ConnectionOptions, 'authenticator' | 'inboxPrefix' | 'tls'> {
  if (login === undefined) {
    return {};
  }
  return {
    authenticator: nkeyAuthenticator(new TextEncoder().encode(login.nkeySeed)),
    ...(login.inboxPrefix === undefined ? {} : { inboxPrefix: login.inboxPrefix }),
    ...(login.tls === undefined ? {} : { tls: login.tls }),
  };
}
