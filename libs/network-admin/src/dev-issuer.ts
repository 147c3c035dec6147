import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserId, UserRole } from '@fq/contracts';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type KeyLike, SignJWT } from 'jose';
import { z } from 'zod';
import { DevIssuerKeyError } from './errors';

// The broker loads this key when BROKER_DEV_ISSUER is on; its CLI, the end-to-end harness, the demo and the network
// benchmark mint with it.

/** The fixed issuer and audience of tokens the development issuer mints. */
export const DEV_ISSUER = 'urn:fq:broker:dev-issuer';
export const DEV_AUDIENCE = 'fq-broker';

/** The FDPG backend's role names (KEYCLOAK_ALLOWED_ROLE, …_POWER_ROLE, …_ADMIN_ROLE); its tokens carry them. */
export const FDPG_ROLE_NAMES: Readonly<Record<'researcher' | 'powerUser' | 'admin', string>> = {
  researcher: 'FeasibilityUser',
  powerUser: 'FeasibilityPowerUser',
  admin: 'FeasibilityAdmin',
};

/** The development issuer's key file: one Ed25519 private key as a JWK. */
const DevIssuerKeyFile = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal('EdDSA'),
});

/** The public half of the development issuer's key, as its JWKS endpoint serves it. */
export const DevIssuerPublicJwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});
export type DevIssuerPublicJwk = z.infer<typeof DevIssuerPublicJwk>;

/** The development issuer's signing key, loaded. */
export interface DevIssuerKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: DevIssuerPublicJwk;
}

/** Reads the development issuer's key from `file`, creating it (mode 0600, directory included) when missing. */
export async function loadOrCreateDevIssuerKey(file: string): Promise<DevIssuerKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!isMissing(error)) {
      throw new DevIssuerKeyError(`cannot read the development issuer key ${file}`, { cause: error });
    }
    text = await createKeyFile(file);
  }
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new DevIssuerKeyError(
      `the development issuer key ${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DevIssuerKeyError(`the development issuer key ${file} is not JSON`, { cause: error });
  }
  const parsed = DevIssuerKeyFile.safeParse(json);
  if (!parsed.success) {
    throw new DevIssuerKeyError(`the development issuer key ${file} is not an Ed25519 private JWK with kid`);
  }
  const { d: _private, ...publicPart } = parsed.data;
  const privateKey = await importJWK(parsed.data, 'EdDSA');
  if (privateKey instanceof Uint8Array) {
    throw new DevIssuerKeyError(`the development issuer key ${file} is not an asymmetric key`);
  }
  return { kid: parsed.data.kid, privateKey, publicJwk: { ...publicPart, use: 'sig' } };
}

async function createKeyFile(file: string): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
  const text = `${JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d, kid, alg: 'EdDSA' })}\n`;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // `wx`: when two processes create it at once, the second reads the first one's key.
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return text;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST') {
      return readFile(file, 'utf8');
    }
    throw new DevIssuerKeyError(`cannot create the development issuer key ${file}`, { cause: error });
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/** What a development token says: who, in which role, for how long. */
export const DevTokenRequest = z.strictObject({
  user: UserId,
  role: UserRole,
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400),
});
export type DevTokenRequest = z.infer<typeof DevTokenRequest>;

/**
 * Mints a bearer token of the development issuer: `iss` urn:fq:broker:dev-issuer, `aud` fq-broker, `sub` the user,
 * the role under `realm_access.roles` with the FDPG role names, as Keycloak would put it.
 */
export async function mintDevToken(
  key: DevIssuerKey,
  request: DevTokenRequest,
  now: Date = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    realm_access: { roles: [FDPG_ROLE_NAMES[request.role === 'power-user' ? 'powerUser' : request.role]] },
    preferred_username: request.user,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(request.user)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + request.ttlSeconds)
    .sign(key.privateKey);
}

/** Loads (or creates) the key in `keyFile` and mints one token; the CLI and the test harnesses call this. */
export async function mintDevTokenWithKeyFile(
  keyFile: string,
  request: DevTokenRequest,
  now: Date = new Date(),
): Promise<string> {
  return mintDevToken(await loadOrCreateDevIssuerKey(keyFile), DevTokenRequest.parse(request), now);
}

/** Reads a duration such as `90s`, `15m`, `8h`, `2d` (or plain seconds) into seconds; null if malformed. */
export function parseTtl(text: string): number | null {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (match === null) {
    return null;
  }
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * factor;
}
