import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BROKER_INBOX_PREFIX, siteInboxPrefix, type SiteRegistry, type UserRole } from '@fq/contracts';
import {
  generateEnvelopeKey,
  type GeneratedKey,
  generateNatsUserKey,
  mintDevTokenWithKeyFile,
  renderNatsAuthorization,
} from '@fq/network-admin';
import {
  type AppName,
  type AppProcess,
  bearer,
  BrokerHttpClient,
  type NatsServerHandle,
  startApp,
  startNatsServer,
} from '@fq/process-kit';
import { z } from 'zod';
import { JetStreamProbe } from './jetstream.nats';
import type { NatsLogin } from './nats-login';
import { EVALUATION_DATE, generateSiteData, type SiteData } from './site-data.fixture';
import { createTestCertificates, renderServerTls, type TestCertificates } from './tls-certificates';
import { startWireTap, type WireTap } from './wire-tap.nats';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** A running broker and a client for its HTTP API. */
export interface BrokerHandle {
  readonly app: AppProcess;
  readonly url: string;
  readonly client: BrokerHttpClient;
}

/** A running site agent. */
export interface SiteHandle {
  readonly siteId: string;
  readonly app: AppProcess;
}

/** The fields of a site audit record the suites look at; the app's own schema is stricter. */
const AuditLine = z.looseObject({ decision: z.string(), queryId: z.string().nullable() });
export type AuditLine = z.infer<typeof AuditLine>;

type PartyKeys = { signing: GeneratedKey; nats: GeneratedKey };

/**
 * One suite's private network: its own nats-server (free port, temporary JetStream store, NATS permissions on: the
 * broker, each site and a read-only monitor log in with their own nkeys), temporary directories, random site ids, and
 * every process it started, all stopped and removed by `close()`.
 */
export class NetworkWorld {
  private readonly apps = new Set<AppProcess>();
  private readonly taps = new Set<WireTap>();
  private readonly siteKeys = new Map<string, PartyKeys>();
  /** True when a site got keys after the server last read its authorization file. */
  private authorizationStale = false;

  private constructor(
    readonly root: string,
    readonly nats: NatsServerHandle,
    /** Every party's two keys: the envelope signing key and the NATS user nkey (decision 0006). */
    readonly brokerKeys: PartyKeys,
    /** The NATS login of the wire taps: subscribe to anything, publish nothing. */
    private readonly monitorKey: GeneratedKey,
    /** Set when the server requires TLS with client certificates (`create({ tls: true })`). */
    readonly certificates: TestCertificates | null,
  ) {}

  /**
   * Creates the temporary root and starts the suite's nats-server with the authorization of the broker and taps;
   * with `tls`, the server also requires TLS and a client certificate from a throwaway CA.
   */
  static async create(options: { tls?: boolean } = {}): Promise<NetworkWorld> {
    const root = await mkdtemp(join(tmpdir(), 'fq-e2e-'));
    const brokerKeys = { signing: generateEnvelopeKey(), nats: generateNatsUserKey() };
    const monitorKey = generateNatsUserKey();
    try {
      const certificates = options.tls === true ? await createTestCertificates(join(root, 'tls')) : null;
      const configFile = authorizationFile(root);
      writeFileSync(configFile, worldServerConfig(brokerKeys, new Map(), monitorKey, certificates));
      const nats = await startNatsServer({ storeDir: join(root, 'jetstream'), configFile });
      return new NetworkWorld(root, nats, brokerKeys, monitorKey, certificates);
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** A site id nobody else uses: `<label>-<6 hex digits>`. */
  newSiteId(label: string): string {
    return `${label}-${randomBytes(3).toString('hex')}`;
  }

  /** Generates a synthetic site for `siteId` under the world's root. */
  generateSite(siteId: string, patients: number, seed = 7): Promise<SiteData> {
    return generateSiteData({ dir: join(this.root, 'data', siteId), patients, seed, site: siteId });
  }

  /** A site's keys, created on first use and the same for the rest of the world's life. */
  keysOf(siteId: string): { signing: GeneratedKey; nats: GeneratedKey } {
    let keys = this.siteKeys.get(siteId);
    if (keys === undefined) {
      keys = { signing: generateEnvelopeKey(), nats: generateNatsUserKey() };
      this.siteKeys.set(siteId, keys);
      this.authorizationStale = true;
    }
    return keys;
  }

  /**
   * Gives the nats-server a user for every site that has keys (the authorization rendered from the world's registry,
   * as `broker nats-config` writes it) and reloads it; app starts and logins call it, a suite rarely needs to.
   */
  async syncNatsAuthorization(): Promise<void> {
    if (!this.authorizationStale) {
      return;
    }
    this.authorizationStale = false;
    writeFileSync(
      authorizationFile(this.root),
      worldServerConfig(this.brokerKeys, this.siteKeys, this.monitorKey, this.certificates),
    );
    await this.nats.reload();
  }

  /** The NATS login of the broker (its user nkey and inbox), for a test that acts as the broker on the wire. */
  get brokerLogin(): NatsLogin {
    return { nkeySeed: this.brokerKeys.nats.seed, inboxPrefix: BROKER_INBOX_PREFIX, ...this.clientTls() };
  }

  /** The NATS login of a site, known to the server once it resolves. */
  async siteLogin(siteId: string): Promise<NatsLogin> {
    const keys = this.keysOf(siteId);
    await this.syncNatsAuthorization();
    return { nkeySeed: keys.nats.seed, inboxPrefix: siteInboxPrefix(siteId), ...this.clientTls() };
  }

  /** The client side of TLS (CA, certificate, key) when the world's server requires it. */
  private clientTls(): Pick<NatsLogin, 'tls'> {
    const c = this.certificates;
    return c === null ? {} : { tls: { caFile: c.caFile, certFile: c.clientCertFile, keyFile: c.clientKeyFile } };
  }

  /** The apps' TLS variables (`prefix` BROKER or SITE) when the world's server requires TLS. */
  private tlsEnv(prefix: 'BROKER' | 'SITE'): Record<string, string> {
    const c = this.certificates;
    return c === null
      ? {}
      : {
          [`${prefix}_NATS_TLS_CA_FILE`]: c.caFile,
          [`${prefix}_NATS_TLS_CERT_FILE`]: c.clientCertFile,
          [`${prefix}_NATS_TLS_KEY_FILE`]: c.clientKeyFile,
        };
  }

  /** A plain NATS client logged in as the broker (re-publishing queries, consumer state). */
  probe(): Promise<JetStreamProbe> {
    return JetStreamProbe.connect(this.nats.url, this.brokerLogin);
  }

  /** The broker's audit log of refused envelopes. */
  get brokerAuditLog(): string {
    return join(this.root, 'broker', 'audit.jsonl');
  }

  /**
   * The broker's environment: the defaults plus isolation (own port, own SQLite file, own registry of `siteIds` with
   * their public keys, own signing seed) and `overrides`. It writes the registry and the seed file (synchronously,
   * so suites can build environments inline).
   */
  brokerEnv(siteIds: readonly string[], overrides: Record<string, string> = {}): Record<string, string> {
    const dir = join(this.root, 'broker');
    mkdirSync(dir, { recursive: true });
    const registry: SiteRegistry = {
      version: 1,
      broker: {
        natsUserPublicKey: this.brokerKeys.nats.publicKey,
        envelopePublicKey: this.brokerKeys.signing.publicKey,
      },
      sites: siteIds.map((id) => ({
        id,
        name: `Uniklinik ${id}`,
        natsUserPublicKey: this.keysOf(id).nats.publicKey,
        envelopePublicKey: this.keysOf(id).signing.publicKey,
      })),
    };
    writeFileSync(join(dir, 'sites.json'), JSON.stringify(registry, null, 2));
    writeFileSync(join(dir, 'signing.nk'), this.brokerKeys.signing.seed, { mode: 0o600 });
    writeFileSync(join(dir, 'nats.nk'), this.brokerKeys.nats.seed, { mode: 0o600 });
    return {
      NATS_URL: this.nats.url,
      BROKER_HOST: '127.0.0.1',
      BROKER_PORT: '0',
      BROKER_SQLITE_FILE: join(dir, 'broker.sqlite'),
      BROKER_SITES_FILE: join(dir, 'sites.json'),
      BROKER_SIGNING_KEY_FILE: join(dir, 'signing.nk'),
      BROKER_NATS_NKEY_FILE: join(dir, 'nats.nk'),
      ...this.tlsEnv('BROKER'),
      BROKER_AUDIT_LOG: this.brokerAuditLog,
      BROKER_REPLAY_LOG: join(dir, 'received-envelopes.jsonl'),
      BROKER_DEV_ISSUER: 'true',
      BROKER_DEV_ISSUER_KEY_FILE: this.devIssuerKeyFile,
      ...overrides,
    };
  }

  /** Starts the broker and waits for `READY broker http://host:port`. */
  async startBroker(env: Record<string, string>): Promise<BrokerHandle> {
    await mkdir(join(this.root, 'broker'), { recursive: true });
    await this.syncNatsAuthorization();
    const app = await this.start('broker', 'broker', env);
    const url = /(https?:\/\/\S+)/.exec(app.readyDetails)?.[1];
    if (url === undefined) {
      throw new Error(`the broker's READY line carries no URL: "${app.readyDetails}"`);
    }
    // A broker listening on every interface is reached through loopback.
    const reachable = url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:').replace(/\/$/, '');
    return { app, url: reachable, client: await this.clientFor(reachable, 'e2e-admin', 'admin') };
  }

  /** The broker's development issuer key (BROKER_DEV_ISSUER_KEY_FILE); the same across broker restarts. */
  get devIssuerKeyFile(): string {
    return join(this.root, 'broker', 'dev-issuer.jwk');
  }

  /** A client for the broker at `url` that calls as `user` in `role`, with a token of the development issuer. */
  async clientFor(url: string, user: string, role: UserRole): Promise<BrokerHttpClient> {
    const token = await mintDevTokenWithKeyFile(this.devIssuerKeyFile, { user, role, ttlSeconds: 3600 });
    return new BrokerHttpClient(url, bearer(token));
  }

  /** The state directory of a site; the same across restarts of that site. */
  siteStateDir(siteId: string): string {
    return join(this.root, 'state', siteId);
  }

  /**
   * The site agent's environment: the defaults plus isolation (own state directory, fixed date, own keys, the
   * broker's public key) and `overrides`. It writes the site's seed file.
   */
  siteEnv(siteId: string, data: SiteData, overrides: Record<string, string> = {}): Record<string, string> {
    const keyDir = join(this.root, 'keys', siteId);
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(keyDir, 'signing.nk'), this.keysOf(siteId).signing.seed, { mode: 0o600 });
    writeFileSync(join(keyDir, 'nats.nk'), this.keysOf(siteId).nats.seed, { mode: 0o600 });
    return {
      NATS_URL: this.nats.url,
      SITE_ID: siteId,
      SITE_SIGNING_KEY_FILE: join(keyDir, 'signing.nk'),
      SITE_NATS_NKEY_FILE: join(keyDir, 'nats.nk'),
      ...this.tlsEnv('SITE'),
      SITE_BROKER_PUBLIC_KEY: this.brokerKeys.signing.publicKey,
      SITE_DATA: data.dir,
      SITE_STATE_DIR: this.siteStateDir(siteId),
      SITE_EVALUATION_DATE: EVALUATION_DATE,
      SITE_HEARTBEAT_SECONDS: '1',
      ...overrides,
    };
  }

  /** Starts a site agent and waits for `READY site-agent <siteId> …`. */
  async startSite(siteId: string, env: Record<string, string>): Promise<SiteHandle> {
    await this.syncNatsAuthorization();
    const app = await this.start('site-agent', `site-agent ${siteId}`, env);
    return { siteId, app };
  }

  /**
   * A whole network in one call: generates the data of a site for each `[label, patients]`, starts the broker with
   * those sites (its environment with `brokerOverrides`), then every site agent. The sites come in the order given.
   */
  async startNetwork(
    sites: ReadonlyArray<readonly [label: string, patients: number]>,
    brokerOverrides: Record<string, string> = {},
  ): Promise<{ broker: BrokerHandle; sites: Array<{ id: string; data: SiteData; handle: SiteHandle }> }> {
    const generated: Array<{ id: string; data: SiteData }> = [];
    for (const [label, patients] of sites) {
      const id = this.newSiteId(label);
      generated.push({ id, data: await this.generateSite(id, patients) });
    }
    const broker = await this.startBroker(
      this.brokerEnv(
        generated.map((site) => site.id),
        brokerOverrides,
      ),
    );
    const handles = await Promise.all(
      generated.map((site) => this.startSite(site.id, this.siteEnv(site.id, site.data))),
    );
    return { broker, sites: generated.map((site, i) => ({ ...site, handle: handles[i] })) };
  }

  /** The lines of a site's audit log so far (empty when it does not exist yet). */
  async auditLog(siteId: string, file = join(this.siteStateDir(siteId), 'audit.jsonl')): Promise<AuditLine[]> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const parsed = AuditLine.safeParse(JSON.parse(line));
        if (!parsed.success) {
          throw new Error(`audit line of ${siteId} is malformed: ${line}`);
        }
        return parsed.data;
      });
  }

  /** A wire tap on the world's nats-server, closed with the world. */
  async tap(): Promise<WireTap> {
    const tap = await startWireTap(this.nats.url, { nkeySeed: this.monitorKey.seed, ...this.clientTls() });
    this.taps.add(tap);
    return tap;
  }

  /** Everything the world's processes printed, for a failure message. */
  tails(): string {
    return [...[...this.apps].map((app) => app.process.tail(40)), this.nats.tail()].join('\n');
  }

  /** Stops every app (SIGTERM), the taps and the nats-server, and removes the temporary root. */
  async close(): Promise<void> {
    await Promise.all([...this.apps].map((app) => app.process.stop('SIGTERM')));
    await Promise.all([...this.taps].map((tap) => tap.close().catch(() => undefined)));
    await this.nats.stop();
    await rm(this.root, { recursive: true, force: true });
  }

  private async start(app: AppName, name: string, env: Record<string, string>): Promise<AppProcess> {
    const started = await startApp({
      repoRoot: REPO_ROOT,
      app,
      name,
      // Only what the test chose: an inherited SITE_* or BROKER_* variable would change the app's configuration.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'test', ...env },
      cwd: this.root,
    });
    this.apps.add(started);
    return started;
  }
}

function authorizationFile(root: string): string {
  return join(root, 'nats-authorization.conf');
}

/** The world's nats-server configuration: the authorization of every party and, if asked for, TLS. */
function worldServerConfig(
  broker: PartyKeys,
  sites: ReadonlyMap<string, PartyKeys>,
  monitor: GeneratedKey,
  certificates: TestCertificates | null,
): string {
  const tls = certificates === null ? '' : renderServerTls(certificates);
  return tls + worldAuthorization(broker, sites, monitor);
}

/** The world's nats-server authorization: the broker, every site with keys, and the taps' monitoring user. */
function worldAuthorization(broker: PartyKeys, sites: ReadonlyMap<string, PartyKeys>, monitor: GeneratedKey): string {
  return renderNatsAuthorization(
    {
      broker: { natsUserPublicKey: broker.nats.publicKey, envelopePublicKey: broker.signing.publicKey },
      sites: [...sites].map(([id, keys]) => ({
        id,
        name: `Uniklinik ${id}`,
        natsUserPublicKey: keys.nats.publicKey,
        envelopePublicKey: keys.signing.publicKey,
      })),
    },
    { monitorPublicKeys: [monitor.publicKey] },
  );
}
