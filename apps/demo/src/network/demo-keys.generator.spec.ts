import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeSignerFromSeed, natsUserPublicKeyOf, SiteRegistry } from '@fq/contracts';
import { ensureDemoKeys } from './demo-keys.generator';

const SITES = [
  { id: 'uk-a', name: 'Uniklinik A' },
  { id: 'uk-b', name: 'Uniklinik B' },
];

describe('ensureDemoKeys', () => {
  let demoDir: string;

  beforeEach(() => {
    demoDir = mkdtempSync(join(tmpdir(), 'fq-demo-keys-'));
  });

  afterEach(async () => {
    await rm(demoDir, { recursive: true, force: true });
  });

  it('registers every site with 0600 seeds and writes the NATS users of the broker and the sites', async () => {
    const created = await ensureDemoKeys(demoDir, SITES);
    if (!created.ok) {
      throw new Error(created.error.join('\n'));
    }
    const keys = created.value;
    const registry = SiteRegistry.parse(JSON.parse(readFileSync(keys.registryFile, 'utf8')));
    expect(registry.sites.map((site) => [site.id, site.name])).toEqual(SITES.map((site) => [site.id, site.name]));
    expect(registry.broker?.envelopePublicKey).toBe(keys.brokerEnvelopePublicKey);
    for (const site of registry.sites) {
      const files = keys.sites.get(site.id);
      const signer = envelopeSignerFromSeed(readFileSync(files?.signingSeedFile ?? '', 'utf8'));
      const nats = natsUserPublicKeyOf(readFileSync(files?.natsSeedFile ?? '', 'utf8'));
      expect([signer.ok && signer.value.publicKey, nats.ok && nats.value]).toEqual([
        site.envelopePublicKey,
        site.natsUserPublicKey,
      ]);
      expect(statSync(files?.signingSeedFile ?? '').mode & 0o777).toBe(0o600);
      expect(statSync(files?.natsSeedFile ?? '').mode & 0o777).toBe(0o600);
    }
    const authorization = readFileSync(keys.authorizationFile, 'utf8');
    for (const nkey of [registry.broker?.natsUserPublicKey, ...registry.sites.map((site) => site.natsUserPublicKey)]) {
      expect(authorization).toContain(`"nkey": "${nkey}"`);
    }
    expect(authorization).toContain('"fq.sites.uk-b.results"');
  });

  it('keeps the keys of an earlier run', async () => {
    await ensureDemoKeys(demoDir, SITES);
    const registry = readFileSync(join(demoDir, 'broker', 'sites.json'), 'utf8');
    const again = await ensureDemoKeys(demoDir, SITES);
    expect(again.ok).toBe(true);
    expect(readFileSync(join(demoDir, 'broker', 'sites.json'), 'utf8')).toBe(registry);
  });

  it('says how to start over when a registered site lost its seeds', async () => {
    await ensureDemoKeys(demoDir, SITES);
    rmSync(join(demoDir, 'keys', 'uk-b'), { recursive: true });
    const again = await ensureDemoKeys(demoDir, SITES);
    expect(again.ok ? [] : again.error).toEqual([expect.stringContaining('uk-b is registered') as unknown]);
  });
});
