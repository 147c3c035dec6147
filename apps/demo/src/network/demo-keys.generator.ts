import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// The broker operator's own steps (`broker keys init`, `broker sites add`, `broker nats-config`), run in-process.
import {
  addSite,
  initBrokerKeys,
  natsAuthorizationOf,
  readRegistryFile,
  SITE_NATS_SEED_FILE,
  SITE_SIGNING_SEED_FILE,
} from '@fq/network-admin';
import { err, ok, type Result } from '@fq/result';

/** Where the demo network's keys, registry and NATS authorization are, under DEMO_DIR. */
export interface DemoKeys {
  registryFile: string;
  brokerSigningSeedFile: string;
  brokerNatsSeedFile: string;
  /** Every site's SITE_BROKER_PUBLIC_KEY. */
  brokerEnvelopePublicKey: string;
  sites: ReadonlyMap<string, { signingSeedFile: string; natsSeedFile: string }>;
  /** The nats-server `authorization` block for the broker and every demo site. */
  authorizationFile: string;
}

/**
 * Creates the broker's keys, registers each site (its seeds under `<demoDir>/keys/<site>`) on the first run, reuses
 * them afterwards, and writes the NATS authorization for all of them; every problem is one line.
 */
export async function ensureDemoKeys(
  demoDir: string,
  sites: ReadonlyArray<{ id: string; name: string }>,
): Promise<Result<DemoKeys, string[]>> {
  const registryFile = join(demoDir, 'broker', 'sites.json');
  const brokerSigningSeedFile = join(demoDir, 'broker', 'keys', 'broker-signing.nk');
  const brokerNatsSeedFile = join(demoDir, 'broker', 'keys', 'broker-nats.nk');
  const broker = await initBrokerKeys({
    registryFile,
    signing: { kind: 'file', path: brokerSigningSeedFile },
    nats: { kind: 'file', path: brokerNatsSeedFile },
  });
  if (!broker.ok) {
    return broker;
  }
  const siteFiles = new Map<string, { signingSeedFile: string; natsSeedFile: string }>();
  for (const site of sites) {
    const outDir = join(demoDir, 'keys', site.id);
    const files = {
      signingSeedFile: join(outDir, SITE_SIGNING_SEED_FILE),
      natsSeedFile: join(outDir, SITE_NATS_SEED_FILE),
    };
    const registry = await readRegistryFile(registryFile, { missingIsEmpty: false });
    if (!registry.ok) {
      return registry;
    }
    if (!registry.value.sites.some((registered) => registered.id === site.id)) {
      const added = await addSite({ registryFile, id: site.id, name: site.name, outDir });
      if (!added.ok) {
        return added;
      }
    } else if (!existsSync(files.signingSeedFile) || !existsSync(files.natsSeedFile)) {
      return err([
        `${site.id} is registered in ${registryFile} but its seeds are missing from ${outDir}: ` +
          `delete ${join(demoDir, 'broker')} and ${join(demoDir, 'keys')} to start the demo network with new keys`,
      ]);
    }
    siteFiles.set(site.id, files);
  }
  const authorization = await natsAuthorizationOf(registryFile, []);
  if (!authorization.ok) {
    return authorization;
  }
  const authorizationFile = join(demoDir, 'nats', 'authorization.conf');
  await mkdir(join(demoDir, 'nats'), { recursive: true });
  await writeFile(authorizationFile, authorization.value.text);
  return ok({
    registryFile,
    brokerSigningSeedFile,
    brokerNatsSeedFile,
    brokerEnvelopePublicKey: broker.value.envelopePublicKey,
    sites: siteFiles,
    authorizationFile,
  });
}
