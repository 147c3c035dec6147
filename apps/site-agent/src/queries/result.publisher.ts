import type { ResultEnvelope } from '@fq/contracts';

export type PublishResult = { ok: true } | { ok: false; error: Error };

/** Sends a result envelope to the broker; the transport implements it, tests fake it. */
export abstract class ResultPublisher {
  /** Publishes durably (a JetStream acknowledgement), with `Nats-Msg-Id` = envelope id; never throws. */
  abstract publish(envelope: ResultEnvelope): Promise<PublishResult>;
}
