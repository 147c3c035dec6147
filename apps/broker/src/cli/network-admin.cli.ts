import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NatsUserPublicKey } from '@fq/contracts';
import {
  addSite,
  type EnrolmentResult,
  initBrokerKeys,
  monitorPublicKeyOf,
  natsAuthorizationOf,
  readRegistryFile,
  renderNatsUser,
  type SeedSource,
  siteNatsUser,
} from '@fq/network-admin';
import { SecretText } from '@fq/private-files';
import { z } from 'zod';
import { DEFAULT_KEYS_DIR, DEFAULT_SIGNING_KEY_FILE, DEFAULT_SITES_FILE } from '../config/network-config.schema';
import { BrokerCliInputError, type BrokerCommandRegistrar } from './broker-command';

/** Where `broker keys init` writes the broker's NATS user seed when BROKER_NATS_NKEY_FILE is unset. */
export const DEFAULT_NATS_NKEY_FILE = `${DEFAULT_KEYS_DIR}/broker-nats.nk`;
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

// The same variables as the broker (empty counts as unset), so the commands act on the files the broker reads.
const AdminEnv = z.object({
  NATS_URL: z.string().trim().min(1).default(DEFAULT_NATS_URL),
  BROKER_SITES_FILE: z.string().trim().min(1).default(DEFAULT_SITES_FILE),
  BROKER_SIGNING_KEY: z.string().optional(),
  BROKER_SIGNING_KEY_FILE: z.string().trim().min(1).optional(),
  BROKER_NATS_NKEY: z.string().optional(),
  BROKER_NATS_NKEY_FILE: z.string().trim().min(1).optional(),
});
type AdminEnv = z.infer<typeof AdminEnv>;

function adminEnv(env: Readonly<Record<string, string | undefined>>): AdminEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = AdminEnv.safeParse(present);
  if (!parsed.success) {
    throw new BrokerCliInputError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return parsed.data;
}

function seedSource(
  variable: string,
  seed: string | undefined,
  file: string | undefined,
  fallbackFile: string,
): SeedSource {
  if (seed !== undefined && file !== undefined) {
    throw new BrokerCliInputError([`${variable}_FILE and ${variable} are both set; use one`]);
  }
  return seed !== undefined
    ? { kind: 'env', variable, seed: new SecretText(seed.trim()) }
    : { kind: 'file', path: resolve(file ?? fallbackFile) };
}

function valueOf<T>(result: EnrolmentResult<T>): T {
  if (!result.ok) {
    throw new BrokerCliInputError(result.error);
  }
  return result.value;
}

/**
 * The network operator's commands (decision 0006): `keys init`, `sites add`, `sites list` and `nats-config`. They
 * read BROKER_SITES_FILE, BROKER_SIGNING_KEY(_FILE), BROKER_NATS_NKEY(_FILE) and NATS_URL like the broker does.
 */
export const registerNetworkCommands: BrokerCommandRegistrar = (program, { io, env, run }) => {
  const keys = program.command('keys').description("the broker's envelope signing key and NATS login");
  keys
    .command('init')
    .description('create the broker seeds (mode 0600) where missing and record their public keys in the registry')
    .action(() => {
      run(
        (async () => {
          const config = adminEnv(env);
          const registryFile = resolve(config.BROKER_SITES_FILE);
          const signing = seedSource(
            'BROKER_SIGNING_KEY',
            config.BROKER_SIGNING_KEY,
            config.BROKER_SIGNING_KEY_FILE,
            DEFAULT_SIGNING_KEY_FILE,
          );
          const nats = seedSource(
            'BROKER_NATS_NKEY',
            config.BROKER_NATS_NKEY,
            config.BROKER_NATS_NKEY_FILE,
            DEFAULT_NATS_NKEY_FILE,
          );
          const summary = valueOf(await initBrokerKeys({ registryFile, signing, nats }));
          const lines = [
            ...summary.created.map((file) => `# created ${file} (mode 0600; a secret: never copy it off this host)`),
            summary.registryUpdated ? `# recorded the broker's public keys in ${registryFile}` : null,
            "# the broker's environment:",
            `BROKER_SITES_FILE=${registryFile}`,
            signing.kind === 'file' ? `BROKER_SIGNING_KEY_FILE=${signing.path}` : null,
            nats.kind === 'file' ? `BROKER_NATS_NKEY_FILE=${nats.path}` : null,
            `# envelope public key (every site's SITE_BROKER_PUBLIC_KEY): ${summary.envelopePublicKey}`,
            `# NATS user public key: ${summary.natsUserPublicKey}`,
          ];
          io.out.write(`${lines.filter((line) => line !== null).join('\n')}\n`);
          return 0;
        })(),
      );
    });

  const sites = program.command('sites').description('the site registry (BROKER_SITES_FILE)');
  sites
    .command('add')
    .description('register a site: generate its seeds into --out, add its public keys, print its configuration')
    .requiredOption('--id <id>', 'the site id: lowercase letters, digits and inner hyphens')
    .requiredOption('--name <name>', 'the display name')
    .requiredOption('--out <dir>', "where to write the site's seed files (mode 0600), to hand over to the site")
    .option('--nats-url <url>', 'the NATS URL the site connects to (default: NATS_URL)')
    .action((options: { id: string; name: string; out: string; natsUrl?: string }) => {
      run(
        (async () => {
          const config = adminEnv(env);
          const registryFile = resolve(config.BROKER_SITES_FILE);
          const enrolled = valueOf(
            await addSite({ registryFile, id: options.id, name: options.name, outDir: resolve(options.out) }),
          );
          const { site } = enrolled;
          const lines = [
            `# registered ${site.id} in ${registryFile}; restart the broker and give nats-server the new user`,
            '# (`broker nats-config --out <file>`, then `nats-server --signal reload`)',
            `# the site agent's environment (hand the two seed files over to the site, mode 0600):`,
            `SITE_ID=${site.id}`,
            `SITE_SIGNING_KEY_FILE=${enrolled.signingSeedFile}`,
            `SITE_NATS_NKEY_FILE=${enrolled.natsSeedFile}`,
            `SITE_BROKER_PUBLIC_KEY=${enrolled.brokerEnvelopePublicKey}`,
            `NATS_URL=${options.natsUrl ?? config.NATS_URL}`,
            `# the site's nats-server user (an entry of authorization.users):`,
            renderNatsUser(siteNatsUser(site)),
          ];
          io.out.write(`${lines.join('\n')}\n`);
          return 0;
        })(),
      );
    });
  sites
    .command('list')
    .description('print the registered sites and their public keys')
    .action(() => {
      run(
        (async () => {
          const config = adminEnv(env);
          const registry = valueOf(await readRegistryFile(resolve(config.BROKER_SITES_FILE), { missingIsEmpty: true }));
          const rows = [
            ['id', 'name', 'NATS user public key', 'envelope public key'],
            ...registry.sites.map((site) => [site.id, site.name, site.natsUserPublicKey, site.envelopePublicKey]),
          ];
          const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
          for (const row of rows) {
            io.out.write(
              `${row
                .map((cell, column) => cell.padEnd(widths[column]))
                .join('  ')
                .trimEnd()}\n`,
            );
          }
          return 0;
        })(),
      );
    });

  program
    .command('nats-config')
    .description('write the nats-server authorization block for the broker and every registered site')
    .option('--out <file>', 'write it to this file (default: print it)')
    .option(
      '--monitor-nkey-file <file>',
      'add a read-only monitoring user whose seed is in this file (created, mode 0600, if missing)',
    )
    .option(
      '--monitor-public-key <key>',
      'add a read-only monitoring user by its public key (U…); repeatable',
      (key: string, keys: string[]) => [...keys, key],
      [],
    )
    .action((options: { out?: string; monitorNkeyFile?: string; monitorPublicKey: string[] }) => {
      run(
        (async () => {
          const config = adminEnv(env);
          const monitors: string[] = [];
          for (const key of options.monitorPublicKey) {
            const parsed = NatsUserPublicKey.safeParse(key);
            if (!parsed.success) {
              throw new BrokerCliInputError([`--monitor-public-key ${key}: ${parsed.error.issues[0]?.message}`]);
            }
            monitors.push(parsed.data);
          }
          if (options.monitorNkeyFile !== undefined) {
            monitors.push(valueOf(await monitorPublicKeyOf(resolve(options.monitorNkeyFile))));
          }
          const authorization = valueOf(await natsAuthorizationOf(resolve(config.BROKER_SITES_FILE), monitors));
          if (options.out === undefined) {
            io.out.write(authorization.text);
            return 0;
          }
          const file = resolve(options.out);
          await writeFile(file, authorization.text, { mode: 0o644 });
          io.out.write(
            `# wrote ${file}: ${authorization.users} users; include it in the nats-server configuration (which ` +
              'should enable JetStream with a jetstream block, not -js) and start or reload the server ' +
              '(`nats-server --signal reload`)\n',
          );
          return 0;
        })(),
      );
    });
};
