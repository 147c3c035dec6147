import { open, type FileHandle } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '@fq/private-files';
import { z } from 'zod';
import { prepareStateFile } from '../persistence/state-files';

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

/**
 * One flood episode: a site sent more results and heartbeats than BROKER_SITE_MESSAGES_PER_SECOND allows, and the
 * excess was dropped unread. One record per episode, with counts, never one per dropped message.
 */
export const FloodEpisodeRecord = z.strictObject({
  time: z.iso.datetime({ offset: true }),
  decision: z.literal('dropped-flood'),
  code: z.literal('BROKER_SITE_RATE_EXCEEDED'),
  reason: z.string().max(2000),
  /** The site whose subjects flooded; null for subjects of no registered site, which share one limit. */
  siteId: z.string().max(63).nullable(),
  startedAt: z.iso.datetime({ offset: true }),
  lastDroppedAt: z.iso.datetime({ offset: true }),
  droppedResults: z.number().int().min(0),
  droppedHeartbeats: z.number().int().min(0),
  /** FQ_RESULTS sequences of the first and last dropped result; they stay in the stream for an auditor to read. */
  firstDroppedResult: z.number().int().min(0).nullable(),
  lastDroppedResult: z.number().int().min(0).nullable(),
  perSecond: z.number().min(0),
  burst: z.number().min(0),
});
export type FloodEpisodeRecord = z.infer<typeof FloodEpisodeRecord>;

/** Where rejections go; the JSONL file in production, an array in tests. */
export interface EnvelopeAudit {
  reject(record: EnvelopeRejection): Promise<void>;
  floodEpisode(record: FloodEpisodeRecord): Promise<void>;
}

/**
 * The broker's append-only audit log of refused envelopes and flood episodes: one JSON object per line, flushed to disk
 * before `reject` or `floodEpisode` resolves; opened only for appending.
 */
export class EnvelopeAuditLog implements EnvelopeAudit {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `file` for appending: created 0600 (its directory 0700 if missing), narrowed to 0600 if others could read it. */
  static async open(file: string): Promise<EnvelopeAuditLog> {
    await prepareStateFile(file);
    return new EnvelopeAuditLog(file, await open(file, 'a', PRIVATE_FILE_MODE));
  }

  reject(record: EnvelopeRejection): Promise<void> {
    return this.append(`${JSON.stringify(EnvelopeRejection.parse(record))}\n`);
  }

  floodEpisode(record: FloodEpisodeRecord): Promise<void> {
    return this.append(`${JSON.stringify(FloodEpisodeRecord.parse(record))}\n`);
  }

  private append(line: string): Promise<void> {
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
