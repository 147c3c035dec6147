import type { SiteRegistry } from '@fq/contracts';
import { generateEnvelopeKey, generateNatsUserKey } from './key-generation';
import {
  brokerNatsPermissions,
  monitorNatsPermissions,
  renderNatsAuthorization,
  renderNatsUser,
  siteNatsPermissions,
  siteNatsUser,
} from './nats-authorization';

function aSite(id: string): SiteRegistry['sites'][number] {
  return {
    id,
    name: `Uniklinik ${id}`,
    natsUserPublicKey: generateNatsUserKey().publicKey,
    envelopePublicKey: generateEnvelopeKey().publicKey,
  };
}

function aRegistry(siteIds: string[]): SiteRegistry {
  return {
    version: 1,
    broker: { natsUserPublicKey: generateNatsUserKey().publicKey, envelopePublicKey: generateEnvelopeKey().publicKey },
    sites: siteIds.map(aSite),
  };
}

/** The users of a rendered block: comment lines dropped, the `users = [...]` list read as JSON. */
function parseUsers(text: string): unknown {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  const list = /users = (\[[\s\S]*\])\s*\}\s*$/.exec(withoutComments);
  if (list === null) {
    throw new Error(`no users list in:\n${text}`);
  }
  return JSON.parse(list[1]);
}

describe('siteNatsPermissions', () => {
  it('allows a site only its own results, heartbeats, consumer requests, acks and inbox', () => {
    expect(siteNatsPermissions('site-a')).toEqual({
      publish: {
        allow: [
          'fq.sites.site-a.results',
          'fq.sites.site-a.heartbeat',
          '$JS.API.CONSUMER.INFO.FQ_QUERIES.site-site-a',
          '$JS.API.CONSUMER.MSG.NEXT.FQ_QUERIES.site-site-a',
          '$JS.ACK.FQ_QUERIES.site-site-a.>',
          '$JS.ACK.*.*.FQ_QUERIES.site-site-a.>',
        ],
      },
      subscribe: { allow: ['_INBOX_site-site-a.>'] },
    });
  });

  it('names the site in every subject it allows', () => {
    const { publish, subscribe } = siteNatsPermissions('b');
    const subjects = ['allow' in publish ? publish.allow : publish.deny, subscribe.allow].flat();
    for (const subject of subjects) {
      expect(subject).toMatch(/\.b\.|site-b(\.|$)/);
    }
  });

  it('refuses an id that is not a site id', () => {
    expect(() => siteNatsPermissions('a.>')).toThrow();
  });
});

describe('brokerNatsPermissions', () => {
  it('lets the broker manage JetStream, publish queries, ack results and heartbeats, and read its own inbox', () => {
    expect(brokerNatsPermissions()).toEqual({
      publish: { allow: ['$JS.API.>', 'fq.sites.*.queries', '$JS.ACK.FQ_RESULTS.>', '$JS.ACK.FQ_HEARTBEATS.>'] },
      subscribe: { allow: ['_INBOX_broker.>'] },
    });
  });

  it('gives a monitor every subject to read and nothing to publish', () => {
    expect(monitorNatsPermissions()).toEqual({ publish: { deny: ['>'] }, subscribe: { allow: ['>'] } });
  });
});

describe('renderNatsAuthorization', () => {
  it('lists the broker, every site and each monitor with their permissions, as JSON objects', () => {
    const registry = aRegistry(['site-a', 'site-b']);
    const monitor = generateNatsUserKey().publicKey;
    const text = renderNatsAuthorization(registry, { monitorPublicKeys: [monitor] });
    expect(text).toMatch(/^authorization \{$/m);
    expect(parseUsers(text)).toEqual([
      { nkey: registry.broker?.natsUserPublicKey, permissions: brokerNatsPermissions() },
      { nkey: registry.sites[0].natsUserPublicKey, permissions: siteNatsPermissions('site-a') },
      { nkey: registry.sites[1].natsUserPublicKey, permissions: siteNatsPermissions('site-b') },
      { nkey: monitor, permissions: monitorNatsPermissions() },
    ]);
    expect(text).toContain('# site site-b');
  });

  it('never writes a site name, only ids and keys', () => {
    const registry = aRegistry(['site-a']);
    registry.sites[0].name = 'A" }\n# injected';
    expect(renderNatsAuthorization(registry)).not.toContain('injected');
  });

  it('refuses a registry without the broker keys', () => {
    expect(() => renderNatsAuthorization({ broker: null, sites: [aSite('site-a')] })).toThrow(/broker keys init/);
  });

  it('refuses a key that is not a NATS user key and a subject with quotes', () => {
    const site = aSite('site-a');
    expect(() => renderNatsUser(siteNatsUser({ ...site, natsUserPublicKey: site.envelopePublicKey }))).toThrow();
    expect(() =>
      renderNatsUser({
        role: 'monitor',
        nkey: site.natsUserPublicKey,
        permissions: { publish: { deny: ['>'] }, subscribe: { allow: ['a" ]'] } },
      }),
    ).toThrow(/refusing/);
  });
});
