import { QueryResultUpdate } from '@fq/contracts';
import { type BrokerHttpClient, openEventStream } from '@fq/process-kit';

/** How one query ended, as its final server-sent event told. */
export interface QueryOutcome {
  id: string;
  /** `completed` (every site answered, refused or failed) or `expired`. */
  finalEvent: 'completed' | 'expired';
  /** Sites whose answer was `answered`. */
  answeredSites: number;
  sites: number;
  /** From just before the POST to the arrival of the final event. */
  elapsedMs: number;
}

const FINAL_EVENTS = new Set(['completed', 'expired']);

/** POSTs `query`, follows its event stream to the final event and returns how it ended and how long it took. */
export async function runQuery(client: BrokerHttpClient, query: unknown): Promise<QueryOutcome> {
  const started = performance.now();
  const id = await client.submit(query);
  const url = client.eventsUrl(id);
  const stream = await openEventStream(url, client.headers);
  try {
    if (stream.response.statusCode !== 200) {
      throw new Error(`GET ${url} answered ${stream.response.statusCode}`);
    }
    // Resolves the moment the final frame arrives (no polling); the broker ends every query by its deadline.
    const event = await stream.waitForEvent((candidate) => FINAL_EVENTS.has(candidate.event) && candidate.data !== '');
    const elapsedMs = performance.now() - started;
    const parsed = QueryResultUpdate.safeParse(parseJson(event.data));
    if (!parsed.success) {
      throw new Error(`the ${event.event} event of ${id} does not match QueryResultUpdate: ${parsed.error.message}`);
    }
    return {
      id,
      finalEvent: event.event === 'completed' ? 'completed' : 'expired',
      answeredSites: parsed.data.sites.filter((site) => site.status === 'answered').length,
      sites: parsed.data.sites.length,
      elapsedMs,
    };
  } finally {
    // Closes the stream now instead of waiting for the broker to end it.
    stream.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
