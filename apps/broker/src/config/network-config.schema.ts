import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type EnvelopeSigner,
  envelopeSignerFromSeed,
  natsUserPublicKeyOf,
  type SiteRegistration,
  SiteRegistry,
} from '@fq/contracts';
import { readSecret, type SecretText } from '@fq/private-files';
import { formatIssue } from '@fq/result';
import { z } from 'zod';
import { integer } from './env-values';

/** Where the broker keeps its keys by default (`broker keys init` writes them). */
export const DEFAULT_KEYS_DIR = '.broker/keys';
export const DEFAULT_SIGNING_KEY_FILE = `${DEFAULT_KEYS_DIR}/broker-signing.nk`;
export const DEFAULT_SITES_FILE = '.broker/sites.json';

const OptionalPath = z.string().trim().min(1).optional();

/** The environment of the broker's side of the network: registry, keys, NATS login and TLS, audit (decision 0006). */
export const NetworkEnv = z.object({
  BROKER_SITES: z
    .undefined({
      error: 'BROKER_SITES is replaced by the site registry BROKER_SITES_FILE: register sites with `broker sites add`',
    })
    .optional(),
  BROKER_SITES_FILE: z.string().trim().min(1).default(DEFAULT_SITES_FILE),
  BROKER_SIGNING_KEY: z.string().optional(),
  BROKER_SIGNING_KEY_FILE: OptionalPath,
  BROKER_NATS_NKEY: z.string().optional(),
  BROKER_NATS_NKEY_FILE: OptionalPath,
  BROKER_NATS_TLS_CA_FILE: OptionalPath,
  BROKER_NATS_TLS_CERT_FILE: OptionalPath,
  BROKER_NATS_TLS_KEY_FILE: OptionalPath,
  BROKER_AUDIT_LOG: z.string().trim().min(1).default('.broker/audit.jsonl'),
  BROKER_REPLAY_LOG: z.string().trim().min(1).default('.broker/received-envelopes.jsonl'),
  // A site sends one result per query and a heartbeat every few seconds; the network benchmark reaches about 65 a second.
  BROKER_SITE_MESSAGES_PER_SECOND: integer('BROKER_SITE_MESSAGES_PER_SECOND', 200, 1, 1_000_000),
  BROKER_SITE_MESSAGE_BURST: integer('BROKER_SITE_MESSAGE_BURST', 2_000, 1, 10_000_000),
});
type NetworkEnv = z.output<typeof NetworkEnv>;

/** One registered site as the rest of the broker sees it: id and display name. */
export interface RegisteredSiteName {
  id: string;
  name: string;
}

/** TLS for the NATS connection: a CA to trust and, for mutual TLS, a client certificate and key. */
export interface NatsTlsFiles {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
}

/** The broker's keys, the sites' public keys and where rejected envelopes are audited. */
export interface BrokerNetworkConfig {
  sitesFile: string;
  /** Every registered site with its NATS and envelope public keys. */
  registry: readonly SiteRegistration[];
  /** Signs every query envelope. */
  signer: EnvelopeSigner;
  /** The broker's NATS user nkey seed; null: connect without nkey authentication. */
  natsNkeySeed: SecretText | null;
  tls: NatsTlsFiles | null;
  auditLogFile: string;
  replayLogFile: string;
  /** What each site may send (results and heartbeats together); the excess is dropped unread and audited per episode. */
  siteRateLimit: { perSecond: number; burst: number };
}

type Issues = { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void };

/**
 * Reads the site registry and the broker's seeds (files must be 0600); every problem is added to `ctx`, and no
 * message ever quotes a seed. Relative paths are resolved against the working directory.
 */
export function toNetworkConfig(
  env: NetworkEnv,
  ctx: Issues,
  cwd: string = process.cwd(),
): { sites: RegisteredSiteName[]; network: BrokerNetworkConfig } {
  const problem = (variable: string, message: string): void =>
    ctx.addIssue({ code: 'custom', path: [variable], message });
  const registry = readRegistry(resolve(cwd, env.BROKER_SITES_FILE), (message) =>
    problem('BROKER_SITES_FILE', message),
  );

  const secret = (fileVariable: string, file: string | undefined, value: string | undefined): SecretText | null => {
    if (file !== undefined && value !== undefined) {
      problem(fileVariable, `and ${fileVariable.replace(/_FILE$/, '')} are both set; use one`);
      return null;
    }
    const read = readSecret(file === undefined ? null : resolve(cwd, file), value ?? null);
    if (!read.ok) {
      problem(fileVariable, read.error);
      return null;
    }
    return read.value;
  };
  const signingSeed = secret(
    'BROKER_SIGNING_KEY_FILE',
    env.BROKER_SIGNING_KEY === undefined
      ? (env.BROKER_SIGNING_KEY_FILE ?? DEFAULT_SIGNING_KEY_FILE)
      : env.BROKER_SIGNING_KEY_FILE,
    env.BROKER_SIGNING_KEY,
  );
  const signer = signingSeed === null ? null : envelopeSignerFromSeed(signingSeed.reveal());
  if (signer !== null && !signer.ok) {
    problem('BROKER_SIGNING_KEY_FILE', `holds ${signer.error.message}`);
  }
  const natsNkeySeed = secret('BROKER_NATS_NKEY_FILE', env.BROKER_NATS_NKEY_FILE, env.BROKER_NATS_NKEY);
  if (natsNkeySeed !== null && !natsUserPublicKeyOf(natsNkeySeed.reveal()).ok) {
    problem('BROKER_NATS_NKEY_FILE', 'holds not a NATS user seed (SU…)');
  }
  if ((env.BROKER_NATS_TLS_CERT_FILE === undefined) !== (env.BROKER_NATS_TLS_KEY_FILE === undefined)) {
    problem('BROKER_NATS_TLS_CERT_FILE', 'and BROKER_NATS_TLS_KEY_FILE go together (a client certificate and its key)');
  }
  if (
    signer?.ok === true &&
    registry !== null &&
    registry.broker !== null &&
    registry.broker.envelopePublicKey !== signer.value.publicKey
  ) {
    problem(
      'BROKER_SIGNING_KEY_FILE',
      `holds a key whose public key is not the one ${env.BROKER_SITES_FILE} lists for the broker`,
    );
  }
  const absolute = (path: string | undefined): string | null => (path === undefined ? null : resolve(cwd, path));
  const tls =
    env.BROKER_NATS_TLS_CA_FILE === undefined && env.BROKER_NATS_TLS_CERT_FILE === undefined
      ? null
      : {
          caFile: absolute(env.BROKER_NATS_TLS_CA_FILE),
          certFile: absolute(env.BROKER_NATS_TLS_CERT_FILE),
          keyFile: absolute(env.BROKER_NATS_TLS_KEY_FILE),
        };
  const sites = registry?.sites ?? [];
  return {
    sites: sites.map((site) => ({ id: site.id, name: site.name })),
    network: {
      sitesFile: env.BROKER_SITES_FILE,
      registry: sites,
      // Only reached with a valid signer: a missing or invalid one added an issue and the parse fails.
      signer: signer?.ok === true ? signer.value : UNUSABLE_SIGNER,
      natsNkeySeed,
      tls,
      auditLogFile: env.BROKER_AUDIT_LOG,
      replayLogFile: env.BROKER_REPLAY_LOG,
      siteRateLimit: { perSecond: env.BROKER_SITE_MESSAGES_PER_SECOND, burst: env.BROKER_SITE_MESSAGE_BURST },
    },
  };
}

const UNUSABLE_SIGNER: EnvelopeSigner = {
  publicKey: '',
  sign: () => {
    throw new Error('no broker signing key configured');
  },
  toJSON: () => 'EnvelopeSigner(none)',
};

function readRegistry(file: string, problem: (message: string) => void): SiteRegistry | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problem(`cannot read ${file}: register sites with \`broker sites add\` (it creates the file)`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problem(`${file} is not JSON`);
    return null;
  }
  const parsed = SiteRegistry.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problem(`${file} ${formatIssue(issue)}`);
    }
    return null;
  }
  if (parsed.data.sites.length === 0) {
    problem(`${file} registers no site yet: \`broker sites add --id … --name …\``);
  }
  return parsed.data;
}

/** The network part of the start-up summary: public keys and paths, never a seed. */
export function summarizeNetworkConfig(network: BrokerNetworkConfig): Record<string, unknown> {
  return {
    sitesFile: network.sitesFile,
    signingPublicKey: network.signer.publicKey,
    natsNkey: network.natsNkeySeed === null ? 'none' : '***',
    tls: network.tls,
    auditLogFile: network.auditLogFile,
    replayLogFile: network.replayLogFile,
    siteRateLimit: network.siteRateLimit,
  };
}
