import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { readSecretFile } from '@fq/private-files';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import type { FhirAuthSource } from '../../config/fhir-source.schema';
import { SmartConfiguration, TokenResponse, clip, describeOperationOutcome, summarizeIssues } from './bulk-data.schema';
import { describeUrl, type FhirHttp } from './fhir-http';
import { FhirServerError } from './fhir-server.errors';

/** Gives the Authorization header of the next request; `invalidate` after a 401 makes the next call fetch anew. */
export interface FhirAuthorizer {
  authorization(signal?: AbortSignal): Promise<string | null>;
  invalidate(): void;
}

/** The longest a client assertion lives (SMART Backend Services: no more than five minutes). */
const ASSERTION_SECONDS = 300;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The authorizer for the configured kind; credential files are read on use, so an operator may rotate them. */
export function createFhirAuthorizer(
  auth: FhirAuthSource,
  http: FhirHttp,
  now: () => number = Date.now,
): FhirAuthorizer {
  switch (auth.kind) {
    case 'none':
      return { authorization: () => Promise.resolve(null), invalidate: () => undefined };
    case 'basic':
      return {
        authorization: () => {
          const password = readCredential(auth.passwordFile);
          return Promise.resolve(`Basic ${Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64')}`);
        },
        invalidate: () => undefined,
      };
    case 'bearer':
      return {
        authorization: () => Promise.resolve(`Bearer ${readCredential(auth.tokenFile)}`),
        invalidate: () => undefined,
      };
    case 'smart-backend':
      return new SmartBackendAuthorizer(auth, http, now);
  }
}

function readCredential(file: string): string {
  const read = readSecretFile(file);
  if (!read.ok) {
    throw new FhirServerError('FHIR_SERVER_AUTH_FAILED', read.error);
  }
  return read.value.reveal();
}

type SmartAuth = Extract<FhirAuthSource, { kind: 'smart-backend' }>;

/**
 * SMART Backend Services (the client-credentials grant with a signed JWT assertion, RFC 7523): discovers the token
 * endpoint, signs an RS384 or ES384 assertion with the site's private key and keeps the access token until shortly
 * before it expires.
 */
export class SmartBackendAuthorizer implements FhirAuthorizer {
  private token: { value: string; refreshAt: number } | null = null;
  private tokenEndpoint: string | null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly auth: SmartAuth,
    private readonly http: FhirHttp,
    private readonly now: () => number,
  ) {
    this.tokenEndpoint = auth.tokenUrl;
  }

  async authorization(signal?: AbortSignal): Promise<string> {
    if (this.token !== null && this.now() < this.token.refreshAt) {
      return `Bearer ${this.token.value}`;
    }
    // Parallel downloads that all find the token stale share one token request.
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = null;
    });
    return `Bearer ${await this.pending}`;
  }

  invalidate(): void {
    this.token = null;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const endpoint = this.tokenEndpoint ?? (await this.discoverTokenEndpoint(signal));
    this.tokenEndpoint = endpoint;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.auth.scope,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await this.signAssertion(endpoint),
    }).toString();
    const requestedAt = this.now();
    const response = await this.http.sendWithRetries(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal,
    });
    const text = await response.body.text();
    if (response.status !== 200) {
      throw new FhirServerError(
        'FHIR_SERVER_AUTH_FAILED',
        `the token endpoint ${describeUrl(endpoint)} answered HTTP ${response.status}: ${describeTokenError(text)}`,
      );
    }
    const parsed = TokenResponse.safeParse(parseJson(text));
    if (!parsed.success) {
      throw new FhirServerError(
        'FHIR_SERVER_AUTH_FAILED',
        `the token endpoint's answer is invalid: ${summarizeIssues(parsed.error.issues)}`,
      );
    }
    const lifetimeMs = (parsed.data.expires_in ?? ASSERTION_SECONDS) * 1000;
    // Renew a minute early (a fifth of the lifetime for short tokens), so no download starts with a dying token.
    this.token = {
      value: parsed.data.access_token,
      refreshAt: requestedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 5),
    };
    return parsed.data.access_token;
  }

  private async discoverTokenEndpoint(signal?: AbortSignal): Promise<string> {
    const url = `${this.http.settings.baseUrl}/.well-known/smart-configuration`;
    const response = await this.http.sendWithRetries(url, { headers: { accept: 'application/json' }, signal });
    const text = await response.body.text();
    const parsed = response.status === 200 ? SmartConfiguration.safeParse(parseJson(text)) : null;
    if (parsed === null || !parsed.success) {
      throw new FhirServerError(
        'FHIR_SERVER_AUTH_FAILED',
        `no token endpoint: ${describeUrl(url)} answered HTTP ${response.status}` +
          `${parsed === null ? '' : ` with ${summarizeIssues(parsed.error.issues)}`}; set SITE_FHIR_TOKEN_URL`,
      );
    }
    return parsed.data.token_endpoint;
  }

  private async signAssertion(audience: string): Promise<string> {
    const { key, alg, kid } = await loadSigningKey(this.auth.privateKeyFile, this.auth.keyId);
    const issuedAt = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(this.auth.clientId)
      .setSubject(this.auth.clientId)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_SECONDS)
      .setJti(randomUUID())
      .sign(key);
  }
}

/** The private key (PKCS#8/PKCS#1/SEC1 PEM or a JWK), its algorithm (RS384 or ES384) and key id (given, or its thumbprint). */
async function loadSigningKey(
  file: string,
  keyId: string | null,
): Promise<{ key: KeyObject; alg: 'RS384' | 'ES384'; kid: string }> {
  const text = readCredential(file);
  let key: KeyObject;
  try {
    key = text.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text) as Record<string, unknown> as never, format: 'jwk' })
      : createPrivateKey(text);
  } catch {
    throw new FhirServerError(
      'FHIR_SERVER_AUTH_FAILED',
      `${file} holds no private key (PEM or JWK); a SMART backend client signs with RS384 or ES384`,
    );
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  // SMART Backend Services allows RS384 and ES384 only; ES384 means the P-384 curve.
  if (type !== 'rsa' && !(type === 'ec' && curve === 'secp384r1')) {
    throw new FhirServerError(
      'FHIR_SERVER_AUTH_FAILED',
      `${file} holds a ${type ?? 'symmetric'}${curve === undefined ? '' : ` ${curve}`} key; use RSA (RS384) or EC P-384 (ES384)`,
    );
  }
  const alg = type === 'rsa' ? 'RS384' : 'ES384';
  const kid = keyId ?? (await calculateJwkThumbprint(await exportJWK(createPublicKey(key))));
  return { key, alg, kid };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The OAuth error of a token response (RFC 6749 §5.2), or the start of its body. */
function describeTokenError(text: string): string {
  const value = parseJson(text);
  if (typeof value === 'object' && value !== null && 'error' in value) {
    const { error, error_description: description } = value as { error: unknown; error_description?: unknown };
    return clip(`${String(error)}${typeof description === 'string' ? ` (${description})` : ''}`, 300);
  }
  return describeOperationOutcome(value) ?? clip(text.trim() || '(empty body)', 200);
}
