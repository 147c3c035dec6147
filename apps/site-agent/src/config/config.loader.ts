import { resolve } from 'node:path';
import { SITE_AGENT_ENV_NAMES, SiteAgentEnv, type SiteAgentConfig } from './config.schema';

/** Nest injection token of the parsed `SiteAgentConfig`. */
export const SITE_AGENT_CONFIG = Symbol('SITE_AGENT_CONFIG');

/** One problem with one environment variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult =
  { ok: true; value: { config: SiteAgentConfig; warnings: string[] } } | { ok: false; error: ConfigError };

/** The environment cannot configure a site agent; `problems` lists every one at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'SITE_CONFIG_INVALID';

  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid site agent configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
  }
}

const KNOWN = new Set<string>(SITE_AGENT_ENV_NAMES);

/**
 * Parses the site agent's environment once, listing every problem at once; relative paths are resolved against `cwd`.
 * Empty variables count as unset, as docker-compose passes them.
 */
export function loadSiteAgentConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): ConfigResult {
  const relevant: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (KNOWN.has(name) && value !== undefined && value.trim() !== '') {
      relevant[name] = value;
    } else if (name.startsWith('SITE_') && !KNOWN.has(name)) {
      warnings.push(`unknown variable ${name} is ignored (a typo?)`);
    }
  }
  const parsed = SiteAgentEnv.safeParse(relevant);
  if (!parsed.success) {
    return {
      ok: false,
      error: new ConfigError(
        parsed.error.issues.map((issue) => ({
          variable: typeof issue.path[0] === 'string' ? issue.path[0] : '(environment)',
          message: issue.message,
        })),
      ),
    };
  }
  const config = parsed.data;
  const stateDir = resolve(cwd, config.stateDir);
  return {
    ok: true,
    value: {
      config: {
        ...config,
        dataPaths: config.dataPaths.map((p) => resolve(cwd, p)),
        stateDir,
        // The default audit log follows the (resolved) state dir; an explicit one is relative to cwd.
        auditLogFile:
          relevant.SITE_AUDIT_LOG === undefined ? resolve(stateDir, 'audit.jsonl') : resolve(cwd, config.auditLogFile),
        mappingFile: config.mappingFile === null ? null : resolve(cwd, config.mappingFile),
        conceptTreeFiles: config.conceptTreeFiles.map((p) => resolve(cwd, p)),
      },
      warnings,
    },
  };
}

/** Removes credentials from NATS URLs (`nats://user:password@host` → `nats://***@host`). */
export function redactNatsUrl(url: string): string {
  return url
    .split(',')
    .map((server) => server.replace(/^([a-z]+:\/\/)[^@/]*@/, '$1***@'))
    .join(',');
}

/** The startup summary: the whole configuration, secrets redacted, as one loggable object. */
export function describeConfig(config: SiteAgentConfig): Record<string, unknown> {
  return {
    ...config,
    natsUrl: redactNatsUrl(config.natsUrl),
    protection: {
      ...config.protection,
      epsilon: `${config.protection.epsilon.numerator}/${config.protection.epsilon.denominator}`,
    },
  };
}
