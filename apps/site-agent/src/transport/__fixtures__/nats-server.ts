import { type ChildProcess, spawn } from 'node:child_process';

export const NATS_SERVER_BIN = '/usr/sbin/nats-server';

/** A nats-server with JetStream that a test started for itself. */
export interface NatsServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `nats-server` with JetStream on a port the server picks (`-p -1`) and the given store directory, and resolves
 * once it accepts clients.
 */
export function startNatsServer(storeDir: string, timeoutMs = 10_000): Promise<NatsServerHandle> {
  const child = spawn(NATS_SERVER_BIN, ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', storeDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not become ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /Listening for client connections on [^\s]+:(\d+)/.exec(output)?.[1];
      if (port !== undefined && /Server is ready/.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining the pipes so the server never blocks on a full buffer.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ url: `nats://127.0.0.1:${port}`, port: Number(port), stop: () => stopProcess(child) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with code ${String(code)}:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
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
