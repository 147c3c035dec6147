import {
  BROKER_INBOX_PREFIX,
  HEARTBEAT_STREAM,
  NatsUserPublicKey,
  QUERY_STREAM,
  RESULT_STREAM,
  type SiteId,
  siteHeartbeatSubject,
  siteInboxPrefix,
  siteQueryConsumerName,
  type SiteRegistration,
  type SiteRegistry,
  siteResultSubject,
} from '@fq/contracts';

/** What one NATS user may publish and subscribe to; nats-server refuses everything not allowed. */
export interface NatsPermissions {
  publish: { allow: string[] } | { deny: string[] };
  subscribe: { allow: string[] };
}

/** One user of the nats-server `authorization` block: an nkey login and its permissions. */
export interface NatsUser {
  /** Written as a comment above the user: `broker`, `site <id>` or `monitor`. */
  role: string;
  nkey: NatsUserPublicKey;
  permissions: NatsPermissions;
}

const JS_API = '$JS.API';

/**
 * The broker manages the streams and every consumer (JetStream API), publishes queries, pulls results and
 * heartbeats, acknowledges results and reads replies on its own inbox.
 */
export function brokerNatsPermissions(): NatsPermissions {
  return {
    publish: {
      allow: [
        `${JS_API}.>`,
        QUERY_STREAM.subjects[0],
        `$JS.ACK.${RESULT_STREAM.name}.>`,
        `$JS.ACK.${HEARTBEAT_STREAM.name}.>`,
      ],
    },
    subscribe: { allow: [`${BROKER_INBOX_PREFIX}.>`] },
  };
}

/**
 * A site reads its own queries through its durable consumer (info and next-message requests, acks) and publishes its
 * own results and heartbeats; replies (pull deliveries, publish acknowledgements) reach it on its own inbox only.
 */
export function siteNatsPermissions(siteId: SiteId): NatsPermissions {
  const consumer = `${QUERY_STREAM.name}.${siteQueryConsumerName(siteId)}`;
  return {
    publish: {
      allow: [
        siteResultSubject(siteId),
        siteHeartbeatSubject(siteId),
        `${JS_API}.CONSUMER.INFO.${consumer}`,
        `${JS_API}.CONSUMER.MSG.NEXT.${consumer}`,
        `$JS.ACK.${consumer}.>`,
        // The acknowledgement subject of servers that put a domain and an account hash before the stream.
        `$JS.ACK.*.*.${consumer}.>`,
      ],
    },
    subscribe: { allow: [`${siteInboxPrefix(siteId)}.>`] },
  };
}

/** A read-only monitoring login (a wire tap): it may subscribe to anything and publish nothing. */
export function monitorNatsPermissions(): NatsPermissions {
  return { publish: { deny: ['>'] }, subscribe: { allow: ['>'] } };
}

/** The site's user, as `broker sites add` prints it and `renderNatsAuthorization` lists it. */
export function siteNatsUser(site: Pick<SiteRegistration, 'id' | 'natsUserPublicKey'>): NatsUser {
  return { role: `site ${site.id}`, nkey: site.natsUserPublicKey, permissions: siteNatsPermissions(site.id) };
}

/** What the authorization block lists besides the registry's broker and sites. */
export interface NatsAuthorizationOptions {
  /** Public keys of read-only monitoring users (taps, operators' `nats sub`). */
  monitorPublicKeys?: readonly NatsUserPublicKey[];
}

/** Every user of the network: the broker, each registered site and the monitoring users; throws without a broker. */
export function natsUsersOf(
  registry: Pick<SiteRegistry, 'broker' | 'sites'>,
  options: NatsAuthorizationOptions = {},
): NatsUser[] {
  if (registry.broker === null) {
    throw new Error('the registry lists no broker keys: run `broker keys init` first');
  }
  return [
    { role: 'broker', nkey: registry.broker.natsUserPublicKey, permissions: brokerNatsPermissions() },
    ...registry.sites.map(siteNatsUser),
    ...(options.monitorPublicKeys ?? []).map((nkey) => ({
      role: 'monitor',
      nkey,
      permissions: monitorNatsPermissions(),
    })),
  ];
}

/**
 * The nats-server `authorization { users = [...] }` block for the registry (pass it with `-c` or `include` it). Each
 * user is a JSON object, which nats-server's configuration syntax accepts, preceded by a comment naming its role.
 */
export function renderNatsAuthorization(
  registry: Pick<SiteRegistry, 'broker' | 'sites'>,
  options: NatsAuthorizationOptions = {},
): string {
  const users = natsUsersOf(registry, options).map((user) => indent(renderNatsUser(user), '    '));
  return [
    '# nats-server authorization of the feasibility network; `broker nats-config` writes it after each `sites add`.',
    'authorization {',
    '  users = [',
    users.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** One entry of an `authorization.users` list: a comment naming its role, then the user as JSON. */
export function renderNatsUser(user: NatsUser): string {
  // Keys and subjects are checked again here: the text becomes server configuration.
  const nkey = NatsUserPublicKey.parse(user.nkey);
  const { publish, subscribe } = user.permissions;
  for (const subject of [...('allow' in publish ? publish.allow : publish.deny), ...subscribe.allow]) {
    if (!/^[A-Za-z0-9_$.*>-]+$/.test(subject)) {
      throw new Error(`refusing to write the subject ${JSON.stringify(subject)} into a nats-server configuration`);
    }
  }
  const role = user.role.replace(/[^a-z0-9 -]/g, '?');
  const list = (subjects: readonly string[]): string =>
    `[${subjects.map((subject) => JSON.stringify(subject)).join(', ')}]`;
  const publishRule = 'allow' in publish ? `"allow": ${list(publish.allow)}` : `"deny": ${list(publish.deny)}`;
  return [
    `# ${role}`,
    '{',
    `  "nkey": ${JSON.stringify(nkey)},`,
    '  "permissions": {',
    `    "publish": { ${publishRule} },`,
    `    "subscribe": { "allow": ${list(subscribe.allow)} }`,
    '  }',
    '}',
  ].join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
