import { Option } from 'commander';
import { CallerRole } from '../identity/caller';
import { DevIssuerKeyError, mintDevTokenWithKeyFile, parseTtl } from '../identity/dev-issuer';
import { BrokerCliInputError, type BrokerCommandRegistrar } from './broker-command';

const DEFAULT_KEY_FILE = '.broker/dev-issuer.jwk';

/**
 * `broker token --user alice --role researcher [--ttl 8h] [--key-file f]`: prints a bearer token of the development
 * issuer (BROKER_DEV_ISSUER_KEY_FILE, created if missing). Only a broker with BROKER_DEV_ISSUER=true accepts it.
 */
export const registerTokenCommand: BrokerCommandRegistrar = (program, { io, env, run }) => {
  program
    .command('token')
    .description('mint a development bearer token (for a broker with BROKER_DEV_ISSUER=true)')
    .requiredOption('--user <id>', 'the user id (the token subject)')
    .addOption(new Option('--role <role>', 'the role').choices(CallerRole.options).default('researcher'))
    .option('--ttl <duration>', 'how long the token is valid: 90s, 30m, 8h, 2d', '8h')
    .option('--key-file <file>', `the issuer's key (default: BROKER_DEV_ISSUER_KEY_FILE or ${DEFAULT_KEY_FILE})`)
    .action((options: { user: string; role: string; ttl: string; keyFile?: string }) => {
      run(
        (async () => {
          const ttlSeconds = parseTtl(options.ttl);
          const role = CallerRole.safeParse(options.role);
          if (ttlSeconds === null || !role.success) {
            throw new BrokerCliInputError([`--ttl ${options.ttl} is not a duration such as 90s, 30m, 8h or 2d`]);
          }
          const keyFile = options.keyFile ?? env.BROKER_DEV_ISSUER_KEY_FILE ?? DEFAULT_KEY_FILE;
          try {
            const token = await mintDevTokenWithKeyFile(keyFile, { user: options.user, role: role.data, ttlSeconds });
            io.out.write(`${token}\n`);
            return 0;
          } catch (error) {
            if (error instanceof DevIssuerKeyError) {
              throw new BrokerCliInputError([error.message]);
            }
            if (error instanceof Error && error.name === 'ZodError') {
              throw new BrokerCliInputError([
                `--user ${JSON.stringify(options.user)}: a user id is 1-128 printable ASCII characters; --ttl at most 30d`,
              ]);
            }
            throw error;
          }
        })(),
      );
    });
};
