import { BaseRpcContext } from '@nestjs/microservices';

/** One message pulled from a stream, as much of it as gates and handlers need. */
export interface JetStreamMessage {
  data: Uint8Array;
  subject: string;
  /** Its sequence in the stream: the same message delivered again has the same one. */
  streamSequence: number;
  /** When the NATS server stored it: the same for every receiver, unaffected by how long it waited. */
  storedAt: Date;
}

/** The `@Ctx()` of a JetStream `@EventPattern` handler: the stream message behind the payload. */
export class JetStreamContext extends BaseRpcContext<[JetStreamMessage]> {
  get message(): JetStreamMessage {
    return this.args[0];
  }

  get subject(): string {
    return this.args[0].subject;
  }

  get streamSequence(): number {
    return this.args[0].streamSequence;
  }

  get storedAt(): Date {
    return this.args[0].storedAt;
  }
}
