import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeSignerFromSeed, natsUserPublicKeyOf, SiteRegistry } from '@fq/contracts';
import {
  brokerNatsPermissions,
  generateEnvelopeKey,
  generateNatsUserKey,
  monitorNatsPermissions,
  siteNatsPermissions,
} from '@fq/network-admin';
import { loadBrokerConfig } from '../config/config.loader';
import { runBrokerCli } from './broker.cli';

interface CliRun {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  let out = '';
  let err = '';
  const io = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text) } };
  const code = await runBrokerCli(args, io, env);
  return { code, out, err };
}

/** The `NAME=value` lines of a command's output (comments and the user block left out). */
function envLines(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], match[2]]),
  );
}

/** Every JSON user entry of a nats-server users list or of a single printed user block. */
function jsonUsers(text: string): unknown[] {
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#') && !/^[A-Z][A-Z0-9_]*=/.test(line))
    .join('\n');
  const list = /users = (\[[\s\S]*\])\s*\}\s*$/.exec(withoutComments);
  return list === null ? [JSON.parse(withoutComments)] : (JSON.parse(list[1]) as unknown[]);
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

function registryOf(file: string): SiteRegistry {
  return SiteRegistry.parse(JSON.parse(readFileSync(file, 'utf8')));
}

describe('broker network commands', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fq-broker-cli-'));
    env = {
      BROKER_SITES_FILE: join(dir, 'sites.json'),
      BROKER_SIGNING_KEY_FILE: join(dir, 'keys', 'signing.nk'),
      BROKER_NATS_NKEY_FILE: join(dir, 'keys', 'nats.nk'),
      NATS_URL: 'nats://nats.example:4222',
    };
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('file modes', () => {
    it('keeps every file the commands write to its owner (0600, directories 0700), whatever the umask', async () => {
      const umask = process.umask(0o022);
      try {
        env.BROKER_SIGNING_KEY_FILE = join(dir, 'state', 'keys', 'signing.nk');
        env.BROKER_NATS_NKEY_FILE = join(dir, 'state', 'keys', 'nats.nk');
        env.BROKER_SITES_FILE = join(dir, 'state', 'sites.json');
        expect(await cli(['keys', 'init'], env)).toMatchObject({ code: 0, err: '' });
        const out = join(dir, 'handover', 'site-a');
        expect(await cli(['sites', 'add', '--id', 'site-a', '--name', 'A', '--out', out], env)).toMatchObject({
          code: 0,
        });
        const modes = Object.fromEntries(
          [
            'state',
            'state/keys',
            'state/keys/signing.nk',
            'state/keys/nats.nk',
            'state/sites.json',
            'handover',
            'handover/site-a',
            'handover/site-a/site-signing.nk',
            'handover/site-a/site-nats.nk',
          ].map((path) => [path, mode(join(dir, path)).toString(8)]),
        );
        expect(modes).toEqual({
          state: '700',
          'state/keys': '700',
          'state/keys/signing.nk': '600',
          'state/keys/nats.nk': '600',
          'state/sites.json': '600',
          handover: '700',
          'handover/site-a': '700',
          'handover/site-a/site-signing.nk': '600',
          'handover/site-a/site-nats.nk': '600',
        });
      } finally {
        process.umask(umask);
      }
    });
  });

  describe('keys init', () => {
    it('creates both seeds with mode 0600, records their public keys and prints the broker environment', async () => {
      const run = await cli(['keys', 'init'], env);
      expect(run).toMatchObject({ code: 0, err: '' });
      for (const file of [env.BROKER_SIGNING_KEY_FILE, env.BROKER_NATS_NKEY_FILE]) {
        expect(mode(file)).toBe(0o600);
      }
      const signer = envelopeSignerFromSeed(readFileSync(env.BROKER_SIGNING_KEY_FILE, 'utf8'));
      const natsKey = natsUserPublicKeyOf(readFileSync(env.BROKER_NATS_NKEY_FILE, 'utf8'));
      if (!signer.ok || !natsKey.ok) {
        throw new Error('keys init wrote unusable seeds');
      }
      expect(registryOf(env.BROKER_SITES_FILE)).toEqual({
        version: 1,
        broker: { envelopePublicKey: signer.value.publicKey, natsUserPublicKey: natsKey.value },
        sites: [],
      });
      expect(envLines(run.out)).toEqual({
        BROKER_SITES_FILE: env.BROKER_SITES_FILE,
        BROKER_SIGNING_KEY_FILE: env.BROKER_SIGNING_KEY_FILE,
        BROKER_NATS_NKEY_FILE: env.BROKER_NATS_NKEY_FILE,
      });
      expect(run.out).toContain(`SITE_BROKER_PUBLIC_KEY): ${signer.value.publicKey}`);
      expect(run.out).toContain(`NATS user public key: ${natsKey.value}`);
    });

    it('keeps existing seeds and the registry when run again', async () => {
      await cli(['keys', 'init'], env);
      const seeds = [
        readFileSync(env.BROKER_SIGNING_KEY_FILE, 'utf8'),
        readFileSync(env.BROKER_NATS_NKEY_FILE, 'utf8'),
      ];
      const registry = readFileSync(env.BROKER_SITES_FILE, 'utf8');
      const again = await cli(['keys', 'init'], env);
      expect(again.code).toBe(0);
      expect(again.out).not.toContain('# created');
      expect([
        readFileSync(env.BROKER_SIGNING_KEY_FILE, 'utf8'),
        readFileSync(env.BROKER_NATS_NKEY_FILE, 'utf8'),
      ]).toEqual(seeds);
      expect(readFileSync(env.BROKER_SITES_FILE, 'utf8')).toBe(registry);
    });

    it('refuses a seed file that others can read, without printing the seed', async () => {
      await cli(['keys', 'init'], env);
      chmodSync(env.BROKER_SIGNING_KEY_FILE, 0o644);
      const run = await cli(['keys', 'init'], env);
      expect(run.code).toBe(1);
      expect(run.err).toContain('chmod 600');
      expect(run.err).not.toContain(readFileSync(env.BROKER_SIGNING_KEY_FILE, 'utf8').trim());
    });

    it('refuses seeds whose public keys are not the broker keys the registry lists', async () => {
      await cli(['keys', 'init'], env);
      const other = { ...env, BROKER_SIGNING_KEY_FILE: join(dir, 'keys', 'other-signing.nk') };
      const run = await cli(['keys', 'init'], other);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/lists other broker keys/);
    });

    it('uses a seed given in the environment instead of writing a file', async () => {
      const seed = generateEnvelopeKey();
      const { BROKER_SIGNING_KEY_FILE: _unused, ...rest } = env;
      const run = await cli(['keys', 'init'], { ...rest, BROKER_SIGNING_KEY: seed.seed });
      expect(run.code).toBe(0);
      expect(existsSync(env.BROKER_SIGNING_KEY_FILE)).toBe(false);
      expect(registryOf(env.BROKER_SITES_FILE).broker?.envelopePublicKey).toBe(seed.publicKey);
      expect(run.out).not.toContain(seed.seed);
    });
  });

  describe('sites add', () => {
    it('writes the site seeds with mode 0600, registers its public keys and prints its environment and user', async () => {
      await cli(['keys', 'init'], env);
      const out = join(dir, 'site-a');
      const run = await cli(['sites', 'add', '--id', 'site-a', '--name', 'Uniklinik A', '--out', out], env);
      expect(run).toMatchObject({ code: 0, err: '' });

      const printed = envLines(run.out);
      const registry = registryOf(env.BROKER_SITES_FILE);
      expect(printed).toEqual({
        SITE_ID: 'site-a',
        SITE_SIGNING_KEY_FILE: join(out, 'site-signing.nk'),
        SITE_NATS_NKEY_FILE: join(out, 'site-nats.nk'),
        SITE_BROKER_PUBLIC_KEY: registry.broker?.envelopePublicKey,
        NATS_URL: 'nats://nats.example:4222',
      });
      expect(mode(printed.SITE_SIGNING_KEY_FILE)).toBe(0o600);
      expect(mode(printed.SITE_NATS_NKEY_FILE)).toBe(0o600);
      const signer = envelopeSignerFromSeed(readFileSync(printed.SITE_SIGNING_KEY_FILE, 'utf8'));
      const natsKey = natsUserPublicKeyOf(readFileSync(printed.SITE_NATS_NKEY_FILE, 'utf8'));
      expect(registry.sites).toEqual([
        {
          id: 'site-a',
          name: 'Uniklinik A',
          envelopePublicKey: signer.ok ? signer.value.publicKey : 'invalid seed',
          natsUserPublicKey: natsKey.ok ? natsKey.value : 'invalid seed',
        },
      ]);
      expect(jsonUsers(run.out)).toEqual([
        { nkey: registry.sites[0].natsUserPublicKey, permissions: siteNatsPermissions('site-a') },
      ]);
      expect(run.out).not.toContain(readFileSync(printed.SITE_SIGNING_KEY_FILE, 'utf8').trim());
    });

    it('produces a registry and seeds the broker starts with', async () => {
      await cli(['keys', 'init'], env);
      await cli(['sites', 'add', '--id', 'site-a', '--name', 'Uniklinik A', '--out', join(dir, 'site-a')], env);
      const loaded = loadBrokerConfig({ ...env, BROKER_DEV_ISSUER: 'true' });
      expect(loaded.ok ? loaded.value.sites : loaded.error).toEqual([{ id: 'site-a', name: 'Uniklinik A' }]);
    });

    it('refuses an id that is already registered and changes nothing', async () => {
      await cli(['keys', 'init'], env);
      await cli(['sites', 'add', '--id', 'site-a', '--name', 'Uniklinik A', '--out', join(dir, 'a1')], env);
      const before = readFileSync(env.BROKER_SITES_FILE, 'utf8');
      const run = await cli(['sites', 'add', '--id', 'site-a', '--name', 'Again', '--out', join(dir, 'a2')], env);
      expect(run.code).toBe(1);
      expect(run.err).toContain('site site-a is already registered');
      expect(readFileSync(env.BROKER_SITES_FILE, 'utf8')).toBe(before);
      expect(existsSync(join(dir, 'a2'))).toBe(false);
    });

    it('never overwrites a seed file', async () => {
      await cli(['keys', 'init'], env);
      const out = join(dir, 'shared');
      await cli(['sites', 'add', '--id', 'site-a', '--name', 'Uniklinik A', '--out', out], env);
      const seed = readFileSync(join(out, 'site-signing.nk'), 'utf8');
      const run = await cli(['sites', 'add', '--id', 'site-b', '--name', 'Uniklinik B', '--out', out], env);
      expect(run.code).toBe(1);
      expect(run.err).toContain('already exists');
      expect(readFileSync(join(out, 'site-signing.nk'), 'utf8')).toBe(seed);
      expect(registryOf(env.BROKER_SITES_FILE).sites.map((site) => site.id)).toEqual(['site-a']);
    });

    it('refuses a malformed id and a registry without broker keys, listing both problems', async () => {
      writeFileSync(env.BROKER_SITES_FILE, JSON.stringify({ version: 1, broker: null, sites: [] }));
      const run = await cli(['sites', 'add', '--id', 'Site_A', '--name', 'A', '--out', join(dir, 'a')], env);
      expect(run.code).toBe(1);
      expect(run.err.trim().split('\n')).toEqual([
        expect.stringContaining('--id "Site_A"') as unknown,
        expect.stringContaining('run `broker keys init` first') as unknown,
      ]);
    });
  });

  describe('sites list', () => {
    it('prints one line per site with its id, name and public keys', async () => {
      await cli(['keys', 'init'], env);
      await cli(['sites', 'add', '--id', 'site-a', '--name', 'Uniklinik A', '--out', join(dir, 'a')], env);
      await cli(['sites', 'add', '--id', 'site-b', '--name', 'Uniklinik B', '--out', join(dir, 'b')], env);
      const run = await cli(['sites', 'list'], env);
      expect(run.code).toBe(0);
      const lines = run.out.trim().split('\n');
      expect(lines[0]).toMatch(/^id\s+name\s+NATS user public key\s+envelope public key$/);
      const registry = registryOf(env.BROKER_SITES_FILE);
      expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual(
        registry.sites.map((site) => [site.id, site.name, site.natsUserPublicKey, site.envelopePublicKey]),
      );
    });
  });

  describe('nats-config', () => {
    it('writes the authorization of the broker, every site and a monitoring user whose seed it creates', async () => {
      await cli(['keys', 'init'], env);
      await cli(['sites', 'add', '--id', 'site-a', '--name', 'Uniklinik A', '--out', join(dir, 'a')], env);
      await cli(['sites', 'add', '--id', 'site-b', '--name', 'Uniklinik B', '--out', join(dir, 'b')], env);
      const file = join(dir, 'auth.conf');
      const monitorSeed = join(dir, 'monitor.nk');
      const extraMonitor = generateNatsUserKey().publicKey;
      const run = await cli(
        ['nats-config', '--out', file, '--monitor-nkey-file', monitorSeed, '--monitor-public-key', extraMonitor],
        env,
      );
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toContain(`wrote ${file}: 5 users`);
      expect(mode(monitorSeed)).toBe(0o600);
      const monitorKey = natsUserPublicKeyOf(readFileSync(monitorSeed, 'utf8'));
      const registry = registryOf(env.BROKER_SITES_FILE);
      expect(jsonUsers(readFileSync(file, 'utf8'))).toEqual([
        { nkey: registry.broker?.natsUserPublicKey, permissions: brokerNatsPermissions() },
        { nkey: registry.sites[0].natsUserPublicKey, permissions: siteNatsPermissions('site-a') },
        { nkey: registry.sites[1].natsUserPublicKey, permissions: siteNatsPermissions('site-b') },
        { nkey: extraMonitor, permissions: monitorNatsPermissions() },
        { nkey: monitorKey.ok ? monitorKey.value : 'invalid seed', permissions: monitorNatsPermissions() },
      ]);
    });

    it('prints the block without --out and refuses a monitor key that is not a NATS user key', async () => {
      await cli(['keys', 'init'], env);
      const printed = await cli(['nats-config'], env);
      expect(printed.code).toBe(0);
      expect(jsonUsers(printed.out)).toHaveLength(1);
      const refused = await cli(['nats-config', '--monitor-public-key', generateEnvelopeKey().publicKey], env);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('expected a NATS user public key');
    });

    it('refuses a registry that does not exist yet', async () => {
      const run = await cli(['nats-config'], env);
      expect(run.code).toBe(1);
      expect(run.err).toContain('run `broker keys init` first');
    });
  });
});
