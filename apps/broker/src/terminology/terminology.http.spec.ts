import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinCatalogFile } from '@fq/catalog';
import { ProblemDetails, TerminologyEntry, TerminologySearchResponse, ValidationProblemDetails } from '@fq/contracts';
import request from 'supertest';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';
import { openCriteriaCatalog } from './criteria-catalog.provider';
let broker: TestBroker;
let auth: Record<string, string>;

beforeAll(async () => {
  broker = await startSqliteTestBroker();
  auth = await broker.as('alice');
});

afterAll(async () => {
  await broker.close();
});

const search = (query: Record<string, string>) =>
  request(broker.url).get('/api/v1/terminology/search').query(query).set(auth);

describe('GET /api/v1/terminology/search', () => {
  it('finds "E11 Diabetes mellitus, Typ 2" for "diab", with its context and whether it is selectable', async () => {
    const response = await search({ q: 'diab' }).expect(200);
    const body = TerminologySearchResponse.parse(response.body);
    expect(body.results).toContainEqual(
      expect.objectContaining({
        termCode: expect.objectContaining({ code: 'E11', display: 'Diabetes mellitus, Typ 2' }) as unknown,
        context: expect.objectContaining({ code: 'Diagnose' }) as unknown,
        selectable: true,
        hasChildren: true,
      }),
    );
    expect(body.results.length).toBeLessThanOrEqual(20);
    expect(body.total).toBeGreaterThanOrEqual(body.results.length);
  });

  it('filters by context and honours the limit', async () => {
    const body = TerminologySearchResponse.parse(
      (await search({ q: 'Hämoglobin', context: 'Laboruntersuchung', limit: '2' }).expect(200)).body,
    );
    expect(body.results).toHaveLength(2);
    expect(body.results.every((r) => r.context.code === 'Laboruntersuchung')).toBe(true);
    expect(body.total).toBeGreaterThan(2);
  });

  it.each([
    [{ q: 'diab', limit: '0' }, 'query:limit'],
    [{ q: 'diab', limit: '101' }, 'query:limit'],
    [{ q: 'diab', limit: 'many' }, 'query:limit'],
    [{}, 'query:q'],
    [{ q: '   ' }, 'query:q'],
    [{ q: 'x'.repeat(101) }, 'query:q'],
    [{ q: 'diab', sort: 'name' }, 'query:'],
  ])('answers 400 problem details for %j', async (query, path) => {
    const response = await search(query)
      .expect(400)
      .expect('content-type', /application\/problem\+json/);
    const problem = ValidationProblemDetails.parse(response.body);
    expect(problem.code).toBe('BROKER_PARAMETER_INVALID');
    expect(problem.issues[0].path).toBe(path);
  });

  it('needs a bearer token like every researcher route', async () => {
    const response = await request(broker.url).get('/api/v1/terminology/search').query({ q: 'diab' }).expect(401);
    expect(ProblemDetails.parse(response.body).code).toBe('BROKER_AUTH_REQUIRED');
  });
});

describe('GET /api/v1/terminology/entries/{id}', () => {
  it('gives the entry with parents, children, filters, units and its bare criterion', async () => {
    const [hba1c] = TerminologySearchResponse.parse((await search({ q: '4548-4' }).expect(200)).body).results;
    const response = await request(broker.url).get(`/api/v1/terminology/entries/${hba1c.id}`).set(auth).expect(200);
    const entry = TerminologyEntry.parse(response.body);
    expect(entry).toMatchObject({ id: hba1c.id, termCode: { code: '4548-4' }, parents: [], children: [] });
    expect(entry.filters).toMatchObject({
      timeRestrictionAllowed: true,
      valueFilter: { type: 'quantity', allowedUnits: [{ code: '%' }] },
    });
    expect(entry.criterion.termCodes[0].code).toBe('4548-4');

    const [e11] = TerminologySearchResponse.parse((await search({ q: 'E11' }).expect(200)).body).results;
    const diabetes = TerminologyEntry.parse(
      (await request(broker.url).get(`/api/v1/terminology/entries/${e11.id}`).set(auth).expect(200)).body,
    );
    expect(diabetes.parents.map((p) => p.termCode.code)).toEqual(['E10-E14']);
    expect(diabetes.children.length).toBeGreaterThan(3);
  });

  it('answers 404 problem details for an unknown id and 400 for a malformed one', async () => {
    const missing = await request(broker.url)
      .get('/api/v1/terminology/entries/00000000-0000-8000-8000-000000000000')
      .set(auth)
      .expect(404);
    expect(ProblemDetails.parse(missing.body)).toMatchObject({
      code: 'BROKER_TERMINOLOGY_ENTRY_NOT_FOUND',
      status: 404,
    });
    const malformed = await request(broker.url).get('/api/v1/terminology/entries/a%20b').set(auth).expect(400);
    expect(ValidationProblemDetails.parse(malformed.body).issues[0].path).toBe('path:id');
  });
});

describe('openCriteriaCatalog', () => {
  it('loads BROKER_CATALOG_FILE instead of the built-in catalog, and refuses a malformed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fq-catalog-file-'));
    try {
      const file = builtinCatalogFile();
      const small = { ...file, name: 'small', entries: file.entries.filter((e) => e.context.code === 'Patient') };
      writeFileSync(join(dir, 'catalog.json'), JSON.stringify(small));
      const catalog = await openCriteriaCatalog({ catalogFile: join(dir, 'catalog.json') });
      expect(catalog.name).toBe('small');
      expect(catalog.size).toBe(2);
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...small, entries: [{ id: 'x' }] }));
      await expect(openCriteriaCatalog({ catalogFile: join(dir, 'bad.json') })).rejects.toThrow(
        /BROKER_CATALOG_FILE: .*bad\.json: the catalog file is invalid: .*\$\.entries\[0\]/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
