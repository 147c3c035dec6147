import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueryList, QueryResultUpdate, SubmitQueryResponse } from '@fq/contracts';
import { expectShape } from '@fq/process-kit';
import { z } from 'zod';
import { adultsQuery, type BrokerHandle, NetworkWorld } from './support';

const REPO_ROOT = resolve(__dirname, '..');
// The built CLI, run as a researcher runs it (`npm run fq`); test/ never imports an app.
const FQ = join(REPO_ROOT, 'dist', 'apps', 'researcher-cli', 'apps', 'researcher-cli', 'src', 'main.js');

interface FqRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const WatchedSubmission = SubmitQueryResponse.extend({ result: QueryResultUpdate });

describe('the researcher CLI against a running network', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let home: string;
  let queryFile: string;

  /** Runs `fq` with its own config dir and no terminal: stdout and stderr are pipes. */
  function fq(args: string[]): Promise<FqRun> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        [FQ, '--broker', broker.url, ...args],
        { env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, 'config') }, timeout: 45_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          done({ exitCode: code, stdout, stderr });
        },
      );
    });
  }

  beforeAll(async () => {
    world = await NetworkWorld.create();
    // Four submissions in this suite; the default soft quota (3 a minute) is not what it tests.
    ({ broker } = await world.startNetwork(
      [
        ['north', 300],
        ['south', 200],
        ['east', 150],
      ],
      { BROKER_QUOTA_SOFT_AMOUNT: '20' },
    ));
    home = await mkdtemp(join(tmpdir(), 'fq-cli-e2e-'));
    queryFile = join(home, 'adults.json');
    await writeFile(queryFile, JSON.stringify(adultsQuery()));
  });

  afterAll(async () => {
    await world?.close();
    if (home !== undefined) {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('signs in with the development issuer and keeps the token 0600', async () => {
    const login = await fq(['login', '--dev', '--user', 'e2e-researcher']);
    expect(login).toMatchObject({ exitCode: 0, stderr: '' });
    expect(login.stdout).toContain(`Signed in to ${broker.url} as e2e-researcher (researcher)`);
    expect((await stat(join(home, 'config', 'fq', 'credentials.json'))).mode & 0o777).toBe(0o600);
  });

  it('submits with --watch --json and reads the total the broker shows for that query', async () => {
    const run = await fq(['submit', queryFile, '--title', 'Adults via the CLI', '--watch', '--json']);
    expect(run.exitCode).toBe(0);
    const watched = expectShape(WatchedSubmission, JSON.parse(run.stdout), 'the JSON of fq submit --watch');
    expect(watched.result).toMatchObject({ id: watched.id, status: 'completed', reportedSites: 3, totalSites: 3 });
    expect(watched.result.total).toEqual(expect.any(Number));
    // The admin's view of the same query: the CLI printed the broker's final total, not a figure of its own.
    const view = await broker.client.result(watched.id);
    expect(view.total).toBe(watched.result.total);
    expect(view.query.display).toBe('Adults via the CLI');
  });

  it('prints one line per site and then the total when piped, and lists the query under its title', async () => {
    const run = await fq(['submit', queryFile, '--title', 'Adults, piped', '--watch']);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const siteLines = lines.filter((line) => /^Site \d+: answered \(\d of 3 sites\)$/.test(line));
    expect(siteLines).toHaveLength(3);
    expect(siteLines.map((line) => /\((\d) of 3/.exec(line)?.[1])).toEqual(['1', '2', '3']);
    const total = /^Total: (\d+) patients/m.exec(run.stdout)?.[1];
    expect(total).toEqual(expect.stringMatching(/^\d+$/));
    expect(run.stdout).not.toContain('\u001b[');

    const list = await fq(['list', '--json', '--limit', '2']);
    expect(list.exitCode).toBe(0);
    const page = expectShape(QueryList, JSON.parse(list.stdout), 'the JSON of fq list');
    expect(page.items.map((item) => [item.title, item.status])).toEqual([
      ['Adults, piped', 'completed'],
      ['Adults via the CLI', 'completed'],
    ]);
    expect(page.items[0].total).toBe(Number(total));
  });

  it('saves the query, runs it by name, and exits 2 for a query the broker refuses', async () => {
    const saved = await fq(['save', queryFile, '--name', 'Adults', '--json']);
    expect(saved.exitCode).toBe(0);
    const run = await fq(['saved', 'run', 'Adults', '--json']);
    expect(run.exitCode).toBe(0);
    const { id } = z.object({ id: z.uuid() }).parse(JSON.parse(run.stdout));
    expect((await broker.client.result(id)).query.display).toBe('Adults');

    await writeFile(join(home, 'broken.json'), JSON.stringify({ inclusionCriteria: [] }));
    const refused = await fq(['submit', join(home, 'broken.json')]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('BROKER_QUERY_INVALID');
  });
});
