import { BrokerApiClient } from '../broker/broker-api.client';
import { credentialsFileOf, readCredentials, type StoredCredentials } from '../credentials/credentials.store';
import type { CliIo } from './cli-io';
import { CliError, ExitCode } from './exit-codes';

/** Where the CLI looks for a broker when neither --broker, FQ_BROKER_URL nor a sign-in names one. */
export const DEFAULT_BROKER_URL = 'http://127.0.0.1:3000';

/** Runs one command's work with the CLI's streams; what it resolves to is the exit code. */
export type CommandRunner = (work: (io: CliIo) => Promise<ExitCode>) => Promise<void>;

/** The options every command takes. */
export interface GlobalOptions {
  broker?: string;
  json?: boolean;
}

/** What a command works with: the broker's client (with the stored token if it is for that broker) and the output. */
export interface CliContext {
  io: CliIo;
  json: boolean;
  brokerUrl: string;
  client: BrokerApiClient;
  credentialsFile: string;
  credentials: StoredCredentials | null;
}

/** `--broker`, else FQ_BROKER_URL, else the broker signed in to, else the local default; an http(s) URL. */
export function resolveBrokerUrl(
  options: GlobalOptions,
  io: Pick<CliIo, 'env'>,
  credentials: StoredCredentials | null,
): string {
  const given = options.broker ?? io.env.FQ_BROKER_URL ?? credentials?.brokerUrl ?? DEFAULT_BROKER_URL;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new CliError(ExitCode.Usage, `the broker URL ${JSON.stringify(given)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(ExitCode.Usage, `the broker URL must be http:// or https://, not ${url.protocol}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * Builds the context of a command. The stored token goes only to the broker it was issued for: pointing --broker
 * elsewhere never hands it to another host. An expired token is refused here, before any request.
 */
export async function createCliContext(options: GlobalOptions, io: CliIo, requireToken = true): Promise<CliContext> {
  const credentialsFile = credentialsFileOf(io.env);
  const credentials = await readCredentials(credentialsFile);
  const brokerUrl = resolveBrokerUrl(options, io, credentials);
  const token = credentials !== null && sameOrigin(credentials.brokerUrl, brokerUrl) ? credentials.token : null;
  if (requireToken && token === null) {
    throw new CliError(ExitCode.Auth, `not signed in to ${brokerUrl}; sign in with fq login --broker ${brokerUrl}`);
  }
  const expiresAt = credentials?.expiresAt ?? null;
  if (requireToken && expiresAt !== null && Date.parse(expiresAt) <= io.now().getTime()) {
    throw new CliError(ExitCode.Auth, `your token expired at ${expiresAt}; sign in again with fq login`);
  }
  return {
    io,
    json: options.json === true,
    brokerUrl,
    client: new BrokerApiClient(brokerUrl, token, io.now),
    credentialsFile,
    credentials,
  };
}

function sameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}

/** Writes lines for a person to stdout. */
export function printLines(context: Pick<CliContext, 'io'>, lines: readonly string[]): void {
  context.io.stdout.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

/** Writes one JSON document to stdout: the only thing on stdout under --json. */
export function printJson(context: Pick<CliContext, 'io'>, value: unknown): void {
  context.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a message (progress, warnings, hints) to stderr. */
export function printMessage(context: Pick<CliContext, 'io'>, text: string): void {
  context.io.stderr.write(`${text}\n`);
}

/** A command's answer: under --json the JSON document, otherwise the lines for a person. */
export function printResult(
  context: Pick<CliContext, 'io' | 'json'>,
  value: unknown,
  lines: () => readonly string[],
): void {
  if (context.json) {
    printJson(context, value);
  } else {
    printLines(context, lines());
  }
}
