import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ManagedProcess, type NatsServerHandle, startNatsServer } from '@fq/process-kit';

/*
 * Every command in the READMEs works as written on a fresh checkout. A command is a line of a ```sh block in
 * README.md, apps/<app>/README.md or libs/<lib>/README.md (a line starting with # is shown output). Each README gets
 * its own fresh checkout: a copy of the files git tracks (or would track), without dist/ or any state, with the
 * installed node_modules linked in; its commands run there in order with bash, so a command that needs a build or a
 * file from an earlier one fails unless the README says to make it first.
 *
 * What the suite adds, as house style §6 allows a test: isolation. NATS_URL names the suite's own nats-server
 * (JetStream, a free port) instead of one at the default address, and BROKER_PORT a free port instead of 3000.
 */

const REPO_ROOT = resolve(__dirname, '..');
const COMMAND_DEADLINE_MS = 6 * 60_000;
const STOP_DEADLINE_MS = 30_000;

/** `npm ci` is not run: the checkout links the installed node_modules, which it would reinstall through the link. */
const INSTALL = /^npm ci(?: && |$)/;

/** Commands not run, and why. Each must appear in a README: an entry nobody needs any more fails the suite. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'npm ci && npm install --prefix bench && npm run check': 'what CI runs (.ci/run); it runs this suite',
  'npm run check': 'runs this suite',
  'npm run test:e2e': 'runs this suite',
  'npm test': 'the unit tests: `npm run check` runs them before this suite',
  'npm run lint && npm run typecheck && npm run check:deps': '`npm run check` runs them before this suite',
  'npm run bench': 'a benchmark of minutes on a million patients; it prints figures and never fails',
  'npm run bench:network -- --sites 10 --patients 100000': 'a benchmark of minutes; it prints figures and never fails',
  'npm run bench:catalog': 'a benchmark of minutes (100,000 entries indexed); it prints figures and never fails',
  'docker compose up --build': 'the test machines have no Docker engine',
  'site-agent budget list --state-dir /var/lib/site-agent --cohorts 50 --window-days 7':
    "an installed agent's state directory; cohort-answers.e2e-spec.ts runs `budget list`",
  'site-agent approvals list --state-dir /var/lib/site-agent': "a template for an installed agent's held queries",
  'site-agent approvals approve <queryId> --state-dir /var/lib/site-agent [--by alice]':
    'a template: <queryId> is a query the agent holds',
  'site-agent approvals reject  <queryId> --state-dir /var/lib/site-agent':
    'a template: <queryId> is a query the agent holds',
  'site-agent audit list --state-dir /var/lib/site-agent --since 7d --decision refused,held':
    "an installed agent's audit log; audit.command.spec.ts runs `audit list` on a real one",
  'site-agent audit show <queryId> --state-dir /var/lib/site-agent':
    'a template: <queryId> is a query the agent audited',
};

/** Commands that serve until stopped, by how they end, and the line that says they are up. */
const SERVES: readonly { command: RegExp; ready: RegExp }[] = [
  { command: /(^|\s)npm run demo$/, ready: /^Press Ctrl-C to stop everything\.$/ },
  { command: /(^|\s)npm run start:broker$/, ready: /^READY broker / },
  { command: /(^|\s)npm run start:site-agent$/, ready: /^READY site-agent / },
];

interface Readme {
  file: string;
  commands: string[];
}

/** The READMEs this suite covers, each with the commands of its sh blocks, trailing comments removed. */
function readReadmes(): Readme[] {
  const files = [
    'README.md',
    ...['apps', 'libs'].flatMap((dir) =>
      readdirSync(join(REPO_ROOT, dir))
        .map((name) => `${dir}/${name}/README.md`)
        .filter((file) => existsSync(join(REPO_ROOT, file))),
    ),
  ];
  return files.map((file) => {
    const commands: string[] = [];
    let inShell = false;
    for (const line of readFileSync(join(REPO_ROOT, file), 'utf8').split('\n')) {
      if (/^```/.test(line)) {
        inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(line);
        continue;
      }
      const command = line.replace(/\s+#\s.*$/, '').trim();
      if (inShell && command !== '' && !command.startsWith('#')) {
        commands.push(command);
      }
    }
    return { file, commands };
  });
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/** A fresh checkout in a temporary directory: the files git tracks or would track, node_modules linked. */
async function freshCheckout(): Promise<string> {
  // The checkout keeps its place beside the shared test data (`../shared`), which the specs read and never copy.
  const parent = await mkdtemp(join(tmpdir(), 'fq-readme-'));
  const dir = join(parent, 'checkout');
  mkdirSync(dir);
  if (existsSync(join(REPO_ROOT, '..', 'shared'))) {
    symlinkSync(join(REPO_ROOT, '..', 'shared'), join(parent, 'shared'));
  }
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter((name) => name !== '')) {
    // A file deleted in the work tree but not yet in the index is not part of this checkout, nor is an untracked
    // symbolic link (a data directory linked in from elsewhere).
    if (isRegularFile(join(REPO_ROOT, file))) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      copyFileSync(join(REPO_ROOT, file), join(dir, file));
    }
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Signals the process group of `child` (bash, npm and the app), as Ctrl-C at a terminal does. */
function killGroup(child: ManagedProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && child.running) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group ended between the check and the signal.
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('the commands in the READMEs', () => {
  const readmes = readReadmes();
  let nats: NatsServerHandle;
  let env: Record<string, string>;

  beforeAll(async () => {
    nats = await startNatsServer();
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      NATS_URL: nats.url,
      BROKER_PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    await nats?.destroy();
  });

  it('lists no command as not run that no README has any more', () => {
    const all = new Set(readmes.flatMap((readme) => readme.commands));
    expect(Object.keys(NOT_RUN).filter((command) => !all.has(command))).toEqual([]);
  });

  /** Runs one command in `cwd` to its end and fails unless it exits 0; one that serves, until it is up, then Ctrl-C. */
  async function expectCommandWorks(command: string, cwd: string): Promise<void> {
    const serves = SERVES.find((entry) => entry.command.test(command));
    const child = ManagedProcess.start({
      name: command,
      command: 'bash',
      args: ['-c', command],
      env,
      cwd,
      // Its own process group, so Ctrl-C reaches npm and the app as at a terminal.
      detached: true,
    });
    if (serves === undefined) {
      const timer = setTimeout(() => child.signal('SIGKILL'), COMMAND_DEADLINE_MS);
      const exit = await child.exited.finally(() => clearTimeout(timer));
      if (exit.code !== 0) {
        throw new Error(`\`${command}\` in ${cwd} ended with ${JSON.stringify(exit)}\n${child.tail(80)}`);
      }
      return;
    }
    try {
      await child.waitForLine(serves.ready, COMMAND_DEADLINE_MS);
    } finally {
      killGroup(child, 'SIGINT');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_DEADLINE_MS);
      await child.exited.finally(() => clearTimeout(timer));
    }
  }

  for (const readme of readmes) {
    const runnable = readme.commands.filter((command) => NOT_RUN[command] === undefined && command !== 'npm ci');
    if (runnable.length === 0) {
      continue;
    }
    it(
      `${readme.file}: every command works as written on a fresh checkout`,
      async () => {
        const checkout = await freshCheckout();
        try {
          for (const command of runnable) {
            await expectCommandWorks(command.replace(INSTALL, ''), checkout);
          }
        } finally {
          await rm(dirname(checkout), { recursive: true, force: true });
        }
      },
      runnable.length * COMMAND_DEADLINE_MS,
    );
  }
});
