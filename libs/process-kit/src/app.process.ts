import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProgramNotFoundError } from './errors';
import { ManagedProcess, type SpawnSpec } from './managed.process';

/** The two apps of the network, as `npm run build` writes them to dist/. */
export type AppName = 'broker' | 'site-agent';

const DEFAULT_READY_DEADLINE_MS = 30_000;

/** A running app that printed its READY line. */
export interface AppProcess {
  readonly app: AppName;
  /** What followed `READY <app> ` on the READY line, e.g. the broker's URL. */
  readonly readyDetails: string;
  readonly process: ManagedProcess;
}

export interface StartAppOptions {
  /** The repository root, where dist/ lies (`findRepoRoot`). */
  repoRoot: string;
  app: AppName;
  /** The app's whole environment: an inherited SITE_* or BROKER_* variable would change its configuration. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Shown in messages; the app's name by default. */
  name?: string;
  /** Node options before the entry point, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  readyDeadlineMs?: number;
  /** As in `SpawnSpec`. */
  onLine?: SpawnSpec['onLine'];
  detached?: SpawnSpec['detached'];
  keptLines?: SpawnSpec['keptLines'];
  killGraceMs?: SpawnSpec['killGraceMs'];
}

/** The repository root: the nearest folder at or above `from` that holds nest-cli.json. */
export function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ProgramNotFoundError(`no nest-cli.json at or above ${from}: run this from inside the repository`);
    }
    dir = parent;
  }
  return dir;
}

/** A compiled file of an app (its `main.js` by default); throws `ProgramNotFoundError` naming the build command. */
export function appEntryPoint(repoRoot: string, app: AppName, file = 'main.js'): string {
  const entry = join(repoRoot, 'dist', 'apps', app, 'apps', app, 'src', file);
  if (!existsSync(entry)) {
    throw new ProgramNotFoundError(`${entry} is missing: build it first (npm run build)`);
  }
  return entry;
}

/** Spawns `node dist/apps/<app>/…/main.js` with exactly `env` in `cwd`, without waiting for it. */
export function spawnApp(options: StartAppOptions): ManagedProcess {
  return ManagedProcess.start({
    name: options.name ?? options.app,
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), appEntryPoint(options.repoRoot, options.app)],
    env: options.env,
    cwd: options.cwd,
    onLine: options.onLine,
    detached: options.detached,
    keptLines: options.keptLines,
    killGraceMs: options.killGraceMs,
  });
}

/** Resolves with the details of the app's `READY <app> …` line; rejects with `ProcessNotReadyError` if it exits first. */
export async function waitUntilReady(
  child: ManagedProcess,
  app: AppName,
  deadlineMs = DEFAULT_READY_DEADLINE_MS,
): Promise<string> {
  const ready = await child.waitForLine(new RegExp(`^READY ${app}(?: (.*))?$`), deadlineMs);
  return ready[1] ?? '';
}

/**
 * Spawns the app (`spawnApp`) and resolves once it is ready; on failure it is killed and the rejection carries its
 * last lines.
 */
export async function startApp(options: StartAppOptions): Promise<AppProcess> {
  const child = spawnApp(options);
  try {
    const readyDetails = await waitUntilReady(child, options.app, options.readyDeadlineMs);
    return { app: options.app, readyDetails, process: child };
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
}
