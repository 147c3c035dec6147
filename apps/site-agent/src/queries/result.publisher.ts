import type { ResultEnvelope } from '@fq/contracts';
import type { Result } from '@fq/result';

export type PublishResult = Result<void, Error>;

/** Sends a result envelope to the broker; the transport implements it, tests fake it. */
export abstract class ResultPublisher {
  /** Publishes durably (a JetStream acknowledgement), with `Nats-Msg-Id` = envelope id; never throws. */
  abstract publish(envelope: ResultEnvelope): Promise<PublishResult>;
}
