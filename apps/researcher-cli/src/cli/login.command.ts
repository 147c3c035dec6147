import { readFile } from 'node:fs/promises';
import { DevSignInRequest, DevSignInResponse, QuotaUsage } from '@fq/contracts';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { BrokerApiClient } from '../broker/broker-api.client';
import { removeCredentials, writeCredentials } from '../credentials/credentials.store';
import { readAll } from './cli-io';
import {
  type CliContext,
  type CommandRunner,
  createCliContext,
  type GlobalOptions,
  printMessage,
  printResult,
} from './cli-context';
import { CliError, ExitCode } from './exit-codes';

interface LoginOptions extends GlobalOptions {
  tokenFile?: string;
  dev?: boolean;
  user?: string;
  role?: string;
}

/** `fq login` and `fq logout`. */
export function addLoginCommands(program: Command, run: CommandRunner): void {
  program
    .command('login')
    .description(
      'sign in: a bearer token from --token-file or stdin, or --dev for one from the demo broker’s development issuer',
    )
    .option('--token-file <file>', 'read the token from this file')
    .option('--dev', "get a token from the broker's development issuer (BROKER_DEV_ISSUER=true only)")
    .option('--user <id>', 'with --dev: the user to sign in as', 'researcher')
    .option('--role <role>', 'with --dev: researcher, power-user or admin', 'researcher')
    .action((_options: LoginOptions, command: Command) =>
      run(async (io) => {
        const options = command.optsWithGlobals<LoginOptions>();
        const context = await createCliContext(options, io, false);
        return login(context, options);
      }),
    );
  program
    .command('logout')
    .description('forget the stored token')
    .action((_options: GlobalOptions, command: Command) =>
      run(async (io) => {
        const context = await createCliContext(command.optsWithGlobals<GlobalOptions>(), io, false);
        const removed = await removeCredentials(context.credentialsFile);
        printResult(context, { signedOut: removed }, () => [removed ? 'Signed out.' : 'Not signed in.']);
        return ExitCode.Ok;
      }),
    );
}

async function login(context: CliContext, options: LoginOptions): Promise<ExitCode> {
  if (options.dev === true && options.tokenFile !== undefined) {
    throw new CliError(ExitCode.Usage, 'give either --dev or --token-file, not both');
  }
  const { token, expiresAt } =
    options.dev === true ? await devToken(context, options) : await givenToken(context, options);
  // The token is checked before it is kept: a wrong one never replaces a working sign-in.
  const usage = await new BrokerApiClient(context.brokerUrl, token, context.io.now).get('/api/v1/quota', QuotaUsage);
  await writeCredentials(context.credentialsFile, { brokerUrl: context.brokerUrl, token, expiresAt });
  printResult(context, { brokerUrl: context.brokerUrl, userId: usage.userId, role: usage.role, expiresAt }, () => [
    `Signed in to ${context.brokerUrl} as ${usage.userId} (${usage.role})` +
      (expiresAt === null ? '' : `; the token expires at ${expiresAt}`),
  ]);
  return ExitCode.Ok;
}

async function devToken(context: CliContext, options: LoginOptions): Promise<{ token: string; expiresAt: string }> {
  const request = DevSignInRequest.safeParse({ user: options.user, role: options.role });
  if (!request.success) {
    throw new CliError(
      ExitCode.Usage,
      'invalid --user or --role',
      request.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const answer = await context.client.post('/api/v1/dev-issuer/sign-in', request.data, DevSignInResponse);
  return { token: answer.token, expiresAt: answer.expiresAt };
}

async function givenToken(
  context: CliContext,
  options: LoginOptions,
): Promise<{ token: string; expiresAt: string | null }> {
  let text: string;
  if (options.tokenFile !== undefined) {
    try {
      text = await readFile(options.tokenFile, 'utf8');
    } catch (error) {
      throw new CliError(ExitCode.Usage, `cannot read the token file ${options.tokenFile}: ${String(error)}`);
    }
  } else {
    if (context.io.stdin.isTTY === true) {
      printMessage(context, 'Paste the bearer token, then press Ctrl-D:');
    }
    text = await readAll(context.io.stdin);
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token)) {
    throw new CliError(ExitCode.Usage, 'the token must be one word without spaces (a JWT)');
  }
  return { token, expiresAt: expiryOf(token) };
}

/** When a JWT says it expires, for the message and the expiry check; null when it is no JWT or has no `exp`. */
function expiryOf(token: string): string | null {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? new Date(exp * 1000).toISOString() : null;
  } catch {
    return null;
  }
}
