import { expectProblem } from '@fq/process-kit';
import { type BrokerHandle, NetworkWorld } from './support';

const MII = 'fdpg.mii.cds';
const ICD10GM = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';

describe('a bad query body', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;

  beforeAll(async () => {
    world = await NetworkWorld.create();
    // No site needs to run: a bad body never gets as far as NATS.
    broker = await world.startBroker(world.brokerEnv([world.newSiteId('unused')]));
  });

  afterAll(async () => {
    await world?.close();
  });

  it('that is not JSON gets 400 problem+json', async () => {
    const answer = await broker.client.post('{"inclusionCriteria": [', 'application/json');

    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(expectProblem(answer)).toMatchObject({ status: 400, code: 'BROKER_BODY_INVALID_JSON' });
  });

  it('with a structural error gets 400 problem+json listing every issue with path, code and message', async () => {
    const answer = await broker.client.post({
      inclusionCriteria: [
        [{ context: { system: MII, code: 'Diagnose' }, termCodes: [] }],
        [{ context: { system: MII, code: 'Diagnose' }, termCodes: 'E11' }],
      ],
    });

    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    const problem = expectProblem(answer);
    expect(problem.code).toBe('BROKER_QUERY_INVALID');
    expect(problem.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.inclusionCriteria[0][0].termCodes', code: 'CCDL_TOO_SMALL' }),
        expect.objectContaining({ path: '$.inclusionCriteria[1][0].termCodes', code: 'CCDL_INVALID_TYPE' }),
      ]),
    );
    for (const issue of problem.issues ?? []) {
      expect(issue.message.length).toBeGreaterThan(0);
    }
  });

  it('with an inverted time range gets 400 with CCDL_TIME_RANGE_INVERTED at the restriction', async () => {
    const answer = await broker.client.post({
      inclusionCriteria: [
        [
          {
            context: { system: MII, code: 'Diagnose' },
            termCodes: [{ system: ICD10GM, code: 'E11' }],
            timeRestriction: { afterDate: '2024-01-01', beforeDate: '2020-01-01' },
          },
        ],
      ],
    });

    expect(answer.status).toBe(400);
    expect(expectProblem(answer).issues).toEqual([
      expect.objectContaining({
        path: '$.inclusionCriteria[0][0].timeRestriction.beforeDate',
        code: 'CCDL_TIME_RANGE_INVERTED',
      }),
    ]);
  });

  it('sent as something other than JSON gets 415 problem+json', async () => {
    const answer = await broker.client.post('inclusionCriteria=E11', 'application/x-www-form-urlencoded');

    expect(answer.status).toBe(415);
    expect(expectProblem(answer).code).toBe('BROKER_UNSUPPORTED_MEDIA_TYPE');
  });

  it('is not stored: the caller’s query list stays empty', async () => {
    const list = await broker.client.get('/api/v1/queries');

    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ items: [], totalItems: 0 });
  });
});
