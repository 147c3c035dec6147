import { open, type FileHandle } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '@fq/contracts';
import { z } from 'zod';
import { preparePrivateFile } from '../persistence/state-files';

/** One envelope the broker refused, as written to its audit log (`BROKER_AUDIT_LOG`, JSONL). */
export const EnvelopeRejection = z.strictObject({
  time: z.iso.datetime({ offset: true }),
  decision: z.literal('rejected'),
  /** ENVELOPE_… (decision 0006). */
  code: z.string().regex(/^[A-Z][A-Z0-9_]{2,63}$/),
  reason: z.string().max(2000),
  subject: z.string().max(512),
  streamSequence: z.number().int().min(0).nullable(),
  /** When NATS stored the message. */
  storedAt: z.iso.datetime({ offset: true }).nullable(),
  /** Read leniently from the message, for the auditor; null when absent or not a UUID. */
  envelopeId: z.uuid().nullable(),
  /** The site the subject names, when it names one. */
  siteId: z.string().max(63).nullable(),
});
export type EnvelopeRejection = z.infer<typeof EnvelopeRejection>;

/** Where rejections go; the JSONL file in production, an array in tests. */
export interface EnvelopeAudit {
  reject(record: EnvelopeRejection): Promise<void>;
}

/**
 * The broker's append-only audit log of refused envelopes: one JSON object per line, flushed to disk before
 * `reject` resolves; opened only for appending.
 */
export class EnvelopeAuditLog implements EnvelopeAudit {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `file` for appending: created 0600 (its directory 0700 if missing), narrowed to 0600 if others could read it. */
  static async open(file: string): Promise<EnvelopeAuditLog> {
    await preparePrivateFile(file);
    return new EnvelopeAuditLog(file, await open(file, 'a', PRIVATE_FILE_MODE));
  }

  reject(record: EnvelopeRejection): Promise<void> {
    const line = `${JSON.stringify(EnvelopeRejection.parse(record))}\n`;
    const write = this.queue.then(async () => {
      await this.handle.appendFile(line, 'utf8');
      await this.handle.datasync();
    });
    // A failed write must not poison later ones; this caller sees the failure.
    this.queue = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }
}
