import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { ManagedProcess } from './managed.process';
import { waitFor } from './wait-for';

const START_DEADLINE_MS = 15_000;
const DEBIAN_BINARY = '/usr/sbin/nats-server';

/** A nats-server with JetStream that a suite started for itself. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** The running server's process id (a new one after `restart`); undefined if it could not be spawned. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, JetStream flushed) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts the server again on the same port with the same store directory (and configuration file). */
  restart(): Promise<void>;
  /** Makes the server read its configuration file again (SIGHUP) and resolves once it has. */
  reload(): Promise<void>;
  /** Stops the server and removes the store directory if the harness created it. */
  destroy(): Promise<void>;
  /** What the server logged, for failure messages. */
  tail(): string;
}

export interface NatsServerOptions {
  /** A fixed port; by default the server picks a free one. */
  port?: number;
  /** JetStream store directory; by default a fresh temporary one. */
  storeDir?: string;
  /** A nats-server configuration file (`-c`), e.g. an authorization block; the command-line flags take precedence. */
  configFile?: string;
}

/** The nats-server binary: on PATH or Debian's /usr/sbin/nats-server; null when neither exists. */
export function findNatsServerBinary(pathVariable: string = process.env.PATH ?? ''): string | null {
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

/** Starts nats-server with JetStream on 127.0.0.1 and resolves once it accepts connections. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = findNatsServerBinary();
  if (binary === null) {
    throw new Error('nats-server not found on PATH or at /usr/sbin/nats-server: apt-get install nats-server');
  }
  const ownStoreDir = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'fq-e2e-nats-')));
  await mkdir(storeDir, { recursive: true });
  const configArgs =
    options.configFile === undefined
      ? ['-js', '-sd', storeDir]
      : ['-c', await serverConfig(options.configFile, storeDir)];
  let current = await launch(binary, options.port ?? -1, configArgs);
  const port = current.port;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return current.process.pid;
    },
    async stop() {
      await current.process.stop('SIGTERM');
    },
    async restart() {
      await current.process.stop('SIGTERM');
      current = await launch(binary, port, configArgs);
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

async function launch(
  binary: string,
  requestedPort: number,
  configArgs: readonly string[],
): Promise<{ process: ManagedProcess; port: number }> {
  const server = ManagedProcess.start({
    name: 'nats-server',
    command: binary,
    args: [...configArgs, '-a', '127.0.0.1', '-p', String(requestedPort)],
    env: {},
    cwd: tmpdir(),
  });
  try {
    const listening = await server.waitForLine(/Listening for client connections on [^\s]+:(\d+)/, START_DEADLINE_MS);
    await server.waitForLine(/Server is ready/, START_DEADLINE_MS);
    const port = Number(listening[1]);
    await waitFor(
      () => acceptsConnections(port),
      START_DEADLINE_MS,
      () => server.tail(),
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
async function serverConfig(configFile: string, storeDir: string): Promise<string> {
  const file = join(storeDir, 'nats-server.conf');
  // An include is resolved relative to the including file.
  const included = relative(storeDir, resolve(configFile));
  await writeFile(file, `jetstream { store_dir: ${JSON.stringify(storeDir)} }\ninclude ${JSON.stringify(included)}\n`);
  return file;
}

/** True when a TCP connection to 127.0.0.1:port succeeds. */
export function acceptsConnections(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
