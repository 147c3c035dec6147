import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryResultUpdate, SubmitQueryResponse } from '@fq/contracts';
import { credentialsFileOf, readCredentials, writeCredentials } from '../credentials/credentials.store';
import { aResult, eventStream, FakeBroker, problem, QUERY_ID, runFq } from '../__fixtures__/fake-broker';
import { ExitCode } from './exit-codes';

const QUERY = { inclusionCriteria: [[{ termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }] }]] };
const USAGE = {
  userId: 'alice',
  role: 'researcher',
  soft: { amount: 3, intervalSeconds: 60, used: 1, nextSlotAt: null },
  hard: { amount: 100, intervalSeconds: 604800, used: 1, nextSlotAt: null },
  pollIntervalSeconds: 10,
  blacklisted: false,
  blacklistedAt: null,
  siteBudgets: [],
};

let broker: FakeBroker;
let home: string;
let env: Record<string, string>;
let queryFile: string;

beforeEach(async () => {
  broker = new FakeBroker();
  await broker.start();
  home = mkdtempSync(join(tmpdir(), 'fq-cli-'));
  env = { XDG_CONFIG_HOME: join(home, 'config'), HOME: home, FQ_BROKER_URL: broker.url };
  queryFile = join(home, 'q.json');
  writeFileSync(queryFile, JSON.stringify(QUERY));
});

afterEach(async () => {
  await broker.stop();
  rmSync(home, { recursive: true, force: true });
});

async function signIn(expiresAt: string | null = null): Promise<void> {
  await writeCredentials(credentialsFileOf(env), { brokerUrl: broker.url, token: 'the-token', expiresAt });
}

function submitted(warnings: object[] = []): void {
  broker.on('POST /api/v1/queries', { status: 201, json: { id: QUERY_ID, warnings } });
}

describe('fq submit', () => {
  beforeEach(signIn);

  it('prints only the id on stdout and each warning on stderr, sending the bearer token', async () => {
    submitted([{ code: 'CCDL_UNKNOWN_PROPERTY', path: '$.note', message: 'unknown property note' }]);
    const run = await runFq(['submit', queryFile], { env });
    expect(run).toEqual({
      exitCode: ExitCode.Ok,
      stdout: `${QUERY_ID}\n`,
      stderr: 'warning: $.note: unknown property note (CCDL_UNKNOWN_PROPERTY)\n',
    });
    expect(broker.requests[0]).toMatchObject({ body: QUERY, headers: { authorization: 'Bearer the-token' } });
  });

  it('prints one JSON document with --json', async () => {
    submitted();
    const run = await runFq(['submit', queryFile, '--json'], { env });
    expect(SubmitQueryResponse.parse(JSON.parse(run.stdout))).toEqual({ id: QUERY_ID, warnings: [] });
  });

  it('sends --title as the query’s display, also inside a CRTDL document', async () => {
    submitted();
    await runFq(['submit', queryFile, '--title', ' Women '], { env });
    writeFileSync(queryFile, JSON.stringify({ cohortDefinition: QUERY }));
    await runFq(['submit', queryFile, '--title', 'CRTDL'], { env });
    expect(broker.requests.map((request) => request.body)).toEqual([
      { ...QUERY, display: 'Women' },
      { cohortDefinition: { ...QUERY, display: 'CRTDL' } },
    ]);
  });

  it('with --watch piped: one plain line per site on stdout, then the result; the bar stays off', async () => {
    submitted();
    broker.on(`GET /api/v1/queries/${QUERY_ID}/events`, { status: 200, text: eventStream(3, 'completed') });
    const run = await runFq(['submit', queryFile, '--watch'], { env });
    expect(run.exitCode).toBe(ExitCode.Ok);
    expect(run.stdout.split('\n').slice(0, 6)).toEqual([
      'Site 1: answered (1 of 3 sites)',
      'Site 2: answered (2 of 3 sites)',
      'Site 3: answered (3 of 3 sites)',
      'query completed: 3 of 3 sites reported',
      `Query ${QUERY_ID}: completed, 3 of 3 sites answered`,
      "Total: 300 patients (sum of the sites' protected counts)",
    ]);
    expect(run.stdout).not.toContain('\u001b[');
    expect(run.stderr).toBe(`Submitted query ${QUERY_ID}; waiting for the sites…\n`);
  });

  it('with --watch on a terminal: a live bar on stderr, and on stdout only the result', async () => {
    submitted();
    broker.on(`GET /api/v1/queries/${QUERY_ID}/events`, { status: 200, text: eventStream(3, 'completed') });
    const run = await runFq(['submit', queryFile, '--watch'], { env, terminal: true });
    expect(run.exitCode).toBe(ExitCode.Ok);
    expect(run.stderr).toContain('sites answered');
    expect(run.stderr).toContain('Site 2: answered (2 of 3 sites)');
    expect(run.stdout).not.toContain('Site 2: answered');
    expect(run.stdout).toContain('Total: 300 patients');
  });

  it('with --watch --json piped: exactly one JSON document with the final result, nothing on stderr', async () => {
    submitted();
    broker.on(`GET /api/v1/queries/${QUERY_ID}/events`, { status: 200, text: eventStream(2, 'completed') });
    const run = await runFq(['--json', 'submit', queryFile, '--watch'], { env });
    const document = JSON.parse(run.stdout) as { id: string; result: unknown };
    expect(document.id).toBe(QUERY_ID);
    expect(QueryResultUpdate.parse(document.result)).toMatchObject({ status: 'completed', total: 200 });
    expect(run.stderr).toBe('');
  });

  it('exits 6 when the query expired, and opens a dropped stream again after the last event', async () => {
    submitted();
    const [firstHalf] = eventStream(1, 'expired').split('event: expired');
    let calls = 0;
    broker.on(`GET /api/v1/queries/${QUERY_ID}/events`, (request) => {
      calls++;
      return calls === 1
        ? { status: 200, text: firstHalf.slice(0, firstHalf.lastIndexOf('id:')) }
        : {
            status: 200,
            text:
              request.headers['last-event-id'] === '1'
                ? eventStream(1, 'expired').slice(firstHalf.lastIndexOf('id:'))
                : '',
          };
    });
    const run = await runFq(['submit', queryFile, '--watch'], { env });
    expect(run.exitCode).toBe(ExitCode.QueryUnsuccessful);
    expect(calls).toBe(2);
    expect(run.stdout).toContain(`Query ${QUERY_ID}: expired, 1 of 3 sites answered`);
  });
});

describe('exit codes of refusals', () => {
  beforeEach(signIn);

  it.each([
    [400, 'BROKER_QUERY_INVALID', ExitCode.Invalid],
    [404, 'BROKER_QUERY_NOT_FOUND', ExitCode.Invalid],
    [401, 'BROKER_TOKEN_EXPIRED', ExitCode.Auth],
    [403, 'BROKER_USER_BLACKLISTED', ExitCode.Auth],
    [429, 'BROKER_QUOTA_EXCEEDED', ExitCode.Quota],
    [500, 'BROKER_INTERNAL', ExitCode.Unreachable],
  ])(
    'answers HTTP %i (%s) with exit code %i, the problem on stderr and nothing on stdout',
    async (status, code, exitCode) => {
      broker.on('POST /api/v1/queries', {
        status,
        headers: status === 429 ? { 'Retry-After': '42' } : {},
        json: problem(status, code, 'refused for a reason', [
          { path: '$.inclusionCriteria', code: 'X_ISSUE', message: 'bad' },
        ]),
      });
      const run = await runFq(['submit', queryFile, '--json'], { env, now: new Date('2026-03-02T10:00:00Z') });
      expect(run.exitCode).toBe(exitCode);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`refused for a reason (${code})`);
      expect(run.stderr).toContain('  $.inclusionCriteria: bad (X_ISSUE)');
    },
  );

  it('says when to retry after a 429', async () => {
    broker.on('POST /api/v1/queries', {
      status: 429,
      headers: { 'Retry-After': '42' },
      json: problem(429, 'BROKER_QUOTA_EXCEEDED', 'soft quota'),
    });
    const run = await runFq(['submit', queryFile], { env, now: new Date('2026-03-02T10:00:00Z') });
    expect(run.stderr).toContain('try again in 42 s (at 10:00:42 UTC)');
  });

  it('exits 5 when the broker cannot be reached', async () => {
    await broker.stop();
    const run = await runFq(['quota'], { env });
    expect(run.exitCode).toBe(ExitCode.Unreachable);
    expect(run.stderr).toMatch(/cannot reach the broker at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('exits 2 for a query file that is not JSON and 1 for one that is missing, without asking the broker', async () => {
    writeFileSync(queryFile, '{ not json');
    expect((await runFq(['submit', queryFile], { env })).exitCode).toBe(ExitCode.Invalid);
    expect((await runFq(['submit', join(home, 'missing.json')], { env })).exitCode).toBe(ExitCode.Usage);
    expect(broker.requests).toEqual([]);
  });

  it('exits 1 for an unknown command, a missing argument or option; 0 for --help', async () => {
    expect((await runFq(['frobnicate'], { env })).exitCode).toBe(ExitCode.Usage);
    expect((await runFq(['submit'], { env })).exitCode).toBe(ExitCode.Usage);
    expect((await runFq(['save', queryFile], { env })).exitCode).toBe(ExitCode.Usage);
    const help = await runFq(['--help'], { env });
    expect(help.exitCode).toBe(ExitCode.Ok);
    expect(help.stdout).toContain('submit [options] <file>');
  });
});

describe('fq login', () => {
  it('checks a token from a file, then keeps it 0600 in a 0700 directory under XDG_CONFIG_HOME/fq', async () => {
    broker.on('GET /api/v1/quota', { status: 200, json: USAGE });
    const tokenFile = join(home, 'token');
    writeFileSync(tokenFile, 'file-token\n');
    const run = await runFq(['login', '--token-file', tokenFile], { env });
    expect(run).toMatchObject({ exitCode: ExitCode.Ok, stdout: `Signed in to ${broker.url} as alice (researcher)\n` });
    expect(broker.requests[0].headers.authorization).toBe('Bearer file-token');
    const file = join(env.XDG_CONFIG_HOME, 'fq', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.XDG_CONFIG_HOME, 'fq')).mode & 0o777).toBe(0o700);
    expect(await readCredentials(file)).toEqual({ brokerUrl: broker.url, token: 'file-token', expiresAt: null });
  });

  it('reads the token from stdin, and keeps nothing when the broker refuses it', async () => {
    broker.on('GET /api/v1/quota', { status: 401, json: problem(401, 'BROKER_TOKEN_INVALID', 'bad signature') });
    const run = await runFq(['login'], { env, stdin: 'stdin-token\n' });
    expect(run.exitCode).toBe(ExitCode.Auth);
    expect(broker.requests[0].headers.authorization).toBe('Bearer stdin-token');
    expect(await readCredentials(credentialsFileOf(env))).toBeNull();
  });

  it('gets a token from the development issuer with --dev', async () => {
    broker
      .on('POST /api/v1/dev-issuer/sign-in', {
        status: 200,
        json: { token: 'dev-token', expiresAt: '2026-03-02T18:00:00.000Z' },
      })
      .on('GET /api/v1/quota', { status: 200, json: { ...USAGE, userId: 'bob', role: 'admin' } });
    const run = await runFq(['login', '--dev', '--user', 'bob', '--role', 'admin', '--json'], { env });
    expect(JSON.parse(run.stdout)).toEqual({
      brokerUrl: broker.url,
      userId: 'bob',
      role: 'admin',
      expiresAt: '2026-03-02T18:00:00.000Z',
    });
    expect(broker.requests[0].body).toEqual({ user: 'bob', role: 'admin' });
  });

  it('never sends the stored token to another broker, and refuses an expired one before asking', async () => {
    await signIn();
    const other = await runFq(['quota', '--broker', 'http://127.0.0.1:9'], { env });
    expect(other).toMatchObject({ exitCode: ExitCode.Auth });
    expect(other.stderr).toContain('not signed in to http://127.0.0.1:9');
    await signIn('2026-03-02T09:00:00.000Z');
    const expired = await runFq(['quota'], { env, now: new Date('2026-03-02T10:00:00Z') });
    expect(expired.exitCode).toBe(ExitCode.Auth);
    expect(broker.requests).toEqual([]);
  });
});

describe('history, saved queries and quota', () => {
  beforeEach(signIn);

  it('lists every user’s queries for an admin with the submitter column, and says how to page on', async () => {
    broker.on('GET /api/v1/queries', {
      status: 200,
      json: {
        items: [{ ...aResult('completed', 3), title: 'Women', submitter: 'bob' }].map(
          ({ breakdownHidden: _b, sites: _s, thresholds: _t, ...summary }) => summary,
        ),
        limit: 1,
        nextCursor: 'abc',
        totalItems: 2,
      },
    });
    const run = await runFq(['list', '--all', '--user', 'bob', '--limit', '1'], { env });
    expect(broker.requests[0].query.toString()).toBe('limit=1&all=true&user=bob');
    expect(run.stdout.split('\n')[0]).toMatch(/^SUBMITTED +STATUS +TOTAL +SITES +SUBMITTER +ID +TITLE$/);
    expect(run.stdout).toContain(`bob        ${QUERY_ID}  Women`);
    expect(run.stderr).toBe('More: fq list --cursor abc\n');
  });

  it('runs a saved query by name, titled with its name', async () => {
    const saved = {
      id: '0b9f6c1e-8c1d-4a5e-9a3b-2f1d0c9e8b7a',
      name: 'Women',
      comment: null,
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
    };
    broker
      .on('GET /api/v1/saved-queries', { status: 200, json: { items: [saved], maxItems: 200 } })
      .on(`GET /api/v1/saved-queries/${saved.id}`, { status: 200, json: { ...saved, query: QUERY } });
    submitted();
    const run = await runFq(['saved', 'run', 'Women'], { env });
    expect(run).toMatchObject({ exitCode: ExitCode.Ok, stdout: `${QUERY_ID}\n` });
    expect(broker.requests.at(-1)?.body).toEqual({ ...QUERY, display: 'Women' });
    const unknown = await runFq(['saved', 'delete', 'Nobody'], { env });
    expect(unknown.exitCode).toBe(ExitCode.Invalid);
  });

  it('shows the quota in words, and as the broker’s JSON with --json', async () => {
    broker.on('GET /api/v1/quota', { status: 200, json: USAGE });
    const run = await runFq(['quota'], { env });
    expect(run.stdout).toContain('Submissions: 2 of 3 left this minute');
    expect(run.stdout).toContain('Hard limit (exceeding it blacklists you): 99 of 100 left this week');
    const json = await runFq(['quota', '--json'], { env });
    expect(JSON.parse(json.stdout)).toEqual(USAGE);
  });
});
