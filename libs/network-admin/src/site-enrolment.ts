import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  envelopeSignerFromSeed,
  type NatsUserPublicKey,
  natsUserPublicKeyOf,
  SiteId,
  SiteRegistration,
  SiteRegistry,
} from '@fq/contracts';
import { readSecretFile, SecretText } from '@fq/private-files';
import { err, formatIssue, ok, type Result } from '@fq/result';
import { type GeneratedKey, generateEnvelopeKey, generateNatsUserKey } from './key-generation';
import { renderNatsAuthorization } from './nats-authorization';

// The operator's side of decision 0006: the broker's keys, registering a site, the nats-server authorization.
// Failures the operator can fix are values with one line per problem; only broken infrastructure throws.

/** Known failures of an enrolment step: one line per problem. */
export type EnrolmentResult<T> = Result<T, string[]>;

/** Where a seed comes from: a 0600 file (created if missing where allowed) or the environment. */
export type SeedSource = { kind: 'file'; path: string } | { kind: 'env'; variable: string; seed: SecretText };

/** What `initBrokerKeys` did and the broker's two public keys. */
export interface BrokerKeysSummary {
  envelopePublicKey: string;
  natsUserPublicKey: NatsUserPublicKey;
  /** The seed files written now (existing files are kept and not listed). */
  created: string[];
  /** True when the registry file was created or its broker entry filled in. */
  registryUpdated: boolean;
}

/**
 * Creates the broker's envelope signing seed and NATS user seed (files, mode 0600) where missing, checks existing ones,
 * and records the two public keys as the registry's broker entry, creating the registry if it does not exist.
 */
export async function initBrokerKeys(paths: {
  registryFile: string;
  signing: SeedSource;
  nats: SeedSource;
}): Promise<EnrolmentResult<BrokerKeysSummary>> {
  const problems: string[] = [];
  const created: string[] = [];
  const signingSeed = await seedOf(paths.signing, generateEnvelopeKey, created, problems);
  const natsSeed = await seedOf(paths.nats, generateNatsUserKey, created, problems);
  const signer = signingSeed === null ? null : envelopeSignerFromSeed(signingSeed.reveal());
  if (signer !== null && !signer.ok) {
    problems.push(`${describeSource(paths.signing)} holds ${signer.error.message}`);
  }
  const natsPublic = natsSeed === null ? null : natsUserPublicKeyOf(natsSeed.reveal());
  if (natsPublic !== null && !natsPublic.ok) {
    problems.push(`${describeSource(paths.nats)} holds ${natsPublic.error.message}`);
  }
  const existing = await readRegistryFile(paths.registryFile, { missingIsEmpty: true });
  if (!existing.ok) {
    problems.push(...existing.error);
  }
  if (problems.length > 0 || signer?.ok !== true || natsPublic?.ok !== true || !existing.ok) {
    return err(problems);
  }
  const broker = { envelopePublicKey: signer.value.publicKey, natsUserPublicKey: natsPublic.value };
  const listed = existing.value.broker;
  if (
    listed !== null &&
    (listed.envelopePublicKey !== broker.envelopePublicKey || listed.natsUserPublicKey !== broker.natsUserPublicKey)
  ) {
    return err([
      `${paths.registryFile} lists other broker keys than ${describeSource(paths.signing)} and ` +
        `${describeSource(paths.nats)}: use the registry's keys or remove its "broker" entry to rotate them`,
    ]);
  }
  const registryUpdated = listed === null;
  if (registryUpdated) {
    const written = await writeRegistryFile(paths.registryFile, { ...existing.value, broker });
    if (!written.ok) {
      return written;
    }
  }
  return ok({ ...broker, created, registryUpdated });
}

/** A newly registered site: its registry entry, where its seeds are, and the broker's envelope public key. */
export interface EnrolledSite {
  site: SiteRegistration;
  signingSeedFile: string;
  natsSeedFile: string;
  brokerEnvelopePublicKey: string;
}

/** The seed files `addSite` writes into the site's directory. */
export const SITE_SIGNING_SEED_FILE = 'site-signing.nk';
export const SITE_NATS_SEED_FILE = 'site-nats.nk';

/**
 * Registers a site: generates its envelope signing seed and NATS user seed into `outDir` (mode 0600, never
 * overwriting a file) and adds its public keys to the registry; refuses an id that is already registered.
 */
export async function addSite(request: {
  registryFile: string;
  id: string;
  name: string;
  outDir: string;
}): Promise<EnrolmentResult<EnrolledSite>> {
  const problems: string[] = [];
  const id = SiteId.safeParse(request.id);
  if (!id.success) {
    problems.push(`--id ${JSON.stringify(request.id)}: ${id.error.issues[0]?.message ?? 'not a site id'}`);
  }
  const name = SiteRegistration.shape.name.safeParse(request.name);
  if (!name.success) {
    problems.push('--name: a site name is 1-200 characters');
  }
  const registry = await readRegistryFile(request.registryFile, { missingIsEmpty: false });
  if (!registry.ok) {
    problems.push(...registry.error);
  } else if (registry.value.broker === null) {
    problems.push(`${request.registryFile} has no broker keys yet: run \`broker keys init\` first`);
  }
  if (id.success && registry.ok && registry.value.sites.some((site) => site.id === id.data)) {
    problems.push(`site ${id.data} is already registered in ${request.registryFile}`);
  }
  const signingSeedFile = join(request.outDir, SITE_SIGNING_SEED_FILE);
  const natsSeedFile = join(request.outDir, SITE_NATS_SEED_FILE);
  for (const file of [signingSeedFile, natsSeedFile]) {
    if (await exists(file)) {
      problems.push(`${file} already exists: choose another --out (a seed is never overwritten)`);
    }
  }
  if (problems.length > 0 || !id.success || !name.success || !registry.ok || registry.value.broker === null) {
    return err(problems);
  }
  const signing = generateEnvelopeKey();
  const nats = generateNatsUserKey();
  const site: SiteRegistration = {
    id: id.data,
    name: name.data,
    natsUserPublicKey: nats.publicKey,
    envelopePublicKey: signing.publicKey,
  };
  await writeSeedFile(signingSeedFile, signing.seed);
  await writeSeedFile(natsSeedFile, nats.seed);
  const written = await writeRegistryFile(request.registryFile, {
    ...registry.value,
    sites: [...registry.value.sites, site],
  });
  if (!written.ok) {
    return written;
  }
  return ok({ site, signingSeedFile, natsSeedFile, brokerEnvelopePublicKey: registry.value.broker.envelopePublicKey });
}

/** The registry's nats-server authorization block, with read-only monitoring users for `monitorPublicKeys`. */
export async function natsAuthorizationOf(
  registryFile: string,
  monitorPublicKeys: readonly NatsUserPublicKey[],
): Promise<EnrolmentResult<{ text: string; users: number }>> {
  const registry = await readRegistryFile(registryFile, { missingIsEmpty: false });
  if (!registry.ok) {
    return registry;
  }
  if (registry.value.broker === null) {
    return err([`${registryFile} has no broker keys yet: run \`broker keys init\` first`]);
  }
  return ok({
    text: renderNatsAuthorization(registry.value, { monitorPublicKeys }),
    users: 1 + registry.value.sites.length + monitorPublicKeys.length,
  });
}

/** The NATS user public key of a monitoring login whose seed is in `file`; the seed is created if it is missing. */
export async function monitorPublicKeyOf(file: string): Promise<EnrolmentResult<NatsUserPublicKey>> {
  const problems: string[] = [];
  const seed = await seedOf({ kind: 'file', path: file }, generateNatsUserKey, [], problems);
  if (seed === null) {
    return err(problems);
  }
  const key = natsUserPublicKeyOf(seed.reveal());
  return key.ok ? key : err([`${file} holds ${key.error.message}`]);
}

/** Reads and validates the registry file; a missing file is an empty registry when `missingIsEmpty`. */
export async function readRegistryFile(
  file: string,
  options: { missingIsEmpty: boolean },
): Promise<EnrolmentResult<SiteRegistry>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return options.missingIsEmpty
        ? ok({ version: 1, broker: null, sites: [] })
        : err([`${file} does not exist: run \`broker keys init\` first`]);
    }
    return err([`cannot read ${file} (${errorCode(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err([`${file} is not JSON`]);
  }
  const parsed = SiteRegistry.safeParse(json);
  if (!parsed.success) {
    return err(parsed.error.issues.map((issue) => `${file} ${formatIssue(issue)}`));
  }
  return ok(parsed.data);
}

/** Validates and writes the registry atomically (a temporary file renamed over it), so a reader never sees half. */
async function writeRegistryFile(file: string, registry: SiteRegistry): Promise<EnrolmentResult<SiteRegistry>> {
  const parsed = SiteRegistry.safeParse(registry);
  if (!parsed.success) {
    return err(parsed.error.issues.map(formatIssue));
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // Public keys only, but the broker's state all the same: 0600 like every other state file.
    await writeFile(temporary, `${JSON.stringify(parsed.data, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
  return ok(parsed.data);
}

/** Writes a seed to a new file that only its owner can read; fails if the file exists. */
async function writeSeedFile(file: string, seed: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${seed}\n`, { mode: 0o600, flag: 'wx' });
}

async function seedOf(
  source: SeedSource,
  generate: () => GeneratedKey,
  created: string[],
  problems: string[],
): Promise<SecretText | null> {
  if (source.kind === 'env') {
    return source.seed;
  }
  if (!(await exists(source.path))) {
    const key = generate();
    await writeSeedFile(source.path, key.seed);
    created.push(source.path);
    return new SecretText(key.seed);
  }
  const read = readSecretFile(source.path);
  if (!read.ok) {
    problems.push(read.error);
    return null;
  }
  return read.value;
}

function describeSource(source: SeedSource): string {
  return source.kind === 'file' ? source.path : source.variable;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unreadable';
}
