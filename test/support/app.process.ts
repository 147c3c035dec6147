import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ManagedProcess, type ProcessExit } from './managed.process';

/** The two apps of the network, as built by `npm run build`. */
export type AppName = 'broker' | 'site-agent';

const REPO_ROOT = resolve(__dirname, '..', '..');
const READY_DEADLINE_MS = 30_000;

/** A running app process that printed its READY line. */
export interface AppHandle {
  readonly app: AppName;
  readonly pid: number | undefined;
  /** What followed `READY <app> ` on the READY line. */
  readonly readyDetails: string;
  /** Sends a signal and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<ProcessExit>;
  readonly exited: Promise<ProcessExit>;
  readonly running: boolean;
  output(): string;
  tail(count?: number): string;
}

/** The compiled entry point of an app; fails with the build command when it is missing. */
export function appEntryPoint(app: AppName): string {
  const entry = join(REPO_ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` (or \`npx nest build ${app}\`) first`);
  }
  return entry;
}

/**
 * Spawns `node dist/apps/<app>/apps/<app>/src/main.js` with exactly `env` (plus PATH) in `cwd`, and resolves once it
 * prints `READY <app> …`; rejects with its output if it exits first or the deadline passes.
 */
export async function startApp(
  app: AppName,
  env: Record<string, string>,
  options: { cwd: string; name?: string; readyDeadlineMs?: number },
): Promise<AppHandle> {
  const child = ManagedProcess.start({
    name: options.name ?? app,
    command: process.execPath,
    args: [appEntryPoint(app)],
    // Only what the test chose: an inherited SITE_* or BROKER_* variable would change the app's configuration.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'test', ...env },
    cwd: options.cwd,
  });
  try {
    const ready = await child.waitForLine(
      new RegExp(`^READY ${app}(?: (.*))?$`),
      options.readyDeadlineMs ?? READY_DEADLINE_MS,
    );
    return {
      app,
      pid: child.pid,
      readyDetails: ready[1] ?? '',
      kill: (signal: NodeJS.Signals = 'SIGTERM') => child.stop(signal),
      exited: child.exited,
      get running() {
        return child.running;
      },
      output: () => child.output(),
      tail: (count?: number) => child.tail(count),
    };
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
}
