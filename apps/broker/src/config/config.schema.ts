import { SiteId } from '@fq/contracts';
import { LOG_FORMATS } from '@fq/logging';
import { z } from 'zod';
import { integer } from './env-values';
import { NetworkEnv, toNetworkConfig } from './network-config.schema';
import { SecurityEnv, toSecurityConfig } from './security-config.schema';
import { toWebConfig, WebEnv } from './web-config.schema';
import { CatalogEnv, toCatalogConfig } from './catalog-config.schema';

const MAX_DEADLINE_SECONDS = 7 * 24 * 60 * 60;

/** One registered site as the broker's features see it; the keys live in `network.registry`. */
export const RegisteredSite = z.strictObject({ id: SiteId, name: z.string().min(1).max(200) });
export type RegisteredSite = z.infer<typeof RegisteredSite>;

/** The broker's environment; empty values count as unset. */
export const BrokerEnv = z.object({
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  BROKER_PORT: integer('BROKER_PORT', 3000, 0, 65535),
  BROKER_HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(?:ql)?:\/\//, { error: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
    .optional(),
  BROKER_SQLITE_FILE: z.string().min(1).default('.broker/broker.sqlite'),
  BROKER_QUERY_DEADLINE_SECONDS: integer('BROKER_QUERY_DEADLINE_SECONDS', 60, 1, MAX_DEADLINE_SECONDS),
  BROKER_THRESHOLD_RESULTS: integer('BROKER_THRESHOLD_RESULTS', 20, 0, 1_000_000),
  BROKER_THRESHOLD_SITES: integer('BROKER_THRESHOLD_SITES', 3, 0, 10_000),
  BROKER_THRESHOLD_SITES_RESULT: integer('BROKER_THRESHOLD_SITES_RESULT', 20, 0, 1_000_000),
  BROKER_SITE_OFFLINE_SECONDS: integer('BROKER_SITE_OFFLINE_SECONDS', 30, 1, 86_400),
  BROKER_LOG_FORMAT: z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).default('json'),
  ...SecurityEnv.shape,
  ...NetworkEnv.shape,
  ...WebEnv.shape,
  ...CatalogEnv.shape,
});

/** Where the broker keeps queries and results. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

// PostgreSQL when DATABASE_URL is set, as twelve-factor deployments expect; an embedded SQLite file otherwise.
function toDatabaseTarget(url: string | undefined, file: string): DatabaseTarget {
  return url !== undefined ? { kind: 'postgres', url } : { kind: 'sqlite', file };
}

/** The broker's typed configuration, derived once from the environment. */
export const BrokerConfig = BrokerEnv.transform((env, ctx) => ({
  natsServers: env.NATS_URL.split(',')
    .map((server) => server.trim())
    .filter((server) => server !== ''),
  http: { host: env.BROKER_HOST, port: env.BROKER_PORT },
  database: toDatabaseTarget(env.DATABASE_URL, env.BROKER_SQLITE_FILE),
  ...toNetworkConfig(env, ctx),
  queryDeadlineSeconds: env.BROKER_QUERY_DEADLINE_SECONDS,
  thresholds: {
    results: env.BROKER_THRESHOLD_RESULTS,
    sites: env.BROKER_THRESHOLD_SITES,
    sitesResult: env.BROKER_THRESHOLD_SITES_RESULT,
  },
  siteOfflineSeconds: env.BROKER_SITE_OFFLINE_SECONDS,
  /** `json`: one JSON object per line (production); `text`: one readable line per entry (a terminal, the demo). */
  logFormat: env.BROKER_LOG_FORMAT,
  ...toSecurityConfig(env, ctx),
  ...toWebConfig(env, env.BROKER_AUTH_AUDIENCE),
  ...toCatalogConfig(env),
})).superRefine((config, ctx) => {
  if (config.natsServers.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['NATS_URL'], message: 'NATS_URL names no server' });
  }
});
export type BrokerConfig = z.output<typeof BrokerConfig>;

export const BROKER_CONFIG = Symbol('BROKER_CONFIG');
