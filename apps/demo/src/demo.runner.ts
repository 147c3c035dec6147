import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
// The development issuer's minting (as `broker token` does it), with the key file the demo's broker uses.
import { mintDevTokenWithKeyFile } from '@fq/network-admin';
import { type DemoConfig, DEMO_SITES, type DemoSite } from './config/config.schema';
import { exampleRequests } from './example-requests';
import {
  type AppName,
  acceptsConnections,
  appEntryPoint,
  describeExit,
  findNatsServerBinary,
  type ManagedProcess,
  spawnApp,
  startNatsServer,
  waitUntilReady,
} from '@fq/process-kit';
import { type DemoKeys, ensureDemoKeys } from './network/demo-keys.generator';
import { formatLogLine, prefixLine } from './processes/log-line.formatter';
import { ensureSiteData, siteDataDir } from './sites/demo-sites.generator';

const BROKER_READY_MS = 60_000;
// The largest site indexes 20,000 patients before it is ready.
const SITE_READY_MS = 300_000;
const LABEL_WIDTH = Math.max('broker'.length, 'nats'.length, ...DEMO_SITES.map((site) => site.id.length));
// Children get this long to stop before they are killed.
const KILL_GRACE_MS = 15_000;

/** What to tell a user who has no NATS server. */
const NATS_INSTALL_HINT = [
  'The demo needs a NATS server with JetStream. Either',
  '  - install nats-server (Debian/Ubuntu: sudo apt-get install nats-server; or https://github.com/nats-io/nats-server/releases)',
  '    and run `npm run demo` again: it starts its own, or',
  '  - start the one from docker-compose.yml: docker compose up -d nats, then NATS_URL=nats://127.0.0.1:4222 npm run demo, or',
  '  - point NATS_URL at any NATS server started with -js.',
].join('\n');

/** Where the demo writes: normal output, problems, and whether output goes to a terminal (progress in place). */
export interface DemoTerminal {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
}

/** A failure the user can fix; printed without a stack. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

class StopRequested extends Error {
  override readonly name = 'StopRequested';
}

/**
 * Runs the whole network on one machine: NATS (found or started), three synthetic sites (generated once), the broker
 * and three site agents as child processes with prefixed output, until `stop()`; then stops them in order.
 */
export class DemoRunner {
  private readonly children: ManagedProcess[] = [];
  private stopRequested: (() => void) | null = null;
  private readonly stopSignal: Promise<never>;
  private stopping = false;

  constructor(
    private readonly config: DemoConfig,
    private readonly repoRoot: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly terminal: DemoTerminal,
  ) {
    this.stopSignal = new Promise<never>((_resolve, reject) => {
      this.stopRequested = () => reject(new StopRequested('stop requested'));
    });
    // Nobody may be awaiting the stop signal when it fires.
    this.stopSignal.catch(() => undefined);
  }

  /** Runs until stopped or until a process fails; resolves with the exit code for the demo process. */
  async run(): Promise<number> {
    try {
      await this.start();
      const failed = await this.until(Promise.race(this.children.map((child) => child.exited.then(() => child))));
      this.problem(`${failed.name} exited unexpectedly (${describeExit(await failed.exited)}); stopping the demo`);
      this.problem(failed.tail(40));
      await this.shutdown();
      return 1;
    } catch (error) {
      if (error instanceof StopRequested) {
        await this.shutdown();
        return 0;
      }
      this.problem(error instanceof Error ? error.message : String(error));
      await this.shutdown();
      return 1;
    }
  }

  /** Asks the demo to stop (Ctrl-C); a second call kills whatever is still running. */
  stop(): void {
    if (this.stopping) {
      this.say('stopping right away');
      for (const child of this.children) {
        child.signal('SIGKILL');
      }
      return;
    }
    this.stopping = true;
    this.say('stopping (press Ctrl-C again to kill)');
    this.stopRequested?.();
  }

  /** Last resort when the demo process itself exits: no child may outlive it. */
  killAll(): void {
    for (const child of this.children) {
      child.signal('SIGKILL');
    }
  }

  private async start(): Promise<void> {
    const demoDir = resolve(this.repoRoot, this.config.demoDir);
    this.assertBuilt('broker');
    this.assertBuilt('site-agent');
    await this.until(this.assertPortFree());

    const keys = await this.until(this.prepareKeys(demoDir));
    const natsUrl = await this.until(this.resolveNats(demoDir, keys));

    for (const site of DEMO_SITES) {
      await this.until(this.prepareSite(demoDir, site));
    }

    const { host, port } = this.config.broker;
    const brokerUrl = `http://${host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host}:${port}`;
    this.say(`starting the broker on ${brokerUrl}`);
    const broker = this.spawn('broker', 'broker', {
      NATS_URL: natsUrl,
      BROKER_HOST: this.config.broker.host,
      BROKER_PORT: String(this.config.broker.port),
      BROKER_SQLITE_FILE: join(demoDir, 'broker', 'broker.sqlite'),
      BROKER_SITES_FILE: keys.registryFile,
      BROKER_SIGNING_KEY_FILE: keys.brokerSigningSeedFile,
      BROKER_NATS_NKEY_FILE: keys.brokerNatsSeedFile,
      BROKER_AUDIT_LOG: join(demoDir, 'broker', 'audit.jsonl'),
      BROKER_REPLAY_LOG: join(demoDir, 'broker', 'received-envelopes.jsonl'),
      // The demo has no identity provider: the broker's development issuer signs the demo's tokens.
      BROKER_DEV_ISSUER: 'true',
      BROKER_DEV_ISSUER_KEY_FILE: join(demoDir, 'broker', 'dev-issuer.jwk'),
      // Readable lines for a person at a terminal; JSON lines stay the production default.
      BROKER_LOG_FORMAT: 'text',
    });
    await this.until(waitUntilReady(broker, 'broker', BROKER_READY_MS));
    const keyFile = join(demoDir, 'broker', 'dev-issuer.jwk');
    const tokens = {
      researcher: await mintDevTokenWithKeyFile(keyFile, {
        user: 'demo-researcher',
        role: 'researcher',
        ttlSeconds: 12 * 3600,
      }),
      admin: await mintDevTokenWithKeyFile(keyFile, { user: 'demo-admin', role: 'admin', ttlSeconds: 12 * 3600 }),
      keyFile: relative(process.cwd(), keyFile) || keyFile,
    };

    this.say('starting three site agents (each loads and indexes its data first)');
    const sites = DEMO_SITES.map((site) =>
      this.spawn(site.id, 'site-agent', {
        NATS_URL: natsUrl,
        SITE_ID: site.id,
        SITE_DATA: siteDataDir(demoDir, site),
        SITE_STATE_DIR: join(demoDir, 'state', site.id),
        SITE_SIGNING_KEY_FILE: keys.sites.get(site.id)?.signingSeedFile ?? '',
        SITE_NATS_NKEY_FILE: keys.sites.get(site.id)?.natsSeedFile ?? '',
        SITE_BROKER_PUBLIC_KEY: keys.brokerEnvelopePublicKey,
        SITE_LOG_FORMAT: 'text',
      }),
    );
    await this.until(Promise.all(sites.map((site) => waitUntilReady(site, 'site-agent', SITE_READY_MS))));

    this.terminal.out(exampleRequests(brokerUrl, 'docs/examples/type-2-diabetes-hba1c.json', tokens));
  }

  private assertBuilt(app: AppName): void {
    try {
      appEntryPoint(this.repoRoot, app);
    } catch (error) {
      throw new DemoError(`${error instanceof Error ? error.message : String(error)}; \`npm run demo\` builds it`);
    }
  }

  private assertPortFree(): Promise<void> {
    const { host, port } = this.config.broker;
    return new Promise((resolvePort, reject) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new DemoError(
            error.code === 'EADDRINUSE'
              ? `port ${port} is taken by another program: stop it, or choose another port, e.g. BROKER_PORT=${port + 1} npm run demo`
              : `cannot listen on ${host}:${port} (${error.code ?? error.message}): set BROKER_HOST / BROKER_PORT`,
          ),
        );
      });
      probe.listen(port, host, () => probe.close(() => resolvePort()));
    });
  }

  /** The broker's and the sites' keys, the registry and the NATS authorization: created on the first run. */
  private async prepareKeys(demoDir: string): Promise<DemoKeys> {
    const keys = await ensureDemoKeys(demoDir, DEMO_SITES);
    if (!keys.ok) {
      throw new DemoError(keys.error.join('\n'));
    }
    this.say(`keys and site registry in ${join(demoDir, 'broker')} and ${join(demoDir, 'keys')}`);
    return keys.value;
  }

  private async resolveNats(demoDir: string, keys: DemoKeys): Promise<string> {
    if (this.config.natsUrl !== null) {
      if (!(await natsReachable(this.config.natsUrl))) {
        throw new DemoError(`no NATS server answers at NATS_URL=${this.config.natsUrl}\n${NATS_INSTALL_HINT}`);
      }
      this.say(
        `using the NATS server at ${this.config.natsUrl}: it needs JetStream and, if it checks logins, the users in ` +
          keys.authorizationFile,
      );
      return this.config.natsUrl;
    }
    const binary = findNatsServerBinary(this.env.PATH ?? '');
    if (binary === null) {
      throw new DemoError(`nats-server was not found on PATH or at /usr/sbin/nats-server.\n${NATS_INSTALL_HINT}`);
    }
    this.say(`starting ${binary} with JetStream (store: ${join(demoDir, 'nats')}) and per-site permissions`);
    const nats = await startNatsServer({
      binary,
      storeDir: join(demoDir, 'nats'),
      configFile: keys.authorizationFile,
      onLine: (line) => this.print('nats', line),
      detached: true,
    });
    this.children.push(nats.process);
    this.say(`NATS is listening at ${nats.url}`);
    return nats.url;
  }

  private async prepareSite(demoDir: string, site: DemoSite): Promise<void> {
    const dir = siteDataDir(demoDir, site);
    let lastShown = -1;
    const outcome = await ensureSiteData(dir, site, ({ patients, total, bytes, done }) => {
      const percent = Math.floor((patients / total) * 100);
      const line = `generating ${site.id}: ${patients.toLocaleString('en')} / ${total.toLocaleString('en')} patients (${(bytes / 1048576).toFixed(0)} MiB)`;
      if (this.terminal.isTTY) {
        this.terminal.out(`\r${line}${done ? '\n' : ''}`);
      } else if (done ? lastShown < 100 : percent >= lastShown + 25) {
        lastShown = percent;
        this.say(line);
      }
    });
    if (outcome === 'present') {
      this.say(`${site.id}: ${site.patients.toLocaleString('en')} synthetic patients already in ${dir}`);
    }
  }

  private spawn(label: string, app: AppName, env: Record<string, string>): ManagedProcess {
    const child = spawnApp({
      repoRoot: this.repoRoot,
      app,
      name: label,
      env: { ...this.env, ...env },
      cwd: this.repoRoot,
      onLine: (line) => this.print(label, line),
      detached: true,
      keptLines: 200,
      killGraceMs: KILL_GRACE_MS,
    });
    this.children.push(child);
    return child;
  }

  /** Awaits `step` unless a stop is requested first. */
  private until<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.stopSignal]);
  }

  private async shutdown(): Promise<void> {
    // Sites first, then the broker, then NATS: nobody loses its server while it drains.
    const order = [
      ...this.children.filter((c) => c.name !== 'broker' && c.name !== 'nats-server'),
      ...this.children.filter((c) => c.name === 'broker'),
      ...this.children.filter((c) => c.name === 'nats-server'),
    ];
    const sites = order.filter((c) => c.name !== 'broker' && c.name !== 'nats-server');
    await Promise.all(sites.map((child) => child.stop('SIGTERM')));
    for (const child of order.slice(sites.length)) {
      await child.stop('SIGTERM');
    }
    this.say('stopped');
  }

  private print(label: string, line: string): void {
    const formatted = formatLogLine(line);
    if (formatted !== null) {
      this.terminal.out(`${prefixLine(label, LABEL_WIDTH, formatted)}\n`);
    }
  }

  private say(message: string): void {
    this.terminal.out(`${prefixLine('demo', LABEL_WIDTH, message)}\n`);
  }

  private problem(message: string): void {
    this.terminal.err(`${prefixLine('demo', LABEL_WIDTH, message)}\n`);
  }
}

/** True when a TCP connection to the host and port of `natsUrl` succeeds within a few seconds. */
function natsReachable(natsUrl: string): Promise<boolean> {
  const url = new URL(natsUrl);
  return acceptsConnections(url.port === '' ? 4222 : Number(url.port), url.hostname);
}
