import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  NatsError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import {
  HEARTBEAT_STREAM,
  MAX_HEARTBEAT_ENVELOPE_BYTES,
  MAX_RESULT_ENVELOPE_BYTES,
  NATS_HEADER_ALLOWANCE_BYTES,
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

/** How much FQ_RESULTS and FQ_HEARTBEATS hold (decision 0011); tests pass smaller ones. */
export interface StreamLimits {
  /** Largest result message, headers included. */
  resultMaxMsgBytes: number;
  /** Results kept per site subject: a flooding site pushes out only its own oldest. */
  resultsPerSite: number;
  /** Bytes FQ_RESULTS keeps in all; JetStream reserves this much of the server's store. */
  resultMaxBytes: number;
  /** Largest heartbeat message, headers included. */
  heartbeatMaxMsgBytes: number;
  /** Bytes FQ_HEARTBEATS keeps in all (one heartbeat per site subject). */
  heartbeatMaxBytes: number;
}

const MIB = 1024 * 1024;

/**
 * The limits of decision 0011: any result or heartbeat the schemas allow fits one message; a site's unread results fit
 * its per-subject allowance many times over (one result per query, and a site answers at most a few queries a second);
 * the stream totals hold ten sites flooding at once before one site's messages could push out another's.
 */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  resultMaxMsgBytes: MAX_RESULT_ENVELOPE_BYTES + NATS_HEADER_ALLOWANCE_BYTES,
  resultsPerSite: 2_000,
  resultMaxBytes: 256 * MIB,
  heartbeatMaxMsgBytes: MAX_HEARTBEAT_ENVELOPE_BYTES + NATS_HEADER_ALLOWANCE_BYTES,
  heartbeatMaxBytes: 16 * MIB,
};

/** The stream configurations of decisions 0005 and 0011. */
export function streamConfigs(
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): Array<Partial<StreamConfig> & { name: string }> {
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
      max_msg_size: limits.resultMaxMsgBytes,
      max_msgs_per_subject: limits.resultsPerSite,
      max_bytes: limits.resultMaxBytes,
      // Old, not New: a full stream must never refuse a legitimate site's answer; what goes is the oldest, which
      // the broker has read long ago, or a flooding site's own.
      discard: DiscardPolicy.Old,
    },
    {
      ...common,
      name: HEARTBEAT_STREAM.name,
      subjects: [...HEARTBEAT_STREAM.subjects],
      max_msgs_per_subject: 1,
      max_msg_size: limits.heartbeatMaxMsgBytes,
      max_bytes: limits.heartbeatMaxBytes,
      discard: DiscardPolicy.Old,
    },
  ];
}

/**
 * Creates or updates the three streams (an existing stream gets the current limits), each site's consumer
 * `site-<id>` and the broker's `broker-results`.
 */
export async function ensureJetStreamTopology(
  jsm: JetStreamManager,
  siteIds: readonly SiteId[],
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): Promise<void> {
  for (const config of streamConfigs(limits)) {
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
