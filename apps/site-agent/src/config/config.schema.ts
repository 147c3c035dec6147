import { availableParallelism } from 'node:os';
import { delimiter } from 'node:path';
import {
  DEFAULT_MAX_CRITERIA,
  EnvelopePublicKey,
  type EnvelopeSigner,
  MAX_CRITERIA_LIMIT,
  SiteId,
} from '@fq/contracts';
import type { SecretText } from '@fq/private-files';
import {
  DEFAULT_BUDGET_POLICY,
  DEFAULT_PROTECTION_POLICY,
  Epsilon,
  MAX_BUDGET_COHORTS,
  MAX_BUDGET_WINDOW_DAYS,
  MAX_ROUNDING,
  type BudgetPolicy,
  type ProtectionPolicy,
} from '@fq/privacy';
import { LOG_FORMATS } from '@fq/logging';
import { z } from 'zod';
import { show, wholeNumber } from './env-values';
import { checkFhirSourceEnv, FHIR_SOURCE_ENV_NAMES, FhirSourceEnv, toFhirSourceSettings } from './fhir-source.schema';

/** Every environment variable the site agent reads; anything else with the SITE_ prefix is reported as unknown. */
export const SITE_AGENT_ENV_NAMES = [
  'NATS_URL',
  'SITE_ID',
  'SITE_DATA',
  'SITE_STATE_DIR',
  'SITE_AUDIT_LOG',
  'SITE_MAPPING_FILE',
  'SITE_CONCEPT_TREE_FILES',
  'SITE_UPSTREAM_COMPATIBLE',
  'SITE_DATA_VERSION',
  'SITE_INGEST_WORKERS',
  'SITE_INDEX_SNAPSHOT',
  'SITE_RELOAD_INTERVAL_SECONDS',
  'SITE_HEARTBEAT_SECONDS',
  'SITE_ALLOWED_CONTEXTS',
  'SITE_ALLOWED_CODE_SYSTEMS',
  'SITE_MAX_CRITERIA',
  'SITE_RATE_LIMIT',
  'SITE_RATE_INTERVAL_SECONDS',
  'SITE_APPROVAL',
  'SITE_PRIVACY_MECHANISM',
  'SITE_PRIVACY_EPSILON',
  'SITE_PRIVACY_ROUNDING',
  'SITE_PRIVACY_THRESHOLD',
  'SITE_PRIVACY_BUDGET_COHORTS',
  'SITE_PRIVACY_BUDGET_WINDOW_DAYS',
  'SITE_EVALUATION_DATE',
  'SITE_SIGNING_KEY',
  'SITE_SIGNING_KEY_FILE',
  'SITE_BROKER_PUBLIC_KEY',
  'SITE_NATS_NKEY',
  'SITE_NATS_NKEY_FILE',
  'SITE_NATS_TLS_CA_FILE',
  'SITE_NATS_TLS_CERT_FILE',
  'SITE_NATS_TLS_KEY_FILE',
  'SITE_LOG_LEVEL',
  'SITE_LOG_FORMAT',
  ...FHIR_SOURCE_ENV_NAMES,
] as const;
export type SiteAgentEnvName = (typeof SITE_AGENT_ENV_NAMES)[number];

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** How much the agent logs, least first; each level includes the ones before it. */
export const SITE_LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
const DAY_SECONDS = 86_400;

function flag(fallback: boolean) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): boolean => {
      if (raw === undefined) {
        return fallback;
      }
      const text = raw.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(text)) {
        return true;
      }
      if (['false', '0', 'no'].includes(text)) {
        return false;
      }
      ctx.issues.push({ code: 'custom', input: raw, message: `must be true or false, got ${show(raw)}` });
      return z.NEVER;
    });
}

/** Paths separated by the OS path delimiter (':' on Linux), empty entries ignored. */
function pathList() {
  return z
    .string()
    .optional()
    .transform((raw): string[] =>
      (raw ?? '')
        .split(delimiter)
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    );
}

/** A comma list; unset means "no restriction" (null). */
function allowList(what: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string[] | null => {
      if (raw === undefined) {
        return null;
      }
      const items = [
        ...new Set(
          raw
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0),
        ),
      ];
      if (items.length === 0) {
        ctx.issues.push({ code: 'custom', input: raw, message: `must list at least one ${what}, separated by commas` });
        return z.NEVER;
      }
      return items;
    });
}

const NATS_SERVER_URL = /^(nats|tls|ws|wss):\/\/[^\s,/]+\/?$/;

const NatsUrl = z
  .string()
  .optional()
  .transform((raw, ctx): string => {
    if (raw === undefined) {
      return DEFAULT_NATS_URL;
    }
    const servers = raw.split(',').map((s) => s.trim());
    if (servers.some((server) => !NATS_SERVER_URL.test(server))) {
      ctx.issues.push({
        code: 'custom',
        input: raw,
        message: 'must be one or more nats://, tls://, ws:// or wss:// URLs separated by commas',
      });
      return z.NEVER;
    }
    return servers.join(',');
  });

const OptionalPath = z.string().trim().min(1).optional();

/**
 * The site agent's environment (HOUSE-STYLE §6), parsed into its configuration. Relative paths stay relative here;
 * the loader resolves them against the working directory.
 */
export const SiteAgentEnv = z
  .object({
    NATS_URL: NatsUrl,
    SITE_ID: z.string({ error: 'is required (the site id the broker registered, e.g. site-a)' }).pipe(SiteId),
    SITE_DATA: pathList(),
    SITE_STATE_DIR: OptionalPath,
    SITE_AUDIT_LOG: OptionalPath,
    SITE_MAPPING_FILE: OptionalPath,
    SITE_CONCEPT_TREE_FILES: pathList(),
    SITE_UPSTREAM_COMPATIBLE: flag(false),
    SITE_DATA_VERSION: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, { error: 'must be 1-128 printable ASCII characters without spaces' })
      .optional(),
    SITE_INGEST_WORKERS: wholeNumber(0, 256, availableParallelism()),
    SITE_INDEX_SNAPSHOT: flag(true),
    SITE_RELOAD_INTERVAL_SECONDS: wholeNumber(0, 30 * DAY_SECONDS, 0),
    SITE_HEARTBEAT_SECONDS: wholeNumber(1, 3600, 10),
    SITE_ALLOWED_CONTEXTS: allowList('context code (e.g. Diagnose,Laboruntersuchung)'),
    SITE_ALLOWED_CODE_SYSTEMS: allowList('code system URL'),
    SITE_MAX_CRITERIA: wholeNumber(1, MAX_CRITERIA_LIMIT, DEFAULT_MAX_CRITERIA),
    SITE_RATE_LIMIT: wholeNumber(1, 1_000_000, 999),
    SITE_RATE_INTERVAL_SECONDS: wholeNumber(1, 7 * DAY_SECONDS, 3600),
    SITE_APPROVAL: z.enum(['auto', 'manual'], { error: 'must be auto or manual' }).default('auto'),
    SITE_PRIVACY_MECHANISM: z
      .enum(['discrete-laplace', 'mii-laplace'], { error: 'must be discrete-laplace or mii-laplace' })
      .default(DEFAULT_PROTECTION_POLICY.mechanism),
    SITE_PRIVACY_EPSILON: Epsilon.default(DEFAULT_PROTECTION_POLICY.epsilon),
    SITE_PRIVACY_ROUNDING: wholeNumber(1, MAX_ROUNDING, DEFAULT_PROTECTION_POLICY.rounding),
    SITE_PRIVACY_THRESHOLD: wholeNumber(0, 1_000_000, DEFAULT_PROTECTION_POLICY.threshold),
    // No 0 for "off": every site keeps a budget (DESIGN.md, invariant 2); a trusted test network sets a large one.
    SITE_PRIVACY_BUDGET_COHORTS: wholeNumber(1, MAX_BUDGET_COHORTS, DEFAULT_BUDGET_POLICY.cohorts),
    SITE_PRIVACY_BUDGET_WINDOW_DAYS: wholeNumber(1, MAX_BUDGET_WINDOW_DAYS, DEFAULT_BUDGET_POLICY.windowDays),
    SITE_EVALUATION_DATE: z.iso.date({ error: 'must be a calendar date YYYY-MM-DD' }).optional(),
    // Secrets: only their presence is validated here; the loader reads them and never echoes them.
    SITE_SIGNING_KEY: z.string().optional(),
    SITE_SIGNING_KEY_FILE: OptionalPath,
    SITE_BROKER_PUBLIC_KEY: z
      .string({ error: "is required: the broker's envelope public key (A…), as `broker sites add` printed it" })
      .trim()
      .pipe(EnvelopePublicKey),
    SITE_NATS_NKEY: z.string().optional(),
    SITE_NATS_NKEY_FILE: OptionalPath,
    SITE_NATS_TLS_CA_FILE: OptionalPath,
    SITE_NATS_TLS_CERT_FILE: OptionalPath,
    SITE_NATS_TLS_KEY_FILE: OptionalPath,
    SITE_LOG_LEVEL: z.enum(SITE_LOG_LEVELS, { error: `must be one of ${SITE_LOG_LEVELS.join(', ')}` }).default('log'),
    SITE_LOG_FORMAT: z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).default('json'),
    ...FhirSourceEnv.shape,
  })
  .superRefine((env, ctx) => {
    for (const issue of checkFhirSourceEnv(env, env.SITE_DATA.length > 0)) {
      ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    }
    if ((env.SITE_SIGNING_KEY === undefined) === (env.SITE_SIGNING_KEY_FILE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SITE_SIGNING_KEY_FILE'],
        message: 'or SITE_SIGNING_KEY: exactly one is required (the site envelope signing seed, SA…)',
      });
    }
    if (env.SITE_NATS_NKEY !== undefined && env.SITE_NATS_NKEY_FILE !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['SITE_NATS_NKEY_FILE'], message: 'and SITE_NATS_NKEY are both set' });
    }
    if ((env.SITE_NATS_TLS_CERT_FILE === undefined) !== (env.SITE_NATS_TLS_KEY_FILE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SITE_NATS_TLS_CERT_FILE'],
        message: 'and SITE_NATS_TLS_KEY_FILE go together (a client certificate and its key)',
      });
    }
  })
  .transform((env) => {
    const stateDir = env.SITE_STATE_DIR ?? `.site-state/${env.SITE_ID}`;
    const protection: ProtectionPolicy = {
      mechanism: env.SITE_PRIVACY_MECHANISM,
      epsilon: env.SITE_PRIVACY_EPSILON,
      rounding: env.SITE_PRIVACY_ROUNDING,
      threshold: env.SITE_PRIVACY_THRESHOLD,
    };
    const privacyBudget: BudgetPolicy = {
      cohorts: env.SITE_PRIVACY_BUDGET_COHORTS,
      windowDays: env.SITE_PRIVACY_BUDGET_WINDOW_DAYS,
    };
    return {
      natsUrl: env.NATS_URL,
      siteId: env.SITE_ID,
      dataPaths: env.SITE_DATA,
      /** null: the site reads the files in `dataPaths`; otherwise it exports from this FHIR server. */
      fhirSource: toFhirSourceSettings(env),
      stateDir,
      auditLogFile: env.SITE_AUDIT_LOG ?? `${stateDir}/audit.jsonl`,
      mappingFile: env.SITE_MAPPING_FILE ?? null,
      conceptTreeFiles: env.SITE_CONCEPT_TREE_FILES,
      upstreamCompatible: env.SITE_UPSTREAM_COMPATIBLE,
      /** null: derived from the data files' paths, sizes and modification times. */
      dataVersionOverride: env.SITE_DATA_VERSION ?? null,
      /** Worker threads that parse the data (default: the cores available); 0 parses on the main thread. */
      ingestWorkers: env.SITE_INGEST_WORKERS,
      /** Save the built index in the state directory and start from it when the data are the same. */
      indexSnapshot: env.SITE_INDEX_SNAPSHOT,
      /** 0: no scheduled full reloads. */
      reloadIntervalSeconds: env.SITE_RELOAD_INTERVAL_SECONDS,
      /** The first wait after a failed scheduled refresh; it doubles per failure, up to an hour. */
      refreshRetrySeconds: env.SITE_REFRESH_RETRY_SECONDS,
      heartbeatSeconds: env.SITE_HEARTBEAT_SECONDS,
      policy: {
        /** null: every context is allowed. */
        allowedContexts: env.SITE_ALLOWED_CONTEXTS,
        /** null: every code system is allowed. */
        allowedCodeSystems: env.SITE_ALLOWED_CODE_SYSTEMS,
        maxCriteria: env.SITE_MAX_CRITERIA,
        rateLimit: env.SITE_RATE_LIMIT,
        rateIntervalSeconds: env.SITE_RATE_INTERVAL_SECONDS,
        approval: env.SITE_APPROVAL,
      },
      protection,
      /** Distinct new cohorts per researcher pseudonym and rolling window; the same for every role. */
      privacyBudget,
      /** null: today's date in UTC, per query. */
      evaluationDate: env.SITE_EVALUATION_DATE ?? null,
      /** `log` leaves out the per-query lines (`debug`); the audit log records every query at any level. */
      logLevel: env.SITE_LOG_LEVEL,
      /** `json`: one JSON object per line (production); `text`: one readable line per entry (a terminal, the demo). */
      logFormat: env.SITE_LOG_FORMAT,
      /** Where the secrets come from; the loader turns this into `security`. */
      keySources: {
        signingKey: env.SITE_SIGNING_KEY_FILE ?? null,
        signingKeyValue: env.SITE_SIGNING_KEY ?? null,
        natsNkey: env.SITE_NATS_NKEY_FILE ?? null,
        natsNkeyValue: env.SITE_NATS_NKEY ?? null,
        brokerPublicKey: env.SITE_BROKER_PUBLIC_KEY,
        tls: {
          caFile: env.SITE_NATS_TLS_CA_FILE ?? null,
          certFile: env.SITE_NATS_TLS_CERT_FILE ?? null,
          keyFile: env.SITE_NATS_TLS_KEY_FILE ?? null,
        },
      },
    };
  });

/** TLS for the NATS connection: a CA to trust and, for mutual TLS, a client certificate and key (files). */
export interface NatsTlsFiles {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
}

/** The keys the site proves itself with and the broker key it trusts (decision 0006). */
export interface SiteSecurityConfig {
  /** Signs results and heartbeats; its seed never leaves the closure. */
  signer: EnvelopeSigner;
  /** The broker's envelope public key: queries signed by anything else are rejected. */
  brokerPublicKey: string;
  /** The NATS user nkey seed (SU…) that logs the connection in; null: connect without nkey authentication. */
  natsNkeySeed: SecretText | null;
  /** null: TLS only as a `tls://` URL and the system's CAs imply. */
  tls: NatsTlsFiles | null;
}

/** The site agent's typed configuration; services get it injected, nobody else reads the environment. */
export type SiteAgentConfig = Omit<z.output<typeof SiteAgentEnv>, 'keySources'> & { security: SiteSecurityConfig };
export type SitePolicyConfig = SiteAgentConfig['policy'];
