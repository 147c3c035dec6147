import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
// The broker operator's own steps (`broker keys init`, `broker sites add`, `broker nats-config`) and the development
// issuer's minting (`broker token`), run in-process.
import {
  addSite,
  type EnrolmentResult,
  initBrokerKeys,
  mintDevTokenWithKeyFile,
  natsAuthorizationOf,
} from '@fq/network-admin';
import { type AppName, bearer, BrokerHttpClient, type ManagedProcess, startApp as startKitApp } from '@fq/process-kit';
import type { NetworkSiteData } from './network-site-data';

/** A started broker or site agent. */
export interface RunningApp {
  readonly name: string;
  readonly process: ManagedProcess;
}

// BENCH_NET_NODE_ARGS go before each app's entry point, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where time goes.
function nodeArgs(): string[] {
  return (process.env.BENCH_NET_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

async function startApp(
  repoRoot: string,
  app: AppName,
  name: string,
  env: Record<string, string>,
  cwd: string,
  readyMs: number,
): Promise<{ app: RunningApp; details: string }> {
  const started = await startKitApp({
    repoRoot,
    app,
    name,
    nodeArgs: nodeArgs(),
    // Only what the benchmark chose: an inherited SITE_* or BROKER_* variable would change the configuration.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', ...env },
    cwd,
    readyDeadlineMs: readyMs,
  });
  return { app: { name, process: started.process }, details: started.readyDetails };
}

/** One party's two seeds (decision 0006): the envelope signing key and the NATS user nkey, as 0600 files. */
export interface PartySeeds {
  readonly signingSeedFile: string;
  readonly natsSeedFile: string;
}

/** The keys of one benchmark run: the broker's and every site's, the registry and the NATS authorization. */
export interface NetworkKeys {
  readonly broker: PartySeeds;
  /** Every site's SITE_BROKER_PUBLIC_KEY. */
  readonly brokerEnvelopePublicKey: string;
  readonly registryFile: string;
  /** The nats-server `authorization` block for the broker and every site (`-c`, via startNatsServer's configFile). */
  readonly natsAuthorizationFile: string;
  readonly sites: ReadonlyMap<string, PartySeeds>;
}

/**
 * Generates the run's keys, the broker's site registry and the NATS authorization under `workDir`, with the same
 * enrolment steps an operator runs.
 */
export async function createNetworkKeys(workDir: string, siteIds: readonly string[]): Promise<NetworkKeys> {
  const dir = path.join(workDir, 'keys');
  const registryFile = path.join(dir, 'sites.json');
  const broker: PartySeeds = {
    signingSeedFile: path.join(dir, 'broker-signing.nk'),
    natsSeedFile: path.join(dir, 'broker-nats.nk'),
  };
  const brokerKeys = orThrow(
    await initBrokerKeys({
      registryFile,
      signing: { kind: 'file', path: broker.signingSeedFile },
      nats: { kind: 'file', path: broker.natsSeedFile },
    }),
  );
  const sites = new Map<string, PartySeeds>();
  for (const id of siteIds) {
    const site = orThrow(
      await addSite({ registryFile, id, name: `Bench ${id}`, outDir: path.join(dir, `site-${id}`) }),
    );
    sites.set(id, { signingSeedFile: site.signingSeedFile, natsSeedFile: site.natsSeedFile });
  }
  // The benchmark measures the network as deployed: NATS checks every login and permission.
  const natsAuthorizationFile = path.join(dir, 'nats-authorization.conf');
  await writeFile(natsAuthorizationFile, orThrow(await natsAuthorizationOf(registryFile, [])).text);
  return { broker, brokerEnvelopePublicKey: brokerKeys.envelopePublicKey, registryFile, natsAuthorizationFile, sites };
}

function orThrow<T>(result: EnrolmentResult<T>): T {
  if (!result.ok) {
    throw new Error(`setting up the benchmark's keys failed: ${result.error.join('; ')}`);
  }
  return result.value;
}

/**
 * Starts the broker (SQLite in `workDir`, its development issuer) for the sites in `keys` and returns a client for its
 * API that calls as an admin (exempt from the quotas, as a benchmark must be).
 */
export async function startBroker(options: {
  repoRoot: string;
  workDir: string;
  natsUrl: string;
  keys: NetworkKeys;
  deadlineSeconds: number;
}): Promise<{ app: RunningApp; client: BrokerHttpClient }> {
  const dir = path.join(options.workDir, 'broker');
  await mkdir(dir, { recursive: true });
  const env = {
    NATS_URL: options.natsUrl,
    BROKER_HOST: '127.0.0.1',
    BROKER_PORT: '0',
    BROKER_SQLITE_FILE: path.join(dir, 'broker.sqlite'),
    BROKER_SITES_FILE: options.keys.registryFile,
    BROKER_SIGNING_KEY_FILE: options.keys.broker.signingSeedFile,
    BROKER_NATS_NKEY_FILE: options.keys.broker.natsSeedFile,
    BROKER_AUDIT_LOG: path.join(dir, 'audit.jsonl'),
    BROKER_REPLAY_LOG: path.join(dir, 'received-envelopes.jsonl'),
    BROKER_DEV_ISSUER: 'true',
    BROKER_DEV_ISSUER_KEY_FILE: path.join(dir, 'dev-issuer.jwk'),
    BROKER_QUERY_DEADLINE_SECONDS: String(options.deadlineSeconds),
  };
  const { app, details } = await startApp(options.repoRoot, 'broker', 'broker', env, dir, 60_000);
  const url = /(https?:\/\/\S+)/.exec(details)?.[1];
  if (url === undefined) {
    await app.process.stop('SIGKILL');
    throw new Error(`the broker's READY line carries no URL: "${details}"`);
  }
  const reachable = url.replace('//0.0.0.0:', '//127.0.0.1:').replace(/\/$/, '');
  const token = await mintDevTokenWithKeyFile(path.join(dir, 'dev-issuer.jwk'), {
    user: 'bench-admin',
    role: 'admin',
    ttlSeconds: 7 * 86_400,
  });
  return { app, client: new BrokerHttpClient(reachable, bearer(token)) };
}

/** Starts one site agent on `site` with rate limits out of the way and waits for its READY line. */
export async function startSiteAgent(options: {
  repoRoot: string;
  workDir: string;
  natsUrl: string;
  site: NetworkSiteData;
  keys: NetworkKeys;
  evaluationDate: string;
  readyMs: number;
}): Promise<RunningApp> {
  const stateDir = path.join(options.workDir, 'sites', options.site.siteId);
  await mkdir(stateDir, { recursive: true });
  const siteKey = options.keys.sites.get(options.site.siteId);
  if (siteKey === undefined) {
    throw new Error(`no keys for ${options.site.siteId}`);
  }
  const env = {
    NATS_URL: options.natsUrl,
    SITE_ID: options.site.siteId,
    SITE_SIGNING_KEY_FILE: siteKey.signingSeedFile,
    SITE_NATS_NKEY_FILE: siteKey.natsSeedFile,
    SITE_BROKER_PUBLIC_KEY: options.keys.brokerEnvelopePublicKey,
    SITE_DATA: options.site.dir,
    SITE_STATE_DIR: stateDir,
    SITE_EVALUATION_DATE: options.evaluationDate,
    // The benchmark sends thousands of queries; the MII default (999 per hour) would refuse most of them.
    SITE_RATE_LIMIT: '1000000',
    SITE_RATE_INTERVAL_SECONDS: '1',
  };
  const name = `site-agent ${options.site.siteId}`;
  const { app } = await startApp(options.repoRoot, 'site-agent', name, env, stateDir, options.readyMs);
  return app;
}
