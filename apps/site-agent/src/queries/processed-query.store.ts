import { appendFileSync, closeSync, fdatasyncSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arrival, ReplayJudge } from '@fq/contracts';
import { z } from 'zod';

/** File name of the processed-query log inside the state directory. */
export const PROCESSED_QUERIES_FILE = 'processed-queries.jsonl';

/** A query id the site has finished with, and how; persisted before the NATS message is acknowledged. */
export const ProcessedQuery = z.strictObject({
  queryId: z.uuid(),
  decision: z.enum(['answered', 'refused', 'failed', 'expired']),
  at: z.iso.datetime({ offset: true }),
  /** The query envelope and the JetStream stream message it came in: the same envelope in another message is a replay. */
  envelopeId: z.uuid().optional(),
  streamSequence: z.number().int().positive().optional(),
});
export type ProcessedQuery = z.infer<typeof ProcessedQuery>;

/**
 * Idempotency (decision 0005): the ids of every query this site answered, refused, failed or let expire, in an
 * append-only JSONL file that is read once at start. A redelivered id is acknowledged without a second answer, and the
 * envelope gate asks it whether an envelope came before in another stream message (a replay).
 */
export class ProcessedQueryStore implements ReplayJudge {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly byEnvelope = new Map<string, ProcessedQuery>();

  private constructor(
    readonly file: string,
    private readonly fd: number,
    private readonly entries: Map<string, ProcessedQuery>,
    /** Lines that could not be read back (e.g. torn by a crash mid-write); they are skipped. */
    readonly unreadableLines: number,
  ) {
    for (const entry of entries.values()) {
      this.indexEnvelope(entry);
    }
  }

  /** Opens `<stateDir>/processed-queries.jsonl`, loading every recorded id. */
  static async open(stateDir: string): Promise<ProcessedQueryStore> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const file = join(stateDir, PROCESSED_QUERIES_FILE);
    const entries = new Map<string, ProcessedQuery>();
    let unreadable = 0;
    const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') {
        return '';
      }
      throw cause;
    });
    for (const line of text.split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const entry = parseLine(line);
      if (entry === undefined) {
        unreadable++;
      } else if (!entries.has(entry.queryId)) {
        entries.set(entry.queryId, entry);
      }
    }
    const fd = openSync(file, 'a', 0o600);
    // A torn last line must not glue itself to the next record.
    if (text.length > 0 && !text.endsWith('\n')) {
      appendFileSync(fd, '\n', 'utf8');
    }
    return new ProcessedQueryStore(file, fd, entries, unreadable);
  }

  has(queryId: string): boolean {
    return this.entries.has(queryId);
  }

  get(queryId: string): ProcessedQuery | undefined {
    return this.entries.get(queryId);
  }

  /**
   * Whether a query envelope in stream message `streamSequence` was processed before from another stream message. One
   * processed without a known stream message (held for approval, or recorded by an older version) counts as the same.
   */
  judge(envelopeId: string, streamSequence: number): Arrival {
    const first = this.byEnvelope.get(envelopeId)?.streamSequence;
    if (!this.byEnvelope.has(envelopeId)) {
      return { kind: 'new' };
    }
    return first === undefined || first === streamSequence
      ? { kind: 'redelivery' }
      : { kind: 'replay', firstSequence: first };
  }

  /** Times of the queries answered at or after `since`, oldest first; seeds the rate limiter after a restart. */
  answeredSince(since: Date): Date[] {
    const threshold = since.getTime();
    return [...this.entries.values()]
      .filter((e) => e.decision === 'answered' && Date.parse(e.at) >= threshold)
      .map((e) => new Date(e.at))
      .sort((a, b) => a.getTime() - b.getTime());
  }

  /**
   * Records a finished query; resolves once the line is written (handed to the operating system, not synced). A line
   * lost in an operating-system crash only means the query is answered again, identically: same result id, same
   * deterministic noise, and the broker keeps the first result. The audit log, written before anything leaves the
   * site, is the one that is synced. Recording an id twice keeps the first entry.
   */
  record(entry: ProcessedQuery): Promise<void> {
    if (this.closed) {
      return Promise.reject(new Error(`processed-query store ${this.file} is closed`));
    }
    const valid = ProcessedQuery.parse(entry);
    if (this.entries.has(valid.queryId)) {
      return this.queue;
    }
    this.entries.set(valid.queryId, valid);
    this.indexEnvelope(valid);
    // A synchronous append costs microseconds; a promise-based one cost tens of them per query.
    const write = this.queue.then(() => {
      appendFileSync(this.fd, `${JSON.stringify(valid)}\n`, 'utf8');
    });
    this.queue = write.catch(() => undefined);
    return write.catch((error: unknown) => {
      // Not on disk, so not done: a redelivery must be handled again.
      this.entries.delete(valid.queryId);
      if (valid.envelopeId !== undefined) {
        this.byEnvelope.delete(valid.envelopeId);
      }
      throw error;
    });
  }

  private indexEnvelope(entry: ProcessedQuery): void {
    if (entry.envelopeId !== undefined && !this.byEnvelope.has(entry.envelopeId)) {
      this.byEnvelope.set(entry.envelopeId, entry);
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.queue;
    fdatasyncSync(this.fd);
    closeSync(this.fd);
  }
}

function parseLine(line: string): ProcessedQuery | undefined {
  try {
    const parsed = ProcessedQuery.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
