import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { basename, delimiter, dirname, join } from 'node:path';
import { DemoChild } from '../processes/demo-child.process';

const DEBIAN_BINARY = '/usr/sbin/nats-server';
const START_DEADLINE_MS = 20_000;

/** What to tell a user who has no NATS server. */
export const NATS_INSTALL_HINT = [
  'The demo needs a NATS server with JetStream. Either',
  '  - install nats-server (Debian/Ubuntu: sudo apt-get install nats-server; or https://github.com/nats-io/nats-server/releases)',
  '    and run `npm run demo` again: it starts its own, or',
  '  - start the one from docker-compose.yml: docker compose up -d nats, then NATS_URL=nats://127.0.0.1:4222 npm run demo, or',
  '  - point NATS_URL at any NATS server started with -js.',
].join('\n');

/** The nats-server binary on PATH or at Debian's /usr/sbin/nats-server, or null. */
export function findNatsServerBinary(pathVariable: string): string | null {
  const onPath = pathVariable
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'nats-server'));
  for (const candidate of [...onPath, DEBIAN_BINARY]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next one.
    }
  }
  return null;
}

/**
 * Starts nats-server with JetStream on 127.0.0.1 (a port it picks) keeping its store in `storeDir`, with the users and
 * permissions of `authorizationFile` (which must lie in `storeDir`): a configuration file includes it.
 */
export async function startLocalNatsServer(
  binary: string,
  storeDir: string,
  authorizationFile: string,
  onLine: (line: string) => void,
): Promise<{ child: DemoChild; url: string }> {
  await mkdir(storeDir, { recursive: true });
  if (dirname(authorizationFile) !== storeDir) {
    throw new Error(`${authorizationFile} must be in ${storeDir}`);
  }
  const configFile = join(storeDir, 'nats-server.conf');
  // JetStream in the file, not by flags: a reload (SIGHUP) of nats-server 2.9 stops JetStream that only -js enabled.
  await writeFile(
    configFile,
    `jetstream { store_dir: ${JSON.stringify(storeDir)} }\ninclude ${JSON.stringify(basename(authorizationFile))}\n`,
  );
  const child = DemoChild.start({
    label: 'nats',
    command: binary,
    args: ['-c', configFile, '-a', '127.0.0.1', '-p', '-1'],
    env: {},
    cwd: storeDir,
    onLine,
  });
  try {
    const listening = await child.waitForLine(/Listening for client connections on [^\s]+:(\d+)/, START_DEADLINE_MS);
    await child.waitForLine(/Server is ready/, START_DEADLINE_MS);
    return { child, url: `nats://127.0.0.1:${listening[1]}` };
  } catch (error) {
    await child.stop('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${child.tail()}`);
  }
}

/** True when a TCP connection to the host and port of `natsUrl` succeeds within a few seconds. */
export function natsReachable(natsUrl: string): Promise<boolean> {
  const url = new URL(natsUrl);
  const port = url.port === '' ? 4222 : Number(url.port);
  return new Promise((resolve) => {
    const socket = createConnection({ host: url.hostname, port, timeout: 5_000 });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
