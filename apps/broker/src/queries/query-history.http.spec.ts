import { hashQuery, parseStructuredQuery } from '@fq/ccdl';
import { ProblemDetails, QueryList, type QueryListParamsInput, SubmitQueryResponse } from '@fq/contracts';
import fc from 'fast-check';
import request from 'supertest';
import {
  answered,
  FEMALE_QUERY,
  startSqliteTestBroker,
  THREE_SITES,
  type TestBroker,
} from '../__fixtures__/test-broker';
import type { CallerRole } from '../identity/caller';
let broker: TestBroker;

beforeEach(async () => {
  broker = await startSqliteTestBroker();
});

afterEach(async () => {
  await broker.close();
});

async function submit(who = 'alice', display?: string): Promise<string> {
  const response = await request(broker.url)
    .post('/api/v1/queries')
    .set(await broker.as(who))
    .send(display === undefined ? FEMALE_QUERY : { ...FEMALE_QUERY, display })
    .expect(201);
  broker.clock.advance(1000);
  return SubmitQueryResponse.parse(response.body).id;
}

async function list(params: QueryListParamsInput | string, who = 'alice', role: CallerRole = 'researcher') {
  const response = await request(broker.url)
    .get('/api/v1/queries')
    .query(params)
    .set(await broker.as(who, role))
    .expect(200);
  return QueryList.parse(response.body);
}

async function answerAll(id: string, count: number): Promise<void> {
  const parsed = parseStructuredQuery(FEMALE_QUERY);
  const hash = parsed.ok ? hashQuery(parsed.value) : '';
  for (const [site] of THREE_SITES) {
    await broker.transport.deliver(answered(id, site, hash, count), broker.clock.now());
  }
}

describe('GET /api/v1/queries', () => {
  it("lists only the caller's queries, newest first, with title, status and total", async () => {
    const first = await submit('alice', '  Women, all ages  ');
    const second = await submit('alice');
    await submit('bob', 'Bob’s query');
    await answerAll(first, 100);
    const page = await list({});
    expect(page.nextCursor).toBeNull();
    expect(page.totalItems).toBe(2);
    expect(page.items).toEqual([
      expect.objectContaining({ id: second, title: null, status: 'running', total: null }),
      expect.objectContaining({ id: first, title: 'Women, all ages', status: 'completed', total: 300 }),
    ]);
    expect(page.items.every((item) => item.submitter === undefined)).toBe(true);
  });

  it('pages with the cursor until nextCursor is null, every query once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await submit());
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      expect(page).toMatchObject({ limit: 2, totalItems: 5 });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status and by submission time (an offset is read as the instant it names)', async () => {
    const early = await submit();
    await answerAll(early, 50);
    broker.clock.advance(5_000);
    const late = await submit();
    expect((await list({ status: 'completed' })).items.map((item) => item.id)).toEqual([early]);
    expect((await list({ status: 'running' })).items.map((item) => item.id)).toEqual([late]);
    const lateAt = (await list({})).items[0].createdAt;
    const inBerlin = new Date(Date.parse(lateAt) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect((await list({ since: inBerlin })).items.map((item) => item.id)).toEqual([late]);
  });

  it("lists every user's queries with the submitter for an admin who asks for all, narrowed by user", async () => {
    const alices = await submit('alice');
    const bobs = await submit('bob');
    const all = await list({ all: 'true' }, 'root', 'admin');
    expect(all.items.map((item) => [item.id, item.submitter])).toEqual([
      [bobs, 'bob'],
      [alices, 'alice'],
    ]);
    const onlyBob = await list({ all: 'true', user: 'bob' }, 'root', 'admin');
    expect(onlyBob.items.map((item) => item.id)).toEqual([bobs]);
    expect(onlyBob.totalItems).toBe(1);
    // Without all=true an admin sees their own history, as everybody does.
    expect((await list({}, 'root', 'admin')).items).toEqual([]);
  });

  it('answers 403 to a researcher who asks for every user’s queries', async () => {
    const response = await request(broker.url)
      .get('/api/v1/queries?all=true')
      .set(await broker.as('alice'))
      .expect(403);
    expect(ProblemDetails.parse(response.body).code).toBe('BROKER_ROLE_FORBIDDEN');
  });

  it.each([
    ['limit=1000', 'query:limit'],
    ['user=bob', 'query:user'],
    ['all=yes', 'query:all'],
    ['status=done', 'query:status'],
    ['since=yesterday', 'query:since'],
    ['cursor=not%20one', 'query:cursor'],
    ['offset=1', 'query:'],
  ])('answers 400 BROKER_PARAMETER_INVALID for %s, naming %s', async (queryString, path) => {
    const response = await request(broker.url)
      .get(`/api/v1/queries?${queryString}`)
      .set(await broker.as('root', 'admin'))
      .expect(400);
    expect(ProblemDetails.parse(response.body)).toMatchObject({
      code: 'BROKER_PARAMETER_INVALID',
      issues: [expect.objectContaining({ path })],
    });
  });

  it('answers 400 for any cursor it did not give, never a 500', async () => {
    await submit();
    const cursors = fc.oneof(
      fc.base64String({ minLength: 1, maxLength: 40 }).map((text) => text.replace(/[+/=]/g, '_')),
      fc.json().map((json) => Buffer.from(json).toString('base64url')),
      fc.tuple(fc.string(), fc.string()).map((position) => Buffer.from(JSON.stringify(position)).toString('base64url')),
    );
    const headers = await broker.as('alice');
    await fc.assert(
      fc.asyncProperty(cursors, async (cursor) => {
        const response = await request(broker.url).get('/api/v1/queries').query({ cursor }).set(headers);
        expect(response.status).toBe(400);
        expect(ProblemDetails.parse(response.body).issues?.[0]?.path).toBe('query:cursor');
      }),
      { numRuns: 60 },
    );
  });
});
