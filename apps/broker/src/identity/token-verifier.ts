import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, type DevIssuerKey, FDPG_ROLE_NAMES } from '@fq/network-admin';
import { err, ok, type Result } from '@fq/result';
import { z } from 'zod';
import type { AuthConfig, RoleNames } from '../config/security-config.schema';
import { Caller, type CallerRole } from './caller';

/** What is wrong with a token's content: each is a 401 with `error="invalid_token"`. */
export type TokenProblemCode =
  | 'BROKER_TOKEN_INVALID'
  | 'BROKER_TOKEN_EXPIRED'
  | 'BROKER_TOKEN_NOT_YET_VALID'
  | 'BROKER_TOKEN_ISSUED_IN_FUTURE'
  | 'BROKER_TOKEN_CLAIM_INVALID'
  | 'BROKER_TOKEN_SUBJECT_INVALID';

/** Why a token was not accepted; each maps to a status in broker.errors.ts. */
export type TokenRejection =
  | { code: TokenProblemCode; message: string }
  | { code: 'BROKER_ROLE_FORBIDDEN'; message: string }
  | { code: 'BROKER_AUTH_UNAVAILABLE'; message: string; cause: unknown };

export type TokenVerdict = Result<Caller, TokenRejection>;

/** Verified tokens kept for repeat requests; past this many the memory starts over. */
const MAX_REMEMBERED_TOKENS = 10_000;

// Asymmetric signatures only: an HMAC or `none` token would let anybody who knows the JWKS forge one.
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** What we read of an OIDC discovery document. */
const DiscoveryDocument = z.looseObject({ issuer: z.string(), jwks_uri: z.url({ protocol: /^https?$/ }) });

/** Fetches a URL as JSON; tests may swap it. */
export type FetchJson = (url: string) => Promise<unknown>;

const fetchJson: FetchJson = async (url) => {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) {
    throw new Error(`GET ${url} answered ${response.status}`);
  }
  return response.json();
};

interface TrustedIssuer {
  audience: string;
  algorithms: string[];
  rolesClaim: string[];
  roleNames: RoleNames;
  keys: () => Promise<JWTVerifyGetKey>;
}

/**
 * Verifies bearer tokens (signature, issuer, audience, expiry, not-before and issue time with a small clock tolerance,
 * subject) from the configured OIDC
 * issuer and, when enabled, the broker's own development issuer, and maps them to a caller.
 */
export class TokenVerifier {
  private readonly issuers = new Map<string, TrustedIssuer>();
  /** Tokens verified before, with their caller and expiry: a client sends the same token with every request. */
  private readonly verified = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(
    private readonly config: AuthConfig,
    devKey: DevIssuerKey | null,
    private readonly now: () => Date,
    private readonly fetch: FetchJson = fetchJson,
  ) {
    if (config.oidc !== null) {
      const oidc = config.oidc;
      let keys: Promise<JWTVerifyGetKey> | null = null;
      this.issuers.set(oidc.issuer, {
        audience: oidc.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        rolesClaim: oidc.rolesClaim,
        roleNames: oidc.roleNames,
        keys: () => {
          // Discovered once; a failure is forgotten so the next request tries again.
          keys ??= this.remoteKeys(oidc.issuer, oidc.jwksUrl).catch((error: unknown) => {
            keys = null;
            throw error;
          });
          return keys;
        },
      });
    }
    if (devKey !== null) {
      const local = createLocalJWKSet({ keys: [devKey.publicJwk] });
      this.issuers.set(DEV_ISSUER, {
        audience: DEV_AUDIENCE,
        algorithms: ['EdDSA'],
        rolesClaim: ['realm_access', 'roles'],
        roleNames: FDPG_ROLE_NAMES,
        keys: () => Promise.resolve(local),
      });
    }
  }

  /** The caller a compact JWS bearer token identifies, or why it does not. */
  async verify(token: string): Promise<TokenVerdict> {
    const nowMs = this.now().getTime();
    const known = this.verified.get(token);
    if (known !== undefined && nowMs < known.expiresAtMs) {
      return ok(known.caller);
    }
    const verdict = await this.verifyOnce(token);
    if (verdict.ok) {
      this.remember(token, verdict.value, nowMs);
    }
    return verdict;
  }

  // Until the token's own expiry (no later than the clock tolerance would allow), as a fresh verification would.
  private remember(token: string, caller: Caller, nowMs: number): void {
    const exp = decodeJwt(token).exp;
    if (typeof exp !== 'number') {
      return;
    }
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) {
      this.verified.clear();
    }
    const expiresAtMs = exp * 1000 + this.config.clockToleranceSeconds * 1000;
    if (expiresAtMs > nowMs) {
      this.verified.set(token, { caller, expiresAtMs });
    }
  }

  private async verifyOnce(token: string): Promise<TokenVerdict> {
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      return invalid('the bearer token is not a JWT');
    }
    const issuer = typeof claimedIssuer === 'string' ? this.issuers.get(claimedIssuer) : undefined;
    if (issuer === undefined) {
      return invalid('the bearer token comes from an issuer this broker does not trust');
    }
    let keys: JWTVerifyGetKey;
    try {
      keys = await issuer.keys();
    } catch (error) {
      return err({ code: 'BROKER_AUTH_UNAVAILABLE', message: 'the identity provider cannot be reached', cause: error });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: typeof claimedIssuer === 'string' ? claimedIssuer : '',
        audience: issuer.audience,
        algorithms: issuer.algorithms,
        clockTolerance: this.config.clockToleranceSeconds,
        currentDate: this.now(),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      return rejectionOf(error);
    }
    // jose checks `iat` against the clock only with maxTokenAge; a token from the future is refused all the same.
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + this.config.clockToleranceSeconds) {
      return refused('BROKER_TOKEN_ISSUED_IN_FUTURE', 'the bearer token is issued in the future (iat)');
    }
    const id = Caller.shape.id.safeParse(payload.sub);
    if (!id.success) {
      return refused(
        'BROKER_TOKEN_SUBJECT_INVALID',
        'the bearer token subject (sub) is not a user id of 1-128 printable ASCII characters without spaces',
      );
    }
    const role = strongestRole(claimAt(payload, issuer.rolesClaim), issuer.roleNames);
    if (role === null) {
      return err({ code: 'BROKER_ROLE_FORBIDDEN', message: 'the token carries none of the broker’s roles' });
    }
    return ok({ id: id.data, role });
  }

  private async remoteKeys(issuer: string, jwksUrl: string | null): Promise<JWTVerifyGetKey> {
    let url = jwksUrl;
    if (url === null) {
      const discovered = DiscoveryDocument.safeParse(await this.fetch(`${issuer}/.well-known/openid-configuration`));
      if (!discovered.success || discovered.data.issuer.replace(/\/$/, '') !== issuer) {
        throw new Error(`the discovery document of ${issuer} names no jwks_uri for this issuer`);
      }
      url = discovered.data.jwks_uri;
    }
    const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000 });
    return async (header, input) => {
      try {
        return await remote(header, input);
      } catch (error) {
        // No matching key is the token's fault; a timeout, a broken JWKS or a network error is the provider's.
        if (
          error instanceof errors.JOSEError &&
          !(error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
        ) {
          throw error;
        }
        throw new KeySourceUnavailableError('the identity provider’s keys cannot be fetched', { cause: error });
      }
    };
  }
}

class KeySourceUnavailableError extends Error {
  override readonly name = 'KeySourceUnavailableError';
}

function refused(code: TokenProblemCode, message: string): TokenVerdict {
  return err({ code, message });
}

function invalid(message: string): TokenVerdict {
  return refused('BROKER_TOKEN_INVALID', message);
}

// Our own words for each failure: jose's messages quote claim values' names and may change between versions.
function rejectionOf(error: unknown): TokenVerdict {
  if (error instanceof KeySourceUnavailableError) {
    return err({ code: 'BROKER_AUTH_UNAVAILABLE', message: error.message, cause: error });
  }
  if (error instanceof errors.JWTExpired) {
    return refused('BROKER_TOKEN_EXPIRED', 'the bearer token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = /^[a-z_]{1,32}$/.test(error.claim) ? error.claim : 'a';
    if (claim === 'nbf' && error.reason === 'check_failed') {
      return refused('BROKER_TOKEN_NOT_YET_VALID', 'the bearer token is not valid yet (nbf)');
    }
    const what = { missing: 'is missing', invalid: 'has the wrong type' }[error.reason] ?? 'is not accepted';
    return refused('BROKER_TOKEN_CLAIM_INVALID', `the bearer token's ${claim} claim ${what}`);
  }
  return invalid('the bearer token is malformed or its signature does not verify');
}

function claimAt(payload: JWTPayload, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function strongestRole(claim: unknown, names: RoleNames): CallerRole | null {
  const roles = new Set(
    Array.isArray(claim) ? claim.filter((r) => typeof r === 'string') : typeof claim === 'string' ? [claim] : [],
  );
  if (roles.has(names.admin)) {
    return 'admin';
  }
  if (roles.has(names.powerUser)) {
    return 'power-user';
  }
  return roles.has(names.researcher) ? 'researcher' : null;
}
