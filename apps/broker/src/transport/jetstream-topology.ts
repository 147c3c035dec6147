import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamManager,
  nanos,
  NatsError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import {
  HEARTBEAT_STREAM,
  QUERY_STREAM,
  RESULT_STREAM,
  type SiteId,
  siteQueryConsumerName,
  siteQuerySubject,
} from '@fq/contracts';

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
// JetStream API error codes (nats-server errors.json).
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/** The durable pull consumer through which the broker reads results. */
export const RESULTS_CONSUMER = 'broker-results';

/** The stream configurations of decision 0005. */
export function streamConfigs(): Array<Partial<StreamConfig> & { name: string }> {
  const common = { storage: StorageType.File, retention: RetentionPolicy.Limits, num_replicas: 1 };
  return [
    {
      ...common,
      name: QUERY_STREAM.name,
      subjects: [...QUERY_STREAM.subjects],
      max_age: nanos(SEVEN_DAYS_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    },
    {
      ...common,
      name: RESULT_STREAM.name,
      subjects: [...RESULT_STREAM.subjects],
      max_age: nanos(SEVEN_DAYS_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    },
    { ...common, name: HEARTBEAT_STREAM.name, subjects: [...HEARTBEAT_STREAM.subjects], max_msgs_per_subject: 1 },
  ];
}

/** Creates or updates the three streams, each site's consumer `site-<id>` and the broker's `broker-results`. */
export async function ensureJetStreamTopology(jsm: JetStreamManager, siteIds: readonly SiteId[]): Promise<void> {
  for (const config of streamConfigs()) {
    await ensureStream(jsm, config);
  }
  for (const siteId of siteIds) {
    await ensureConsumer(jsm, QUERY_STREAM.name, {
      // The broker creates each site's consumer, so a site never needs the right to.
      durable_name: siteQueryConsumerName(siteId),
      filter_subject: siteQuerySubject(siteId),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
  }
  await ensureConsumer(jsm, RESULT_STREAM.name, {
    durable_name: RESULTS_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (apiErrorCode(error) !== STREAM_NOT_FOUND) {
      throw error;
    }
    await jsm.streams.add(config);
    return;
  }
  const { name, storage: _storage, retention: _retention, ...changeable } = config;
  await jsm.streams.update(name, changeable);
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, config.durable_name);
    // Filter and ack policy cannot change in place; an operator who edited them by hand gets a clear error.
    if ((info.config.filter_subject ?? '') !== (config.filter_subject ?? '')) {
      throw new Error(
        `consumer ${config.durable_name} on ${stream} filters ${info.config.filter_subject ?? 'nothing'}, expected ${config.filter_subject ?? 'nothing'}`,
      );
    }
  } catch (error) {
    if (apiErrorCode(error) !== CONSUMER_NOT_FOUND) {
      throw error;
    }
    await jsm.consumers.add(stream, config);
  }
}

function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}
