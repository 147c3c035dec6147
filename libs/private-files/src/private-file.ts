import { chmod, lstat, mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Mode of a file that holds state or a secret: its owner reads and writes it, nobody else. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of a directory that holds such files. */
export const PRIVATE_DIR_MODE = 0o700;

/** A file or directory whose mode was narrowed, for the caller to log. */
export interface ModeNarrowed {
  path: string;
  /** The permission bits before and after, e.g. 0o644 → 0o600. */
  from: number;
  to: number;
}

/** What an app logs (as a warning) when it narrowed a mode: the operator should know state was open to others. */
export function describeNarrowedMode(change: ModeNarrowed): {
  message: string;
  path: string;
  from: string;
  to: string;
} {
  return {
    message: 'narrowed the mode of a state file that others could read',
    path: change.path,
    from: formatMode(change.from),
    to: formatMode(change.to),
  };
}

/**
 * Makes a state file private before the caller opens it with mode 0600: its directory is created 0700 if missing (an
 * existing one is the operator's), an existing file that group or others could read is narrowed to 0600.
 */
export async function preparePrivateFile(file: string): Promise<ModeNarrowed | null> {
  await ensurePrivateDir(dirname(file));
  return narrowToPrivate(file);
}

/** `0644`: a mode as operators read it. */
export function formatMode(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/**
 * Takes group and other bits away from an existing file or directory (0644 → 0600, 0755 → 0700); returns what changed,
 * or null when it is missing, already private or a symbolic link (never followed).
 */
export async function narrowToPrivate(path: string): Promise<ModeNarrowed | null> {
  let mode: number;
  try {
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) {
      return null;
    }
    mode = stats.mode & 0o777;
  } catch (error) {
    if (isMissing(error)) {
      return null;
    }
    throw error;
  }
  if ((mode & 0o077) === 0) {
    return null;
  }
  const to = mode & 0o700;
  try {
    await chmod(path, to);
  } catch (error) {
    // Renamed or removed since it was looked at (a temporary file): nothing left to narrow.
    if (isMissing(error)) {
      return null;
    }
    throw error;
  }
  return { path, from: mode, to };
}

/**
 * Creates `dir` and its missing parents with mode 0700. An existing `dir` is narrowed only with `narrowExisting`: a
 * directory that is merely the parent of a configured file (`/var/log`, say) is not ours to change.
 */
export async function ensurePrivateDir(
  dir: string,
  options: { narrowExisting?: boolean } = {},
): Promise<ModeNarrowed | null> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return options.narrowExisting === true ? narrowToPrivate(dir) : null;
}

/**
 * Creates `file` empty with mode 0600 if it is missing (exclusively, so a racing process cannot widen it), or narrows
 * an existing one; for files that another library opens by name, such as a SQLite database.
 */
export async function ensurePrivateFile(file: string): Promise<ModeNarrowed | null> {
  try {
    const handle = await open(file, 'wx', PRIVATE_FILE_MODE);
    await handle.close();
    return null;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST') {
      return narrowToPrivate(file);
    }
    throw error;
  }
}

/**
 * Narrows `dir` itself and everything below it (files to 0600, directories to 0700) without following links; for a
 * state directory that may hold files written by an older version or by hand.
 */
export async function narrowPrivateTree(dir: string): Promise<ModeNarrowed[]> {
  const narrowed: ModeNarrowed[] = [];
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const change = await narrowToPrivate(next);
    if (change !== null) {
      narrowed.push(change);
    }
    let entries;
    try {
      entries = await readdir(next, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) || isNotDirectory(error)) {
        continue;
      }
      throw error;
    }
    for (const entry of entries) {
      const path = join(next, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile()) {
        const fileChange = await narrowToPrivate(path);
        if (fileChange !== null) {
          narrowed.push(fileChange);
        }
      }
    }
  }
  return narrowed;
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

function isNotDirectory(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOTDIR';
}
