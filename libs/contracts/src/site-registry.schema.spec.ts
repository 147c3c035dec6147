import { generateEnvelopeKey, generateNatsUserKey } from './__fixtures__/keys';
import { SiteRegistry } from './site-registry.schema';

function aSite(id: string) {
  return {
    id,
    name: `Uniklinik ${id}`,
    natsUserPublicKey: generateNatsUserKey().publicKey,
    envelopePublicKey: generateEnvelopeKey().publicKey,
  };
}

describe('SiteRegistry', () => {
  it('accepts sites with their two public keys and no broker entry yet', () => {
    const parsed = SiteRegistry.safeParse({ version: 1, sites: [aSite('site-a'), aSite('site-b')] });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.broker).toBeNull();
  });

  it('refuses a NATS key where an envelope key belongs, and the other way round', () => {
    const site = aSite('site-a');
    const swapped = { ...site, natsUserPublicKey: site.envelopePublicKey, envelopePublicKey: site.natsUserPublicKey };
    const parsed = SiteRegistry.safeParse({ version: 1, sites: [swapped] });
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'sites.0.envelopePublicKey',
      'sites.0.natsUserPublicKey',
    ]);
  });

  it('refuses a key with a broken checksum', () => {
    const site = aSite('site-a');
    const last = site.envelopePublicKey.at(-1) === 'A' ? 'B' : 'A';
    const broken = { ...site, envelopePublicKey: `${site.envelopePublicKey.slice(0, -1)}${last}` };
    expect(SiteRegistry.safeParse({ version: 1, sites: [broken] }).success).toBe(false);
  });

  it('refuses a site listed twice and a key shared by two parties', () => {
    const a = aSite('site-a');
    const parsed = SiteRegistry.safeParse({
      version: 1,
      broker: { natsUserPublicKey: generateNatsUserKey().publicKey, envelopePublicKey: a.envelopePublicKey },
      sites: [a, { ...aSite('site-a') }],
    });
    const messages = parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages).toContain('sites.1.id: site id site-a is listed twice');
    expect(messages).toContain('sites.0.envelopePublicKey: the key is already used by the broker');
  });

  it('refuses unknown fields and site ids that are not one subject token', () => {
    expect(SiteRegistry.safeParse({ version: 1, sites: [{ ...aSite('site-a'), secret: 'x' }] }).success).toBe(false);
    expect(SiteRegistry.safeParse({ version: 1, sites: [aSite('site.a')] }).success).toBe(false);
  });
});
