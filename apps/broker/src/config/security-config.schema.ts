import { DEFAULT_MAX_CRITERIA, MAX_CRITERIA_LIMIT } from '@fq/contracts';
import { z } from 'zod';
import { Flag, integer } from './env-values';

const WEEK_SECONDS = 7 * 24 * 60 * 60;

const HttpUrl = (name: string) =>
  z
    .url({ protocol: /^https?$/, error: `${name} must be an http:// or https:// URL` })
    .transform((url) => url.replace(/\/$/, ''));

/** `https://portal.example.org,http://localhost:4200`: exact origins, no paths, no wildcard. */
const OriginList = z.string().transform((text, ctx): string[] => {
  const origins: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      origin = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry ? url.origin : null;
    } catch {
      origin = null;
    }
    if (origin === null) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin such as https://portal.example.org` });
    } else {
      origins.push(origin);
    }
  }
  return origins;
});

/** The environment of authentication, quotas and request limits; merged into BrokerEnv. */
export const SecurityEnv = z.object({
  BROKER_AUTH_ISSUER: HttpUrl('BROKER_AUTH_ISSUER').optional(),
  BROKER_AUTH_JWKS_URL: HttpUrl('BROKER_AUTH_JWKS_URL').optional(),
  BROKER_AUTH_AUDIENCE: z.string().min(1).max(512).optional(),
  BROKER_AUTH_ROLES_CLAIM: z
    .string()
    .regex(/^[^.\s]+(\.[^.\s]+)*$/, { error: 'BROKER_AUTH_ROLES_CLAIM must be a dot path such as realm_access.roles' })
    .default('realm_access.roles'),
  BROKER_AUTH_ROLE_RESEARCHER: z.string().min(1).default('FeasibilityUser'),
  BROKER_AUTH_ROLE_POWER_USER: z.string().min(1).default('FeasibilityPowerUser'),
  BROKER_AUTH_ROLE_ADMIN: z.string().min(1).default('FeasibilityAdmin'),
  BROKER_AUTH_CLOCK_TOLERANCE_SECONDS: integer('BROKER_AUTH_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
  BROKER_DEV_ISSUER: Flag,
  BROKER_DEV_ISSUER_KEY_FILE: z.string().min(1).default('.broker/dev-issuer.jwk'),
  BROKER_DEV_IDENTITY: z
    .undefined({
      error: 'BROKER_DEV_IDENTITY is gone: set BROKER_DEV_ISSUER=true and mint a bearer token with `broker token`',
    })
    .optional(),
  BROKER_QUOTA_SOFT_AMOUNT: integer('BROKER_QUOTA_SOFT_AMOUNT', 3, 0, 1_000_000),
  BROKER_QUOTA_SOFT_INTERVAL_SECONDS: integer('BROKER_QUOTA_SOFT_INTERVAL_SECONDS', 60, 1, WEEK_SECONDS),
  BROKER_QUOTA_HARD_AMOUNT: integer('BROKER_QUOTA_HARD_AMOUNT', 50, 0, 1_000_000),
  BROKER_QUOTA_HARD_INTERVAL_SECONDS: integer('BROKER_QUOTA_HARD_INTERVAL_SECONDS', WEEK_SECONDS, 1, 366 * 86_400),
  BROKER_QUOTA_POLL_INTERVAL_SECONDS: integer('BROKER_QUOTA_POLL_INTERVAL_SECONDS', 10, 0, 3_600),
  BROKER_MAX_CRITERIA: integer('BROKER_MAX_CRITERIA', DEFAULT_MAX_CRITERIA, 1, MAX_CRITERIA_LIMIT),
  BROKER_MAX_NESTING_DEPTH: integer('BROKER_MAX_NESTING_DEPTH', 32, 8, 1_000),
  BROKER_MAX_STRING_LENGTH: integer('BROKER_MAX_STRING_LENGTH', 2_048, 16, 262_144),
  BROKER_CORS_ORIGINS: OriginList.default([]),
});
export type SecurityEnv = z.output<typeof SecurityEnv>;

/** The role names an identity provider puts into its tokens for our three roles. */
export const RoleNames = z.strictObject({ researcher: z.string(), powerUser: z.string(), admin: z.string() });
export type RoleNames = z.infer<typeof RoleNames>;

/** Which tokens the broker accepts: an OIDC provider's, its own development issuer's, or both. */
export interface AuthConfig {
  oidc: {
    issuer: string;
    /** null: read `jwks_uri` from the issuer's discovery document. */
    jwksUrl: string | null;
    audience: string;
    rolesClaim: string[];
    roleNames: RoleNames;
  } | null;
  devIssuer: { keyFile: string } | null;
  clockToleranceSeconds: number;
}

/** Submission quotas and the result polling limit (FDPG semantics); an amount or interval of 0 switches it off. */
export interface QuotaConfig {
  soft: { amount: number; intervalSeconds: number };
  hard: { amount: number; intervalSeconds: number };
  pollIntervalSeconds: number;
}

/** How large a query may be beyond the body size limit. */
export interface RequestLimits {
  maxCriteria: number;
  maxNestingDepth: number;
  maxStringLength: number;
}

/**
 * The typed security part of the broker configuration. Adds an issue for what no single variable shows: the broker
 * needs somebody to issue tokens, and an OIDC issuer needs an audience.
 */
export function toSecurityConfig(
  env: SecurityEnv,
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): {
  auth: AuthConfig;
  quotas: QuotaConfig;
  requestLimits: RequestLimits;
  corsOrigins: string[];
} {
  if (env.BROKER_AUTH_ISSUER === undefined && !env.BROKER_DEV_ISSUER) {
    ctx.addIssue({
      code: 'custom',
      path: ['BROKER_AUTH_ISSUER'],
      message:
        'no identity provider: set BROKER_AUTH_ISSUER and BROKER_AUTH_AUDIENCE (OIDC), or BROKER_DEV_ISSUER=true (development only)',
    });
  }
  if (env.BROKER_AUTH_ISSUER !== undefined && env.BROKER_AUTH_AUDIENCE === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['BROKER_AUTH_AUDIENCE'],
      message:
        'BROKER_AUTH_AUDIENCE is required with BROKER_AUTH_ISSUER: the audience (client id) tokens are issued for',
    });
  }
  if (env.BROKER_AUTH_ISSUER === undefined && env.BROKER_AUTH_JWKS_URL !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['BROKER_AUTH_JWKS_URL'],
      message: 'BROKER_AUTH_JWKS_URL needs BROKER_AUTH_ISSUER',
    });
  }
  return {
    auth: {
      oidc:
        env.BROKER_AUTH_ISSUER === undefined
          ? null
          : {
              issuer: env.BROKER_AUTH_ISSUER,
              jwksUrl: env.BROKER_AUTH_JWKS_URL ?? null,
              audience: env.BROKER_AUTH_AUDIENCE ?? '',
              rolesClaim: env.BROKER_AUTH_ROLES_CLAIM.split('.'),
              roleNames: {
                researcher: env.BROKER_AUTH_ROLE_RESEARCHER,
                powerUser: env.BROKER_AUTH_ROLE_POWER_USER,
                admin: env.BROKER_AUTH_ROLE_ADMIN,
              },
            },
      devIssuer: env.BROKER_DEV_ISSUER ? { keyFile: env.BROKER_DEV_ISSUER_KEY_FILE } : null,
      clockToleranceSeconds: env.BROKER_AUTH_CLOCK_TOLERANCE_SECONDS,
    },
    quotas: {
      soft: { amount: env.BROKER_QUOTA_SOFT_AMOUNT, intervalSeconds: env.BROKER_QUOTA_SOFT_INTERVAL_SECONDS },
      hard: { amount: env.BROKER_QUOTA_HARD_AMOUNT, intervalSeconds: env.BROKER_QUOTA_HARD_INTERVAL_SECONDS },
      pollIntervalSeconds: env.BROKER_QUOTA_POLL_INTERVAL_SECONDS,
    },
    requestLimits: {
      maxCriteria: env.BROKER_MAX_CRITERIA,
      maxNestingDepth: env.BROKER_MAX_NESTING_DEPTH,
      maxStringLength: env.BROKER_MAX_STRING_LENGTH,
    },
    corsOrigins: env.BROKER_CORS_ORIGINS,
  };
}
