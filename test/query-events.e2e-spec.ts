import { QueryResultUpdate, SiteResultEvent } from '@fq/contracts';
import { expectShape, openEventStream } from '@fq/process-kit';
import { adultsQuery, type BrokerHandle, NetworkWorld } from './support';

describe('the server-sent event stream of a query', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  const siteIds: string[] = [];

  beforeAll(async () => {
    world = await NetworkWorld.create();
    const network = await world.startNetwork([
      ['north', 300],
      ['south', 200],
      ['east', 120],
    ]);
    broker = network.broker;
    siteIds.push(...network.sites.map((site) => site.id));
  });

  afterAll(async () => {
    await world?.close();
  });

  it('delivers one site-result event per site and then one completed event, and ends', async () => {
    const id = await broker.client.submit(adultsQuery());
    const stream = await openEventStream(broker.client.eventsUrl(id), broker.client.headers);

    await stream.waitForEvent((event) => event.event === 'completed', 20_000);
    await stream.ended;

    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/);
    const siteEvents = stream.events.filter((event) => event.event === 'site-result');
    expect(stream.events.map((event) => event.event)).toEqual([
      'site-result',
      'site-result',
      'site-result',
      'completed',
    ]);
    const parsed = siteEvents.map((event) =>
      expectShape(SiteResultEvent, JSON.parse(event.data), 'a site-result event'),
    );
    expect(parsed.map((event) => event.status)).toEqual(['answered', 'answered', 'answered']);
    // Each event carries the result as it stood then (not the query): one more site has answered each time.
    expect(parsed.map((event) => event.result.sites.filter((site) => site.status !== 'pending').length)).toEqual([
      1, 2, 3,
    ]);
    // With the default thresholds (3 sites above 20) three sites can show their figures only once all have answered:
    // before that, a running total and its steps would give away a breakdown the final result might hide.
    for (const { result } of parsed.slice(0, 2)) {
      expect(result).toMatchObject({ status: 'running', total: null, totalHidden: 'query-running' });
      expect(result.breakdownHidden).toBe('query-running');
      expect(result.sites.map((site) => [site.count, site.belowThreshold])).toEqual([
        [null, undefined],
        [null, undefined],
        [null, undefined],
      ]);
    }
    expect(parsed.map((event) => event.result.reportedSites)).toEqual([1, 2, 3]);
    const final = expectShape(QueryResultUpdate, JSON.parse(stream.events[3].data), 'the completed event');
    expect(final).toMatchObject({ id, status: 'completed' });
    // The last answer completed the query: its event shows the final result.
    expect(parsed[2].result).toEqual(final);
    expect(new Set(final.sites.map((site) => site.siteId))).toEqual(new Set(siteIds));
    expect(stream.events.map((event) => event.id)).toEqual(['1', '2', '3', '4']);
  });

  it('replays the events of a finished query to a late subscriber', async () => {
    const id = await broker.client.submit(adultsQuery(40));
    await broker.client.waitForResult(id, (result) => result.status === 'completed', 20_000);

    const stream = await openEventStream(broker.client.eventsUrl(id), broker.client.headers);
    await stream.ended;

    expect(stream.events.map((event) => event.event)).toEqual([
      'site-result',
      'site-result',
      'site-result',
      'completed',
    ]);
  });

  it('resumes after Last-Event-ID with only the events not yet seen', async () => {
    const id = await broker.client.submit(adultsQuery(50));
    await broker.client.waitForResult(id, (result) => result.status === 'completed', 20_000);

    const stream = await openEventStream(broker.client.eventsUrl(id), {
      ...broker.client.headers,
      'Last-Event-ID': '2',
    });
    await stream.ended;

    expect(stream.events.map((event) => `${event.id}:${event.event}`)).toEqual(['3:site-result', '4:completed']);
  });
});
