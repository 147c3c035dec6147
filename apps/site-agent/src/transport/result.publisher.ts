import { Injectable } from '@nestjs/common';
import { encodeEnvelope, type ResultEnvelope, siteResultSubject } from '@fq/contracts';
import { err, ok } from '@fq/result';
import { type PublishResult, ResultPublisher } from '../queries/result.publisher';
import { NatsConnectionService } from './nats-connection.service';

const PUBLISH_TIMEOUT_MS = 5000;

/** Publishes results to JetStream on the site's own result subject, `Nats-Msg-Id` = envelope id. */
@Injectable()
export class NatsResultPublisher extends ResultPublisher {
  constructor(private readonly nats: NatsConnectionService) {
    super();
  }

  async publish(envelope: ResultEnvelope): Promise<PublishResult> {
    try {
      await this.nats.jetstream().publish(siteResultSubject(envelope.payload.siteId), encodeEnvelope(envelope), {
        msgID: envelope.id,
        timeout: PUBLISH_TIMEOUT_MS,
      });
      return ok(undefined);
    } catch (error) {
      return err(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
