import { connect, type NatsConnection } from 'nats';
import { type NatsLogin, natsLoginOptions } from './nats-login';

/** A plain NATS client connection for a test that acts on the wire itself (re-publishing, consumer state). */
export class JetStreamProbe {
  private constructor(private readonly connection: NatsConnection) {}

  /** Connects to `natsUrl`, as `login` where the server has authorization. */
  static async connect(natsUrl: string, login?: NatsLogin): Promise<JetStreamProbe> {
    return new JetStreamProbe(await connect({ servers: natsUrl, name: 'e2e-probe', ...natsLoginOptions(login) }));
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

  /** How many messages `stream` holds on exactly `subject`. */
  async storedOn(stream: string, subject: string): Promise<number> {
    const info = await (await this.connection.jetstreamManager()).streams.info(stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }
}
