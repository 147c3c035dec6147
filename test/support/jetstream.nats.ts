import { connect, type NatsConnection } from 'nats';

/** A plain NATS client connection for a test that acts on the wire itself (re-publishing, consumer state). */
export class JetStreamProbe {
  private constructor(private readonly connection: NatsConnection) {}

  static async connect(natsUrl: string): Promise<JetStreamProbe> {
    return new JetStreamProbe(await connect({ servers: natsUrl, name: 'e2e-probe' }));
  }

  /** Publishes `data` to `subject` through JetStream with `Nats-Msg-Id: msgId`; resolves with the stream sequence. */
  async publish(subject: string, data: Uint8Array, msgId: string): Promise<number> {
    const ack = await this.connection.jetstream().publish(subject, data, { msgID: msgId });
    if (ack.duplicate) {
      throw new Error(`JetStream dropped ${msgId} as a duplicate`);
    }
    return ack.seq;
  }

  /** The stream sequence up to which a durable consumer has acknowledged everything, and what it still waits for. */
  async consumerProgress(
    stream: string,
    consumer: string,
  ): Promise<{ ackFloor: number; ackPending: number; pending: number }> {
    const info = await (await this.connection.jetstreamManager()).consumers.info(stream, consumer);
    return { ackFloor: info.ack_floor.stream_seq, ackPending: info.num_ack_pending, pending: info.num_pending };
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }
}
