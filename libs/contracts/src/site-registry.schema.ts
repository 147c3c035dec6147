import { z } from 'zod';
import { EnvelopePublicKey, NatsUserPublicKey } from './envelope-keys';
import { SiteId } from './subjects';

/** One site of the network: who it is and the two public keys it proves that with. */
export const SiteRegistration = z.strictObject({
  id: SiteId,
  name: z.string().trim().min(1).max(200),
  /** The site's NATS login (nkey); nats-server confines this user to the site's own subjects. */
  natsUserPublicKey: NatsUserPublicKey,
  /** Verifies the site's result and heartbeat envelopes; never the same key as the NATS login. */
  envelopePublicKey: EnvelopePublicKey,
});
export type SiteRegistration = z.infer<typeof SiteRegistration>;

/** The broker's own public keys, so the registry alone is enough to write the NATS authorization config. */
export const BrokerRegistration = z.strictObject({
  natsUserPublicKey: NatsUserPublicKey,
  envelopePublicKey: EnvelopePublicKey,
});
export type BrokerRegistration = z.infer<typeof BrokerRegistration>;

/** The broker's site registry file (`BROKER_SITES_FILE`): every registered site with its public keys. */
export const SiteRegistry = z
  .strictObject({
    version: z.literal(1),
    broker: BrokerRegistration.nullable().default(null),
    sites: z.array(SiteRegistration).max(10_000),
  })
  .superRefine((registry, ctx) => {
    const seen = new Map<string, string>();
    const claim = (key: string, owner: string, path: Array<string | number>): void => {
      const previous = seen.get(key);
      if (previous !== undefined) {
        ctx.addIssue({ code: 'custom', path, message: `the key is already used by ${previous}` });
      }
      seen.set(key, owner);
    };
    if (registry.broker !== null) {
      claim(registry.broker.natsUserPublicKey, 'the broker', ['broker', 'natsUserPublicKey']);
      claim(registry.broker.envelopePublicKey, 'the broker', ['broker', 'envelopePublicKey']);
    }
    const ids = new Set<string>();
    registry.sites.forEach((site, index) => {
      if (ids.has(site.id)) {
        ctx.addIssue({ code: 'custom', path: ['sites', index, 'id'], message: `site id ${site.id} is listed twice` });
      }
      ids.add(site.id);
      claim(site.natsUserPublicKey, `site ${site.id}`, ['sites', index, 'natsUserPublicKey']);
      claim(site.envelopePublicKey, `site ${site.id}`, ['sites', index, 'envelopePublicKey']);
    });
  });
export type SiteRegistry = z.infer<typeof SiteRegistry>;
export type SiteRegistryInput = z.input<typeof SiteRegistry>;
