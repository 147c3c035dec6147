import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSiteSecret, encodeSiteSecret, generateSiteSecret } from '@fq/privacy';
import { type Err, err, ok, type Result } from '@fq/result';

/** File name of the persisted site secret inside the state directory. */
export const SITE_SECRET_FILE = 'site-secret';

/** The stored site secret is unreadable or invalid; the agent refuses to start rather than draw new noise. */
export class SiteSecretError extends Error {
  override readonly name = 'SiteSecretError';
  readonly code = 'SITE_SECRET_INVALID';
}

export type SiteSecretResult = Result<{ secret: Uint8Array; created: boolean; file: string }, SiteSecretError>;

/**
 * Reads the site secret from `<stateDir>/site-secret`, creating it (owner-readable only) on first start. An existing
 * but invalid file is an error and is never overwritten: a new secret would change every answer the site gave.
 */
export async function loadOrCreateSiteSecret(stateDir: string): Promise<SiteSecretResult> {
  const file = join(stateDir, SITE_SECRET_FILE);
  const existing = await readSecretFile(file);
  if (existing !== undefined) {
    return existing;
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const secret = generateSiteSecret();
  let handle;
  try {
    // 'wx': never replace a secret that another process wrote a moment ago.
    handle = await open(file, 'wx', 0o600);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      return (await readSecretFile(file)) ?? fail(`${file} vanished while it was being read`);
    }
    return fail(`cannot create ${file}: ${describeFsError(cause)}`, cause);
  }
  try {
    await handle.writeFile(`${encodeSiteSecret(secret)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return ok({ secret, created: true, file });
}

async function readSecretFile(file: string): Promise<SiteSecretResult | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    return fail(`cannot read ${file}: ${describeFsError(cause)}`, cause);
  }
  const decoded = decodeSiteSecret(text);
  if (!decoded.ok) {
    return fail(`${file} does not hold a valid site secret (${decoded.error.message}); restore it from backup`);
  }
  return ok({ secret: decoded.value, created: false, file });
}

function fail(message: string, cause?: unknown): Err<SiteSecretError> {
  return err(new SiteSecretError(message, { cause }));
}

function describeFsError(cause: unknown): string {
  return (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
}
