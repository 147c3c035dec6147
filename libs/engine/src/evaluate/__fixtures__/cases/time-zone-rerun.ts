import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The zone furthest east of UTC (+14:00): a date read through local time shifts by a day here. */
export const SECOND_TIME_ZONE = 'Pacific/Kiritimati';

const REPO_ROOT = path.resolve(__dirname, '../../../../../..');

/** Whether this process already runs in `timeZone` (then it is the re-run, or the caller chose that zone). */
export function runsInTimeZone(timeZone: string): boolean {
  return Intl.DateTimeFormat().resolvedOptions().timeZone === timeZone;
}

/**
 * Runs one spec file again in a fresh jest process with `TZ=timeZone`; jest sandboxes `process.env`,
 * so changing TZ inside a running test would not reach the date functions.
 */
export function rerunSpecInTimeZone(specFile: string, timeZone: string): { status: number | null; output: string } {
  // A child process needs the parent's environment (PATH, HOME); only TZ differs. This is test code, not a library.
  // eslint-disable-next-line no-restricted-properties
  const { JEST_WORKER_ID: _worker, ...inherited } = process.env;
  const run = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--runInBand', '--ci', '--runTestsByPath', specFile],
    { cwd: REPO_ROOT, env: { ...inherited, TZ: timeZone }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}
