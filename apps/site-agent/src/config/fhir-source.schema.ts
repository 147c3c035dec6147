import { z } from 'zod';
import { wholeNumber } from './env-values';

/** The variables that point the agent at a FHIR server instead of files (HOUSE-STYLE §6: one place each). */
export const FHIR_SOURCE_ENV_NAMES = [
  'SITE_FHIR_BASE_URL',
  'SITE_FHIR_READ',
  'SITE_FHIR_EXPORT_LEVEL',
  'SITE_FHIR_GROUP_ID',
  'SITE_FHIR_AUTH',
  'SITE_FHIR_USERNAME',
  'SITE_FHIR_PASSWORD_FILE',
  'SITE_FHIR_TOKEN_FILE',
  'SITE_FHIR_CLIENT_ID',
  'SITE_FHIR_PRIVATE_KEY_FILE',
  'SITE_FHIR_KEY_ID',
  'SITE_FHIR_TOKEN_URL',
  'SITE_FHIR_SCOPE',
  'SITE_FHIR_CA_FILE',
  'SITE_FHIR_TIMEOUT_SECONDS',
  'SITE_FHIR_EXPORT_TIMEOUT_SECONDS',
  'SITE_FHIR_PARALLEL_DOWNLOADS',
  'SITE_FHIR_PAGE_SIZE',
  'SITE_FHIR_INCREMENTAL_SECONDS',
  'SITE_REFRESH_RETRY_SECONDS',
] as const;

export const FHIR_READ_MODES = ['bulk-export', 'search'] as const;
export const FHIR_EXPORT_LEVELS = ['system', 'patient', 'group'] as const;
export const FHIR_AUTH_KINDS = ['none', 'basic', 'bearer', 'smart-backend'] as const;

/** The Bulk Data IG's v1 scope for reading everything; v2 servers also accept it. */
export const DEFAULT_FHIR_SCOPE = 'system/*.read';

const DAY_SECONDS = 86_400;

/** An absolute http(s) URL without credentials, query or fragment; the trailing slash is dropped. */
const HttpUrl = z
  .string()
  .trim()
  .transform((raw, ctx): string => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.issues.push({ code: 'custom', input: raw, message: 'must be an absolute http:// or https:// URL' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.issues.push({ code: 'custom', input: raw, message: 'must be an http:// or https:// URL' });
      return z.NEVER;
    }
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      ctx.issues.push({
        code: 'custom',
        input: raw,
        message: 'must carry no credentials, query or fragment (credentials go in SITE_FHIR_AUTH and its files)',
      });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, '');
  });

const OptionalText = z.string().trim().min(1).optional();

/** The FHIR server part of the site agent's environment; checked together with SITE_DATA by the main schema. */
export const FhirSourceEnv = z.object({
  SITE_FHIR_BASE_URL: HttpUrl.optional(),
  SITE_FHIR_READ: z
    .enum(FHIR_READ_MODES, { error: `must be one of ${FHIR_READ_MODES.join(', ')}` })
    .default('bulk-export'),
  SITE_FHIR_EXPORT_LEVEL: z
    .enum(FHIR_EXPORT_LEVELS, { error: `must be one of ${FHIR_EXPORT_LEVELS.join(', ')}` })
    .default('system'),
  SITE_FHIR_GROUP_ID: z
    .string()
    .regex(/^[A-Za-z0-9\-.]{1,64}$/, { error: 'must be a FHIR id (letters, digits, - and ., at most 64)' })
    .optional(),
  SITE_FHIR_AUTH: z.enum(FHIR_AUTH_KINDS, { error: `must be one of ${FHIR_AUTH_KINDS.join(', ')}` }).default('none'),
  SITE_FHIR_USERNAME: OptionalText,
  SITE_FHIR_PASSWORD_FILE: OptionalText,
  SITE_FHIR_TOKEN_FILE: OptionalText,
  SITE_FHIR_CLIENT_ID: OptionalText,
  SITE_FHIR_PRIVATE_KEY_FILE: OptionalText,
  SITE_FHIR_KEY_ID: OptionalText,
  SITE_FHIR_TOKEN_URL: HttpUrl.optional(),
  SITE_FHIR_SCOPE: z.string().trim().min(1).max(1000).default(DEFAULT_FHIR_SCOPE),
  SITE_FHIR_CA_FILE: OptionalText,
  SITE_FHIR_TIMEOUT_SECONDS: wholeNumber(1, 3600, 60),
  SITE_FHIR_EXPORT_TIMEOUT_SECONDS: wholeNumber(10, 7 * DAY_SECONDS, DAY_SECONDS / 4),
  SITE_FHIR_PARALLEL_DOWNLOADS: wholeNumber(1, 32, 4),
  SITE_FHIR_PAGE_SIZE: wholeNumber(1, 10_000, 1000),
  SITE_FHIR_INCREMENTAL_SECONDS: wholeNumber(0, 30 * DAY_SECONDS, 0),
  SITE_REFRESH_RETRY_SECONDS: wholeNumber(1, DAY_SECONDS, 60),
});
export type FhirSourceEnv = z.output<typeof FhirSourceEnv>;

type Issue = { path: string; message: string };

/** Cross-field rules of the FHIR source: what each authentication and export level needs. */
export function checkFhirSourceEnv(env: FhirSourceEnv, hasDataPaths: boolean): Issue[] {
  const issues: Issue[] = [];
  const need = (name: keyof FhirSourceEnv, why: string): void => {
    if (env[name] === undefined) {
      issues.push({ path: name, message: `is required ${why}` });
    }
  };
  if (env.SITE_FHIR_BASE_URL === undefined) {
    // Neither files nor a server is the loader's check: it must be reported even when other variables are invalid.
    const stray = FHIR_SOURCE_ENV_NAMES.filter((name) => name !== 'SITE_FHIR_BASE_URL' && env[name] !== undefined);
    // Defaults fill most names; only the ones without a default show that the operator meant a FHIR server.
    for (const name of stray.filter((n) => OPTIONAL_NAMES.has(n))) {
      issues.push({ path: name, message: 'is set but SITE_FHIR_BASE_URL is not' });
    }
    return issues;
  }
  if (hasDataPaths) {
    issues.push({ path: 'SITE_DATA', message: 'and SITE_FHIR_BASE_URL are both set: choose files or a FHIR server' });
  }
  if (env.SITE_FHIR_EXPORT_LEVEL === 'group') {
    need('SITE_FHIR_GROUP_ID', 'with SITE_FHIR_EXPORT_LEVEL=group');
  }
  switch (env.SITE_FHIR_AUTH) {
    case 'none':
      break;
    case 'basic':
      need('SITE_FHIR_USERNAME', 'with SITE_FHIR_AUTH=basic');
      need('SITE_FHIR_PASSWORD_FILE', 'with SITE_FHIR_AUTH=basic (a 0600 file holding the password)');
      break;
    case 'bearer':
      need('SITE_FHIR_TOKEN_FILE', 'with SITE_FHIR_AUTH=bearer (a 0600 file holding the access token)');
      break;
    case 'smart-backend':
      need('SITE_FHIR_CLIENT_ID', 'with SITE_FHIR_AUTH=smart-backend (the client id the server registered)');
      need(
        'SITE_FHIR_PRIVATE_KEY_FILE',
        'with SITE_FHIR_AUTH=smart-backend (a 0600 file holding the RS384/ES384 private key, PKCS#8 PEM or JWK)',
      );
      break;
  }
  if (env.SITE_FHIR_INCREMENTAL_SECONDS > 0 && env.SITE_FHIR_READ === 'search') {
    issues.push({
      path: 'SITE_FHIR_INCREMENTAL_SECONDS',
      message: 'needs SITE_FHIR_READ=bulk-export: incremental refreshes use $export with _since',
    });
  }
  return issues;
}

const OPTIONAL_NAMES: ReadonlySet<string> = new Set([
  'SITE_FHIR_GROUP_ID',
  'SITE_FHIR_USERNAME',
  'SITE_FHIR_PASSWORD_FILE',
  'SITE_FHIR_TOKEN_FILE',
  'SITE_FHIR_CLIENT_ID',
  'SITE_FHIR_PRIVATE_KEY_FILE',
  'SITE_FHIR_KEY_ID',
  'SITE_FHIR_TOKEN_URL',
  'SITE_FHIR_CA_FILE',
]);

/** Where a FHIR server's credentials come from (files, read by the config loader); never the secrets themselves. */
export type FhirAuthSource =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; passwordFile: string }
  | { kind: 'bearer'; tokenFile: string }
  | {
      kind: 'smart-backend';
      clientId: string;
      privateKeyFile: string;
      keyId: string | null;
      tokenUrl: string | null;
      scope: string;
    };

/** A FHIR server as the site's data source (null in the configuration: files). */
export interface FhirSourceSettings {
  baseUrl: string;
  read: (typeof FHIR_READ_MODES)[number];
  exportLevel: (typeof FHIR_EXPORT_LEVELS)[number];
  groupId: string | null;
  auth: FhirAuthSource;
  caFile: string | null;
  /** Idle limit of one request (headers and between body chunks). */
  requestTimeoutSeconds: number;
  /** Limit of one whole export, kick-off to the last file. */
  exportTimeoutSeconds: number;
  parallelDownloads: number;
  pageSize: number;
  /** 0: no incremental refreshes; otherwise `$export?_since=` the last export's transactionTime this often. */
  incrementalSeconds: number;
}

/** The settings of a FHIR source from its parsed variables, or null when the site reads files. */
export function toFhirSourceSettings(env: FhirSourceEnv): FhirSourceSettings | null {
  if (env.SITE_FHIR_BASE_URL === undefined) {
    return null;
  }
  return {
    baseUrl: env.SITE_FHIR_BASE_URL,
    read: env.SITE_FHIR_READ,
    exportLevel: env.SITE_FHIR_EXPORT_LEVEL,
    groupId: env.SITE_FHIR_GROUP_ID ?? null,
    auth: toAuthSource(env),
    caFile: env.SITE_FHIR_CA_FILE ?? null,
    requestTimeoutSeconds: env.SITE_FHIR_TIMEOUT_SECONDS,
    exportTimeoutSeconds: env.SITE_FHIR_EXPORT_TIMEOUT_SECONDS,
    parallelDownloads: env.SITE_FHIR_PARALLEL_DOWNLOADS,
    pageSize: env.SITE_FHIR_PAGE_SIZE,
    incrementalSeconds: env.SITE_FHIR_INCREMENTAL_SECONDS,
  };
}

function toAuthSource(env: FhirSourceEnv): FhirAuthSource {
  // checkFhirSourceEnv ran before: the fields each kind needs are present.
  switch (env.SITE_FHIR_AUTH) {
    case 'none':
      return { kind: 'none' };
    case 'basic':
      return { kind: 'basic', username: env.SITE_FHIR_USERNAME ?? '', passwordFile: env.SITE_FHIR_PASSWORD_FILE ?? '' };
    case 'bearer':
      return { kind: 'bearer', tokenFile: env.SITE_FHIR_TOKEN_FILE ?? '' };
    case 'smart-backend':
      return {
        kind: 'smart-backend',
        clientId: env.SITE_FHIR_CLIENT_ID ?? '',
        privateKeyFile: env.SITE_FHIR_PRIVATE_KEY_FILE ?? '',
        keyId: env.SITE_FHIR_KEY_ID ?? null,
        tokenUrl: env.SITE_FHIR_TOKEN_URL ?? null,
        scope: env.SITE_FHIR_SCOPE,
      };
  }
}
