import { DevIssuerKeyError, DevTokenRequest, mintDevTokenWithKeyFile, parseTtl } from '@fq/network-admin';
import { CallerRole } from '../identity/caller';
import { BrokerCliInputError, type BrokerCommandRegistrar } from './broker-command';

const DEFAULT_KEY_FILE = '.broker/dev-issuer.jwk';
const MAX_TTL_SECONDS = 30 * 86_400;

/**
 * `broker token --user alice --role researcher [--ttl 8h] [--key-file f]`: prints a bearer token of the development
 * issuer (BROKER_DEV_ISSUER_KEY_FILE, created if missing). Only a broker with BROKER_DEV_ISSUER=true accepts it.
 */
export const registerTokenCommand: BrokerCommandRegistrar = (program, { io, env, run }) => {
  program
    .command('token')
    .description('mint a development bearer token (for a broker with BROKER_DEV_ISSUER=true)')
    .requiredOption('--user <id>', 'the user id (the token subject)')
    .option('--role <role>', `the role: ${CallerRole.options.join(', ')}`, 'researcher')
    .option('--ttl <duration>', 'how long the token is valid: 90s, 30m, 8h, 2d (at most 30d)', '8h')
    .option('--key-file <file>', `the issuer's key (default: BROKER_DEV_ISSUER_KEY_FILE or ${DEFAULT_KEY_FILE})`)
    .action((options: { user: string; role: string; ttl: string; keyFile?: string }) => {
      run(
        (async () => {
          const request = parseTokenOptions(options);
          const keyFile = options.keyFile ?? env.BROKER_DEV_ISSUER_KEY_FILE ?? DEFAULT_KEY_FILE;
          try {
            io.out.write(`${await mintDevTokenWithKeyFile(keyFile, request)}\n`);
            return 0;
          } catch (error) {
            if (error instanceof DevIssuerKeyError) {
              throw new BrokerCliInputError([error.message]);
            }
            throw error;
          }
        })(),
      );
    });
};

// Every problem with the options at once, each naming the option and what it accepts.
function parseTokenOptions(options: { user: string; role: string; ttl: string }): DevTokenRequest {
  const problems: string[] = [];
  const ttlSeconds = parseTtl(options.ttl);
  if (ttlSeconds === null) {
    problems.push(`--ttl ${JSON.stringify(options.ttl)} is not a duration such as 90s, 30m, 8h or 2d`);
  } else if (ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    problems.push(`--ttl ${options.ttl} is out of range: at least 1s, at most 30d`);
  }
  const role = CallerRole.safeParse(options.role);
  if (!role.success) {
    problems.push(`--role ${JSON.stringify(options.role)} is not a role: use ${CallerRole.options.join(', ')}`);
  }
  const user = DevTokenRequest.shape.user.safeParse(options.user);
  if (!user.success) {
    problems.push(
      `--user ${JSON.stringify(options.user)}: a user id is 1-128 printable ASCII characters without spaces`,
    );
  }
  if (problems.length > 0 || ttlSeconds === null || !role.success || !user.success) {
    throw new BrokerCliInputError(problems);
  }
  return { user: user.data, role: role.data, ttlSeconds };
}
