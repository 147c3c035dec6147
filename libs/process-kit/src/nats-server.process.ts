import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { ProgramNotFoundError } from './errors';
import { ManagedProcess } from './managed.process';
import { waitFor } from './wait-for';

const START_DEADLINE_MS = 20_000;
const DEBIAN_BINARY = '/usr/sbin/nats-server';

/** What to tell someone who has no nats-server. */
export const NATS_SERVER_INSTALL_HINT =
  'install nats-server (Debian/Ubuntu: sudo apt-get install nats-server; or https://github.com/nats-io/nats-server/releases)';

/** A nats-server with JetStream on 127.0.0.1 that its caller started and owns. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** The running server's process id (a new one after `restart`); undefined if it could not be spawned. */
  readonly pid: number | undefined;
  /** The running server process (a new one after `restart`). */
  readonly process: ManagedProcess;
  /** Stops the server (SIGTERM, JetStream flushed) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts the server again on the same port with the same store directory (and configuration file). */
  restart(): Promise<void>;
  /** Makes the server read its configuration file again (SIGHUP) and resolves once it has. */
  reload(): Promise<void>;
  /** Stops the server and removes the store directory if `startNatsServer` created it. */
  destroy(): Promise<void>;
  /** What the server logged last, for failure messages. */
  tail(): string;
}

export interface NatsServerOptions {
  /** The nats-server binary; by default `findNatsServerBinary(pathVariable)`. */
  binary?: string;
  /** A fixed port; by default the server picks a free one. */
  port?: number;
  /** JetStream store directory; by default a fresh temporary one, removed by `destroy`. */
  storeDir?: string;
  /** A nats-server configuration file (e.g. an `authorization` block) to include; command-line flags take precedence. */
  configFile?: string;
  /** Receives every line the server prints. */
  onLine?: (line: string) => void;
  /** Run the server in its own process group (see `SpawnSpec.detached`). */
  detached?: boolean;
}

/** The nats-server binary: in a directory of `pathVariable` or Debian's /usr/sbin/nats-server; null when neither. */
export function findNatsServerBinary(
  // Looking a command up on PATH is what a shell does; the kit reads no other variable.
  // eslint-disable-next-line no-restricted-properties
  pathVariable: string = process.env.PATH ?? '',
): string | null {
  const onPath = pathVariable
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'nats-server'));
  for (const candidate of [...onPath, DEBIAN_BINARY]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return null;
}

/**
 * Starts nats-server with JetStream on 127.0.0.1 and resolves once it accepts connections; throws
 * `ProgramNotFoundError` when there is no nats-server.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? findNatsServerBinary();
  if (binary === null) {
    throw new ProgramNotFoundError(
      `nats-server was not found on PATH or at ${DEBIAN_BINARY}: ${NATS_SERVER_INSTALL_HINT}`,
    );
  }
  const ownStoreDir = options.storeDir === undefined;
  const storeDir = resolve(options.storeDir ?? (await mkdtemp(join(tmpdir(), 'fq-nats-'))));
  await mkdir(storeDir, { recursive: true });
  const configArgs =
    options.configFile === undefined
      ? ['-js', '-sd', storeDir]
      : ['-c', await writeServerConfig(options.configFile, storeDir)];
  const launchOn = (port: number): Promise<{ process: ManagedProcess; port: number }> =>
    launch({ binary, port, configArgs, storeDir, onLine: options.onLine, detached: options.detached });
  let current = await launchOn(options.port ?? -1);
  const port = current.port;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return current.process.pid;
    },
    get process() {
      return current.process;
    },
    async stop() {
      await current.process.stop('SIGTERM');
    },
    async restart() {
      await current.process.stop('SIGTERM');
      current = await launchOn(port);
    },
    async reload() {
      const from = current.process.lineCount;
      current.process.signal('SIGHUP');
      const outcome = await current.process.waitForLine(
        /Reloaded server configuration|Failed to reload.*/,
        START_DEADLINE_MS,
        from,
      );
      if (outcome[0].startsWith('Failed')) {
        throw new Error(`nats-server did not reload its configuration: ${outcome[0]}`);
      }
    },
    async destroy() {
      await current.process.stop('SIGTERM');
      if (ownStoreDir) {
        await rm(storeDir, { recursive: true, force: true });
      }
    },
    tail: () => current.process.tail(),
  };
}

async function launch(options: {
  binary: string;
  port: number;
  configArgs: readonly string[];
  storeDir: string;
  onLine: ((line: string) => void) | undefined;
  detached: boolean | undefined;
}): Promise<{ process: ManagedProcess; port: number }> {
  const server = ManagedProcess.start({
    name: 'nats-server',
    command: options.binary,
    args: [...options.configArgs, '-a', '127.0.0.1', '-p', String(options.port)],
    env: {},
    cwd: options.storeDir,
    onLine: options.onLine,
    detached: options.detached,
  });
  try {
    const listening = await server.waitForLine(/Listening for client connections on [^\s]+:(\d+)/, START_DEADLINE_MS);
    await server.waitForLine(/Server is ready/, START_DEADLINE_MS);
    const port = Number(listening[1]);
    await waitFor(
      () => acceptsConnections(port),
      () => `nats-server to accept connections\n${server.tail()}`,
      START_DEADLINE_MS,
    );
    return { process: server, port };
  } catch (error) {
    await server.stop('SIGKILL');
    throw error;
  }
}

/**
 * A server configuration that enables JetStream in `storeDir` and includes `configFile`. JetStream is configured in
 * the file, not by flags: nats-server 2.9 shuts JetStream down on a reload when only `-js` enabled it.
 */
async function writeServerConfig(configFile: string, storeDir: string): Promise<string> {
  const file = join(storeDir, 'nats-server.conf');
  // An include is resolved relative to the including file.
  const included = relative(storeDir, resolve(configFile));
  await writeFile(file, `jetstream { store_dir: ${JSON.stringify(storeDir)} }\ninclude ${JSON.stringify(included)}\n`);
  return file;
}

/** True when a TCP connection to `host:port` succeeds within `timeoutMs`. */
export function acceptsConnections(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ port, host, timeout: timeoutMs });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
