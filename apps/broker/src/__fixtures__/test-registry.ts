import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EnvelopeSigner, envelopeSignerFromSeed, type SiteRegistry } from '@fq/contracts';
import { type GeneratedKey, generateEnvelopeKey, generateNatsUserKey } from '@fq/network-admin';

/** A registry file with fresh keys for the given sites, and the seeds a test needs to act as broker or site. */
export interface TestRegistry {
  dir: string;
  file: string;
  broker: { signing: GeneratedKey; nats: GeneratedKey };
  sites: Map<string, { signing: GeneratedKey; nats: GeneratedKey }>;
  /** The broker environment that uses this registry and the broker's signing seed. */
  env: Record<string, string>;
}

/** Writes `sites.json` for `sites` (`[id, name]`) into a fresh temporary directory (or `dir`). */
export function writeTestRegistry(sites: ReadonlyArray<readonly [string, string]>, dir?: string): TestRegistry {
  const root = dir ?? mkdtempSync(join(tmpdir(), 'fq-registry-'));
  const broker = { signing: generateEnvelopeKey(), nats: generateNatsUserKey() };
  const keys = new Map(sites.map(([id]) => [id, { signing: generateEnvelopeKey(), nats: generateNatsUserKey() }]));
  const registry: SiteRegistry = {
    version: 1,
    broker: { natsUserPublicKey: broker.nats.publicKey, envelopePublicKey: broker.signing.publicKey },
    sites: sites.map(([id, name]) => ({
      id,
      name,
      natsUserPublicKey: keys.get(id)?.nats.publicKey ?? '',
      envelopePublicKey: keys.get(id)?.signing.publicKey ?? '',
    })),
  };
  const file = join(root, 'sites.json');
  writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
  return {
    dir: root,
    file,
    broker,
    sites: keys,
    env: {
      BROKER_SITES_FILE: file,
      BROKER_SIGNING_KEY: broker.signing.seed,
      BROKER_AUDIT_LOG: join(root, 'audit.jsonl'),
      BROKER_REPLAY_LOG: join(root, 'received-envelopes.jsonl'),
    },
  };
}

/** A signer for a generated key. */
export function testSigner(key: GeneratedKey): EnvelopeSigner {
  const signer = envelopeSignerFromSeed(key.seed);
  if (!signer.ok) {
    throw new Error(signer.error.message);
  }
  return signer.value;
}
