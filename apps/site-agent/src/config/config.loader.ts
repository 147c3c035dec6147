import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envelopeSignerFromSeed, natsUserPublicKeyOf } from '@fq/contracts';
import { readSecret, readSecretFile, type SecretText } from '@fq/private-files';
import { err, ok, type Result } from '@fq/result';
import { SITE_AGENT_ENV_NAMES, SiteAgentEnv, type SiteAgentConfig, type SiteSecurityConfig } from './config.schema';
import type { FhirAuthSource, FhirSourceSettings } from './fhir-source.schema';

/** Nest injection token of the parsed `SiteAgentConfig`. */
export const SITE_AGENT_CONFIG = Symbol('SITE_AGENT_CONFIG');

/** One problem with one environment variable. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult = Result<{ config: SiteAgentConfig; warnings: string[] }, ConfigError>;

/** The environment cannot configure a site agent; `problems` lists every one at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'SITE_CONFIG_INVALID';

  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid site agent configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
  }
}

const KNOWN = new Set<string>(SITE_AGENT_ENV_NAMES);
const ORDER: readonly string[] = SITE_AGENT_ENV_NAMES;
const NO_DATA_SOURCE =
  "or SITE_FHIR_BASE_URL is required: FHIR NDJSON/Bundle files or directories, separated by ':', or a FHIR server";

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
  const problems: ConfigProblem[] =
    relevant.SITE_DATA === undefined && relevant.SITE_FHIR_BASE_URL === undefined
      ? [{ variable: 'SITE_DATA', message: NO_DATA_SOURCE }]
      : [];
  if (!parsed.success || problems.length > 0) {
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      problems.push({
        variable: typeof issue.path[0] === 'string' ? issue.path[0] : '(environment)',
        message: issue.message,
      });
    }
    // In the order the variables are documented, as the schema lists them.
    const rank = (variable: string): number => (KNOWN.has(variable) ? ORDER.indexOf(variable) : ORDER.length);
    return err(new ConfigError(problems.sort((a, b) => rank(a.variable) - rank(b.variable))));
  }
  const { keySources, ...config } = parsed.data;
  const security = loadSecurity(keySources, cwd);
  if (!security.ok) {
    return err(new ConfigError(security.error));
  }
  const fhirSource = config.fhirSource === null ? null : resolveFhirSource(config.fhirSource, cwd);
  const fhirProblems =
    fhirSource === null ? [] : [...checkFhirSecrets(fhirSource.auth), ...checkCaFile(fhirSource.caFile)];
  if (fhirProblems.length > 0) {
    return err(new ConfigError(fhirProblems));
  }
  const stateDir = resolve(cwd, config.stateDir);
  return ok({
    config: {
      ...config,
      security: security.value,
      dataPaths: config.dataPaths.map((p) => resolve(cwd, p)),
      fhirSource,
      stateDir,
      // The default audit log follows the (resolved) state dir; an explicit one is relative to cwd.
      auditLogFile:
        relevant.SITE_AUDIT_LOG === undefined ? resolve(stateDir, 'audit.jsonl') : resolve(cwd, config.auditLogFile),
      mappingFile: config.mappingFile === null ? null : resolve(cwd, config.mappingFile),
      conceptTreeFiles: config.conceptTreeFiles.map((p) => resolve(cwd, p)),
    },
    warnings,
  });
}

/** The FHIR source with its files resolved against `cwd`. */
function resolveFhirSource(settings: FhirSourceSettings, cwd: string): FhirSourceSettings {
  const auth: FhirAuthSource = settings.auth;
  const file = (path: string): string => resolve(cwd, path);
  return {
    ...settings,
    caFile: settings.caFile === null ? null : file(settings.caFile),
    auth:
      auth.kind === 'basic'
        ? { ...auth, passwordFile: file(auth.passwordFile) }
        : auth.kind === 'bearer'
          ? { ...auth, tokenFile: file(auth.tokenFile) }
          : auth.kind === 'smart-backend'
            ? { ...auth, privateKeyFile: file(auth.privateKeyFile) }
            : auth,
  };
}

/** The credential files must be readable and private now; they are read again on use, so they may be rotated. */
function checkFhirSecrets(auth: FhirAuthSource): ConfigProblem[] {
  const check = (file: string, variable: string): ConfigProblem[] => {
    const read = readSecretFile(file);
    return read.ok ? [] : [{ variable, message: read.error }];
  };
  switch (auth.kind) {
    case 'none':
      return [];
    case 'basic':
      return check(auth.passwordFile, 'SITE_FHIR_PASSWORD_FILE');
    case 'bearer':
      return check(auth.tokenFile, 'SITE_FHIR_TOKEN_FILE');
    case 'smart-backend':
      return check(auth.privateKeyFile, 'SITE_FHIR_PRIVATE_KEY_FILE');
  }
}

/** The FHIR server's CA must be a readable PEM file now: the HTTP client reads it once at start. */
function checkCaFile(file: string | null): ConfigProblem[] {
  if (file === null) {
    return [];
  }
  try {
    return readFileSync(file, 'utf8').includes('-----BEGIN CERTIFICATE-----')
      ? []
      : [{ variable: 'SITE_FHIR_CA_FILE', message: `${file} holds no PEM certificate` }];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return [{ variable: 'SITE_FHIR_CA_FILE', message: `cannot read ${file} (${code})` }];
  }
}

type KeySources = ReturnType<typeof SiteAgentEnv.parse>['keySources'];

/** Reads the seeds (files must be 0600) and checks each is the right kind of key; problems never quote a seed. */
function loadSecurity(sources: KeySources, cwd: string): Result<SiteSecurityConfig, ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const secret = (file: string | null, value: string | null, variable: string): SecretText | null => {
    const read = readSecret(file === null ? null : resolve(cwd, file), value);
    if (!read.ok) {
      problems.push({ variable, message: read.error });
      return null;
    }
    return read.value;
  };
  const signingVariable = sources.signingKey !== null ? 'SITE_SIGNING_KEY_FILE' : 'SITE_SIGNING_KEY';
  const signingSeed = secret(sources.signingKey, sources.signingKeyValue, signingVariable);
  const signer = signingSeed === null ? null : envelopeSignerFromSeed(signingSeed.reveal());
  if (signer !== null && !signer.ok) {
    problems.push({ variable: signingVariable, message: `holds ${signer.error.message}` });
  }
  if (signer?.ok === true && signer.value.publicKey === sources.brokerPublicKey) {
    problems.push({ variable: 'SITE_BROKER_PUBLIC_KEY', message: "is this site's own public key, not the broker's" });
  }
  const natsVariable = sources.natsNkey !== null ? 'SITE_NATS_NKEY_FILE' : 'SITE_NATS_NKEY';
  const natsNkeySeed = secret(sources.natsNkey, sources.natsNkeyValue, natsVariable);
  if (natsNkeySeed !== null) {
    const checked = natsUserPublicKeyOf(natsNkeySeed.reveal());
    if (!checked.ok) {
      problems.push({ variable: natsVariable, message: `holds ${checked.error.message}` });
    }
  }
  if (problems.length > 0 || signer === null || !signer.ok) {
    return err(problems);
  }
  const { caFile, certFile, keyFile } = sources.tls;
  const absolute = (path: string | null): string | null => (path === null ? null : resolve(cwd, path));
  return ok({
    signer: signer.value,
    brokerPublicKey: sources.brokerPublicKey,
    natsNkeySeed,
    tls:
      caFile === null && certFile === null
        ? null
        : { caFile: absolute(caFile), certFile: absolute(certFile), keyFile: absolute(keyFile) },
  });
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
    security: {
      signingPublicKey: config.security.signer.publicKey,
      brokerPublicKey: config.security.brokerPublicKey,
      natsNkey: config.security.natsNkeySeed === null ? 'none' : '***',
      tls: config.security.tls,
    },
    protection: {
      ...config.protection,
      epsilon: `${config.protection.epsilon.numerator}/${config.protection.epsilon.denominator}`,
    },
  };
}
