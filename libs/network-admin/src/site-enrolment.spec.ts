import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeSignerFromSeed, natsUserPublicKeyOf, SiteRegistry } from '@fq/contracts';
import { SecretText } from '@fq/private-files';
import { generateEnvelopeKey } from './key-generation';
import {
  addSite,
  type EnrolmentResult,
  initBrokerKeys,
  monitorPublicKeyOf,
  natsAuthorizationOf,
  readRegistryFile,
} from './site-enrolment';

function valueOf<T>(result: EnrolmentResult<T>): T {
  if (!result.ok) {
    throw new Error(result.error.join('\n'));
  }
  return result.value;
}

function problemsOf<T>(result: EnrolmentResult<T>): string[] {
  return result.ok ? [] : result.error;
}

describe('site enrolment', () => {
  let dir: string;
  let registryFile: string;
  let brokerFiles: { signing: { kind: 'file'; path: string }; nats: { kind: 'file'; path: string } };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fq-enrolment-'));
    registryFile = join(dir, 'broker', 'sites.json');
    brokerFiles = {
      signing: { kind: 'file', path: join(dir, 'broker', 'keys', 'signing.nk') },
      nats: { kind: 'file', path: join(dir, 'broker', 'keys', 'nats.nk') },
    };
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('initBrokerKeys', () => {
    it('creates both seeds 0600 and records their public keys in a new registry', async () => {
      const summary = valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
      expect(summary.created).toEqual([brokerFiles.signing.path, brokerFiles.nats.path]);
      expect(summary.registryUpdated).toBe(true);
      const signer = envelopeSignerFromSeed(readFileSync(brokerFiles.signing.path, 'utf8'));
      const nats = natsUserPublicKeyOf(readFileSync(brokerFiles.nats.path, 'utf8'));
      expect([signer.ok && signer.value.publicKey, nats.ok && nats.value]).toEqual([
        summary.envelopePublicKey,
        summary.natsUserPublicKey,
      ]);
      expect(valueOf(await readRegistryFile(registryFile, { missingIsEmpty: false })).broker).toEqual({
        envelopePublicKey: summary.envelopePublicKey,
        natsUserPublicKey: summary.natsUserPublicKey,
      });
      expect(statSync(brokerFiles.signing.path).mode & 0o777).toBe(0o600);
      expect(statSync(registryFile).mode & 0o777).toBe(0o600);
    });

    it('keeps existing seeds and registry when run again', async () => {
      const first = valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
      const registry = readFileSync(registryFile, 'utf8');
      const again = valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
      expect(again).toEqual({ ...first, created: [], registryUpdated: false });
      expect(readFileSync(registryFile, 'utf8')).toBe(registry);
    });

    it('takes a seed from the environment without writing a file', async () => {
      const signing = generateEnvelopeKey();
      const summary = valueOf(
        await initBrokerKeys({
          registryFile,
          signing: { kind: 'env', variable: 'BROKER_SIGNING_KEY', seed: new SecretText(signing.seed) },
          nats: brokerFiles.nats,
        }),
      );
      expect(summary.envelopePublicKey).toBe(signing.publicKey);
      expect(summary.created).toEqual([brokerFiles.nats.path]);
    });

    it('refuses other broker keys than the registry lists, naming both sources', async () => {
      valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
      const other = {
        signing: { kind: 'file' as const, path: join(dir, 'other', 'signing.nk') },
        nats: { kind: 'file' as const, path: join(dir, 'other', 'nats.nk') },
      };
      expect(problemsOf(await initBrokerKeys({ registryFile, ...other }))).toEqual([
        `${registryFile} lists other broker keys than ${other.signing.path} and ${other.nats.path}: use the ` +
          'registry\'s keys or remove its "broker" entry to rotate them',
      ]);
    });

    it('lists every problem at once and never quotes a seed', async () => {
      valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
      chmodSync(brokerFiles.signing.path, 0o644);
      const problems = problemsOf(
        await initBrokerKeys({
          registryFile,
          signing: brokerFiles.signing,
          // A NATS user seed where an envelope seed belongs.
          nats: { kind: 'env', variable: 'BROKER_NATS_NKEY', seed: new SecretText(generateEnvelopeKey().seed) },
        }),
      );
      expect(problems).toEqual([
        `${brokerFiles.signing.path} is readable by others (mode 0644); chmod 600 it`,
        'BROKER_NATS_NKEY holds not a NATS user seed (SU…)',
      ]);
      expect(problems.join('\n')).not.toMatch(/S[AU][A-Z2-7]{20}/);
    });
  });

  describe('addSite', () => {
    beforeEach(async () => {
      valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
    });

    it("writes the site's seeds 0600 into its directory and registers their public keys", async () => {
      const outDir = join(dir, 'handover', 'uk-a');
      const enrolled = valueOf(await addSite({ registryFile, id: 'uk-a', name: 'Uniklinik A', outDir }));
      expect(enrolled.signingSeedFile).toBe(join(outDir, 'site-signing.nk'));
      expect(enrolled.natsSeedFile).toBe(join(outDir, 'site-nats.nk'));
      const signer = envelopeSignerFromSeed(readFileSync(enrolled.signingSeedFile, 'utf8'));
      const nats = natsUserPublicKeyOf(readFileSync(enrolled.natsSeedFile, 'utf8'));
      expect(enrolled.site).toEqual({
        id: 'uk-a',
        name: 'Uniklinik A',
        envelopePublicKey: signer.ok && signer.value.publicKey,
        natsUserPublicKey: nats.ok && nats.value,
      });
      const registry = SiteRegistry.parse(JSON.parse(readFileSync(registryFile, 'utf8')));
      expect(registry.sites).toEqual([enrolled.site]);
      expect(enrolled.brokerEnvelopePublicKey).toBe(registry.broker?.envelopePublicKey);
      expect([enrolled.signingSeedFile, enrolled.natsSeedFile].map((file) => statSync(file).mode & 0o777)).toEqual([
        0o600, 0o600,
      ]);
    });

    it('refuses a registered id and an existing seed file, and changes nothing', async () => {
      const outDir = join(dir, 'handover', 'uk-a');
      valueOf(await addSite({ registryFile, id: 'uk-a', name: 'Uniklinik A', outDir }));
      const registry = readFileSync(registryFile, 'utf8');
      const seed = readFileSync(join(outDir, 'site-signing.nk'), 'utf8');
      expect(problemsOf(await addSite({ registryFile, id: 'uk-a', name: 'Again', outDir }))).toEqual([
        `site uk-a is already registered in ${registryFile}`,
        `${join(outDir, 'site-signing.nk')} already exists: choose another --out (a seed is never overwritten)`,
        `${join(outDir, 'site-nats.nk')} already exists: choose another --out (a seed is never overwritten)`,
      ]);
      expect(readFileSync(registryFile, 'utf8')).toBe(registry);
      expect(readFileSync(join(outDir, 'site-signing.nk'), 'utf8')).toBe(seed);
    });

    it('refuses a malformed id and an empty name, and a registry without broker keys', async () => {
      const bare = join(dir, 'bare.json');
      writeFileSync(bare, JSON.stringify({ version: 1, broker: null, sites: [] }));
      const problems = problemsOf(await addSite({ registryFile: bare, id: 'UK A', name: '', outDir: dir }));
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^--id "UK A": /);
      expect(problems.slice(1)).toEqual([
        '--name: a site name is 1-200 characters',
        `${bare} has no broker keys yet: run \`broker keys init\` first`,
      ]);
    });
  });

  describe('natsAuthorizationOf', () => {
    it('renders the broker, every site and the monitors, and counts them', async () => {
      const broker = valueOf(await initBrokerKeys({ registryFile, ...brokerFiles }));
      valueOf(await addSite({ registryFile, id: 'uk-a', name: 'A', outDir: join(dir, 'uk-a') }));
      valueOf(await addSite({ registryFile, id: 'uk-b', name: 'B', outDir: join(dir, 'uk-b') }));
      const monitor = valueOf(await monitorPublicKeyOf(join(dir, 'monitor.nk')));
      expect(statSync(join(dir, 'monitor.nk')).mode & 0o777).toBe(0o600);
      expect(valueOf(await monitorPublicKeyOf(join(dir, 'monitor.nk')))).toBe(monitor);
      const authorization = valueOf(await natsAuthorizationOf(registryFile, [monitor]));
      expect(authorization.users).toBe(4);
      expect(authorization.text).toContain(`"nkey": "${broker.natsUserPublicKey}"`);
      expect(authorization.text).toContain(`"nkey": "${monitor}"`);
      expect(authorization.text).toContain('"fq.sites.uk-b.results"');
    });

    it('refuses a missing registry and one without broker keys', async () => {
      expect(problemsOf(await natsAuthorizationOf(registryFile, []))).toEqual([
        `${registryFile} does not exist: run \`broker keys init\` first`,
      ]);
      const bare = join(dir, 'bare.json');
      writeFileSync(bare, JSON.stringify({ version: 1, broker: null, sites: [] }));
      expect(problemsOf(await natsAuthorizationOf(bare, []))).toEqual([
        `${bare} has no broker keys yet: run \`broker keys init\` first`,
      ]);
    });
  });

  describe('readRegistryFile', () => {
    it('reads a missing file as an empty registry only when asked to', async () => {
      expect(valueOf(await readRegistryFile(registryFile, { missingIsEmpty: true }))).toEqual({
        version: 1,
        broker: null,
        sites: [],
      });
      expect(problemsOf(await readRegistryFile(registryFile, { missingIsEmpty: false }))).toHaveLength(1);
    });

    it('names the file and each path that does not fit the schema', async () => {
      const file = join(dir, 'sites.json');
      writeFileSync(file, '{ not json');
      expect(problemsOf(await readRegistryFile(file, { missingIsEmpty: false }))).toEqual([`${file} is not JSON`]);
      writeFileSync(file, JSON.stringify({ version: 1, broker: null, sites: [{ id: 'uk-a' }] }));
      const problems = problemsOf(await readRegistryFile(file, { missingIsEmpty: false }));
      expect(problems.length).toBeGreaterThan(1);
      expect(problems.every((problem) => problem.startsWith(`${file} $.sites[0].`))).toBe(true);
    });
  });
});
