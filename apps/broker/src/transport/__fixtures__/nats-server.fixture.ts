import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A nats-server with JetStream that belongs to one test file. */
export interface TestNatsServer {
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** Starts nats-server on a port it picks itself (-p -1) with a temporary store directory; resolves when ready. */
export function startNatsServer(): Promise<TestNatsServer> {
  const binary = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
  const storeDir = mkdtempSync(join(tmpdir(), 'fq-nats-'));
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(storeDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let log = '';
    let port: string | undefined;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`nats-server did not become ready within ${READY_TIMEOUT_MS} ms:\n${log}`));
    }, READY_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary} (install the nats-server package): ${error.message}`));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log += chunk;
      port ??= /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port !== undefined && log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve({ url: `nats://127.0.0.1:${port}`, stop });
      }
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
