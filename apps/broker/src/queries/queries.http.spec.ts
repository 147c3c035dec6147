import { hashQuery, parseStructuredQuery } from '@fq/ccdl';
import { ProblemDetails, QueryList, QueryResult, SubmitQueryResponse } from '@fq/contracts';
import request from 'supertest';
import { answered, FEMALE_QUERY, startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import type { CallerRole } from '../identity/caller';
import { QueriesRepository } from '../persistence/queries.repository';
import { QueryDispatchService } from './query-dispatch.service';
import { queryEnvelopeId } from './query-envelope';

const as = (id: string, role: CallerRole = 'researcher') => broker.as(id, role);
let broker: TestBroker;

beforeEach(async () => {
  broker = await startSqliteTestBroker();
});

afterEach(async () => {
  await broker.close();
});

async function submit(body: unknown = FEMALE_QUERY, who = 'alice'): Promise<string> {
  const response = await request(broker.url)
    .post('/api/v1/queries')
    .set(await as(who))
    .send(body as object)
    .expect(201);
  return SubmitQueryResponse.parse(response.body).id;
}

describe('POST /api/v1/queries', () => {
  it('answers 201 with Location and the id', async () => {
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await as('alice'))
      .send(FEMALE_QUERY)
      .expect(201);
    const { id, warnings } = SubmitQueryResponse.parse(response.body);
    expect(response.headers.location).toBe(`/api/v1/queries/${id}`);
    expect(warnings).toEqual([]);
  });

  it('answers 400 naming the known property for a misspelled one, and stores nothing', async () => {
    const [criterion] = FEMALE_QUERY.inclusionCriteria[0];
    const { valueFilter, ...rest } = criterion;
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await as('alice'))
      .send({ ...FEMALE_QUERY, inclusionCriteria: [[{ ...rest, valuefilter: valueFilter }]] })
      .expect(400);
    expect(ProblemDetails.parse(response.body)).toMatchObject({
      code: 'BROKER_QUERY_INVALID',
      issues: [
        {
          path: '$.inclusionCriteria[0][0].valuefilter',
          code: 'CCDL_PROPERTY_MISSPELLED',
          message: 'unknown property valuefilter at $.inclusionCriteria[0][0]: did you mean valueFilter?',
        },
      ],
    });
    expect(broker.transport.published).toEqual([]);
  });

  it('accepts other unknown properties and lists each as a warning in the 201 body', async () => {
    const [criterion] = FEMALE_QUERY.inclusionCriteria[0];
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await as('alice'))
      .send({ cohortDefinition: { ...FEMALE_QUERY, inclusionCriteria: [[{ ...criterion, note: 'protocol 7' }]] } })
      .expect(201);
    expect(SubmitQueryResponse.parse(response.body).warnings).toEqual([
      {
        code: 'CCDL_UNKNOWN_PROPERTY',
        path: '$.cohortDefinition.inclusionCriteria[0][0].note',
        message:
          'unknown property note at $.cohortDefinition.inclusionCriteria[0][0]: CCDL does not define it, so no site evaluates it',
      },
    ]);
  });

  it("accepts a term code the broker's catalog does not know and names it in a warning", async () => {
    const [criterion] = FEMALE_QUERY.inclusionCriteria[0];
    const unknownLab = {
      context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
      termCodes: [{ system: 'http://loinc.org', code: '9999-9', display: 'not in any catalog' }],
    };
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await as('alice'))
      .send({ ...FEMALE_QUERY, inclusionCriteria: [[criterion, unknownLab]] })
      .expect(201);
    expect(SubmitQueryResponse.parse(response.body).warnings).toEqual([
      {
        code: 'CCDL_UNKNOWN_TERM_CODE',
        path: '$.inclusionCriteria[0][1].termCodes[0]',
        message: "the broker's catalog does not know http://loinc.org|9999-9; a site may still know it",
      },
    ]);
    expect(broker.transport.published).toHaveLength(3);
  });

  it('stores the query before it sends one envelope per registered site', async () => {
    const repository = broker.app.get(QueriesRepository);
    const storedWhenPublished: boolean[] = [];
    broker.transport.beforePublish = async (envelope) => {
      storedWhenPublished.push((await repository.findQuery(envelope.payload.queryId)) !== null);
    };
    const id = await submit();
    expect(storedWhenPublished).toEqual([true, true, true]);
    const published = broker.transport.published;
    expect(published.map((p) => p.siteId).sort()).toEqual(['site-a', 'site-b', 'site-c']);
    const parsed = parseStructuredQuery(FEMALE_QUERY);
    if (!parsed.ok) {
      throw parsed.error;
    }
    for (const { siteId, envelope } of published) {
      expect(envelope).toMatchObject({
        id: queryEnvelopeId(id, siteId),
        type: 'query',
        sender: { kind: 'broker' },
        expiresAt: '2026-03-02T09:01:00.000Z',
        payload: { queryId: id, queryHash: hashQuery(parsed.value), query: parsed.value },
      });
    }
    expect((await repository.findQuery(id))?.dispatchedAt).toBe('2026-03-02T09:00:00.000Z');
  });

  it('sends each site its own stable pseudonym of the researcher, never the id itself', async () => {
    const pseudonymsOf = async (who: string): Promise<Map<string, string>> => {
      const id = await submit(FEMALE_QUERY, who);
      const sent = broker.transport.published.filter((p) => p.envelope.payload.queryId === id);
      return new Map(sent.map((p) => [p.siteId, p.envelope.payload.requester]));
    };
    const alice1 = await pseudonymsOf('alice');
    const alice2 = await pseudonymsOf('alice');
    const bob = await pseudonymsOf('bob');
    expect([...alice1.keys()].sort()).toEqual(['site-a', 'site-b', 'site-c']);
    expect(alice2).toEqual(alice1);
    expect(new Set(alice1.values()).size).toBe(3);
    for (const [siteId, pseudonym] of alice1) {
      expect(pseudonym).toMatch(/^r-[0-9a-f]{32}$/);
      expect(pseudonym).not.toContain('alice');
      expect(bob.get(siteId)).not.toBe(pseudonym);
    }
  });

  it('accepts a CRTDL document and sends the query it carries', async () => {
    await submit({ version: 'crtdl', cohortDefinition: FEMALE_QUERY, dataExtraction: { attributeGroups: [] } });
    expect(broker.transport.published[0].envelope.payload.query.inclusionCriteria).toEqual(
      FEMALE_QUERY.inclusionCriteria,
    );
  });

  it('answers 400 problem+json listing every issue and stores nothing', async () => {
    const response = await request(broker.url)
      .post('/api/v1/queries')
      .set(await as('alice'))
      .send({
        inclusionCriteria: [
          [{ termCodes: [], timeRestriction: { afterDate: '2024-02-01', beforeDate: '2024-01-01' } }],
        ],
        exclusionCriteria: 'none',
      })
      .expect(400)
      .expect('Content-Type', 'application/problem+json; charset=utf-8');
    const problem = ProblemDetails.parse(response.body);
    expect(problem).toMatchObject({ status: 400, code: 'BROKER_QUERY_INVALID', title: 'Invalid query' });
    expect(problem.issues?.map((issue) => [issue.path, issue.code])).toEqual(
      expect.arrayContaining([
        ['$.inclusionCriteria[0][0].termCodes', 'CCDL_TOO_SMALL'],
        ['$.inclusionCriteria[0][0].timeRestriction.beforeDate', 'CCDL_TIME_RANGE_INVERTED'],
        ['$.exclusionCriteria', 'CCDL_INVALID_TYPE'],
      ]),
    );
    expect(broker.transport.published).toEqual([]);
    const list = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .set(await as('alice'))
          .expect(200)
      ).body,
    );
    expect(list.totalItems).toBe(0);
  });

  it('still accepts the query when the network refuses it, and sends it once the network is back', async () => {
    broker.transport.failPublishing = true;
    const id = await submit();
    expect(broker.transport.published).toEqual([]);
    broker.transport.failPublishing = false;
    await broker.app.get(QueryDispatchService).dispatchPending();
    expect(broker.transport.published.map((p) => p.envelope.payload.queryId)).toEqual([id, id, id]);
  });
});

describe('GET /api/v1/queries/{id}', () => {
  it('shows a running query with every site pending under a pseudonym', async () => {
    const id = await submit();
    const view = QueryResult.parse(
      (
        await request(broker.url)
          .get(`/api/v1/queries/${id}`)
          .set(await as('alice'))
          .expect(200)
      ).body,
    );
    expect(view).toMatchObject({
      id,
      status: 'running',
      total: null,
      totalHidden: 'query-running',
      breakdownHidden: 'query-running',
      totalSites: 3,
    });
    expect(view.sites).toEqual([
      { site: 'Site 1', status: 'pending', count: null },
      { site: 'Site 2', status: 'pending', count: null },
      { site: 'Site 3', status: 'pending', count: null },
    ]);
  });

  it('shows answers with the total and the breakdown once three sites report more than 20', async () => {
    const id = await submit();
    const hash = broker.transport.published[0].envelope.payload.queryHash;
    for (const [site, count] of [
      ['site-a', 30],
      ['site-b', 40],
      ['site-c', 50],
    ] as const) {
      await broker.transport.deliver(answered(id, site, hash, count), broker.clock.now());
    }
    const view = QueryResult.parse(
      (
        await request(broker.url)
          .get(`/api/v1/queries/${id}`)
          .set(await as('alice'))
          .expect(200)
      ).body,
    );
    expect(view).toMatchObject({ status: 'completed', total: 120, breakdownHidden: null, reportedSites: 3 });
    expect(view.sites.map((site) => site.count).sort()).toEqual([30, 40, 50]);
  });

  it('keeps a site under the same pseudonym on every read, and shuffles pseudonyms between queries', async () => {
    const permutations = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const id = await submit();
      const read = async () =>
        QueryResult.parse(
          (
            await request(broker.url)
              .get(`/api/v1/queries/${id}`)
              .set(await as('root', 'admin'))
          ).body,
        )
          .sites.map((site) => `${site.siteId}`)
          .join(',');
      const first = await read();
      expect(await read()).toBe(first);
      permutations.add(first);
    }
    // Six orders of three sites; twelve queries in one order would happen with probability 6^-11.
    expect(permutations.size).toBeGreaterThan(1);
  });

  it("answers 404 problem+json for an unknown id, a malformed id and another researcher's query", async () => {
    const id = await submit(FEMALE_QUERY, 'alice');
    for (const [path, who] of [
      ['/api/v1/queries/0e3c6d0e-8d0c-4a53-9b7e-0c1f2a3b4c5d', 'alice'],
      ['/api/v1/queries/not-a-uuid', 'alice'],
      [`/api/v1/queries/${id}`, 'bob'],
      [`/api/v1/queries/${id}/events`, 'bob'],
    ]) {
      const response = await request(broker.url)
        .get(path)
        .set(await as(who))
        .expect(404);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(ProblemDetails.parse(response.body).code).toBe('BROKER_QUERY_NOT_FOUND');
    }
  });

  it('lets an admin read any query with real site names', async () => {
    const id = await submit(FEMALE_QUERY, 'alice');
    const view = QueryResult.parse(
      (
        await request(broker.url)
          .get(`/api/v1/queries/${id}`)
          .set(await as('root', 'admin'))
          .expect(200)
      ).body,
    );
    expect(view.sites.map((site) => site.site).sort()).toEqual(['Uniklinik A', 'Uniklinik B', 'Uniklinik C']);
  });
});

describe('GET /api/v1/queries', () => {
  it("lists only the caller's queries, newest first, a page at a time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await submit());
      broker.clock.advance(1000);
    }
    await submit(FEMALE_QUERY, 'bob');
    const first = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries?limit=2')
          .set(await as('alice'))
          .expect(200)
      ).body,
    );
    const page = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .query({ limit: 2, cursor: first.nextCursor })
          .set(await as('alice'))
          .expect(200)
      ).body,
    );
    expect(page).toMatchObject({ limit: 2, totalItems: 5 });
    expect(page.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    const all = QueryList.parse(
      (
        await request(broker.url)
          .get('/api/v1/queries')
          .set(await as('alice'))
          .expect(200)
      ).body,
    );
    expect(all.items.map((item) => item.id)).toEqual([...ids].reverse());
    expect(all.limit).toBe(20);
  });

  it('answers 400 for a page size out of range', async () => {
    const response = await request(broker.url)
      .get('/api/v1/queries?limit=1000')
      .set(await as('alice'))
      .expect(400);
    expect(ProblemDetails.parse(response.body)).toMatchObject({
      code: 'BROKER_PARAMETER_INVALID',
      issues: [{ path: 'query:limit' }],
    });
  });
});
