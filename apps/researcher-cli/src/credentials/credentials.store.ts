import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '@fq/private-files';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli/exit-codes';

/** What `fq login` keeps: the broker and the bearer token for it. */
export const StoredCredentials = z.strictObject({
  brokerUrl: z.url({ protocol: /^https?$/ }),
  token: z.string().min(1),
  /** When the token expires, if known (the development issuer says so). */
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});
export type StoredCredentials = z.infer<typeof StoredCredentials>;

/** `$XDG_CONFIG_HOME/fq`, else `~/.config/fq`. */
export function configDirOf(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  if (xdg !== undefined && xdg.startsWith('/')) {
    return join(xdg, 'fq');
  }
  return join(env.HOME ?? homedir(), '.config', 'fq');
}

/** The credentials file inside the config dir. */
export function credentialsFileOf(env: Readonly<Record<string, string | undefined>>): string {
  return join(configDirOf(env), 'credentials.json');
}

/** The stored credentials, or null when nobody signed in; a damaged file is an error naming it. */
export async function readCredentials(file: string): Promise<StoredCredentials | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) {
      return null;
    }
    throw new CliError(ExitCode.Usage, `cannot read ${file}: ${String(error)}`, [], { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = StoredCredentials.safeParse(json);
  if (!parsed.success) {
    throw new CliError(ExitCode.Auth, `${file} is damaged; sign in again with fq login`);
  }
  return parsed.data;
}

/**
 * Writes the credentials 0600 in a 0700 directory: a temporary file created 0600 is renamed over the old one, so no
 * reader ever sees half a token and no other user ever could read it.
 */
export async function writeCredentials(file: string, credentials: StoredCredentials): Promise<void> {
  const dir = join(file, '..');
  await ensurePrivateDir(dir, { narrowExisting: true });
  const temporary = join(dir, `.credentials.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(StoredCredentials.parse(credentials), null, 2)}\n`, {
      mode: PRIVATE_FILE_MODE,
      flag: 'wx',
    });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Forgets the stored credentials; false when there were none. */
export async function removeCredentials(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if (isMissing(error)) {
      return false;
    }
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
