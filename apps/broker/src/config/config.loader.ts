import { err, ok, type Result } from '@fq/result';
import { BrokerConfig } from './config.schema';
import { summarizeNetworkConfig } from './network-config.schema';

/** Every problem with the environment, one line each, or the typed configuration. */
export type ConfigResult = Result<BrokerConfig, string[]>;

/** Parses the broker's environment once; empty values count as unset. */
export function loadBrokerConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = BrokerConfig.safeParse(present);
  if (parsed.success) {
    return ok(parsed.data);
  }
  return err(
    parsed.error.issues.map((issue) => {
      const name = issue.path.map(String).join('.');
      return name === '' ? issue.message : `${name}: ${issue.message}`;
    }),
  );
}

/** The configuration for the start-up log, with credentials in URLs replaced by `***`. */
export function summarizeBrokerConfig(config: BrokerConfig): Record<string, unknown> {
  return {
    natsServers: config.natsServers.map(redactUrl),
    http: config.http,
    database:
      config.database.kind === 'postgres'
        ? { kind: 'postgres', url: redactUrl(config.database.url) }
        : { kind: 'sqlite', file: config.database.file },
    sites: config.sites.map((site) => site.id),
    network: summarizeNetworkConfig(config.network),
    queryDeadlineSeconds: config.queryDeadlineSeconds,
    thresholds: config.thresholds,
    siteOfflineSeconds: config.siteOfflineSeconds,
    logFormat: config.logFormat,
    auth: {
      oidc:
        config.auth.oidc === null
          ? null
          : {
              ...config.auth.oidc,
              issuer: redactUrl(config.auth.oidc.issuer),
              jwksUrl: config.auth.oidc.jwksUrl === null ? null : redactUrl(config.auth.oidc.jwksUrl),
            },
      devIssuer: config.auth.devIssuer,
      clockToleranceSeconds: config.auth.clockToleranceSeconds,
    },
    quotas: config.quotas,
    requestLimits: config.requestLimits,
    corsOrigins: config.corsOrigins,
    catalogFile: config.catalogFile,
    web: config.web,
  };
}

function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') {
      url.password = '***';
    }
    // A NATS token travels as the user part.
    if (url.username !== '' && url.password === '') {
      url.username = '***';
    }
    for (const name of ['password', 'sslpassword']) {
      if (url.searchParams.has(name)) {
        url.searchParams.set(name, '***');
      }
    }
    return url.toString();
  } catch {
    return text.replace(/\/\/[^@/]*@/, '//***@');
  }
}
