import { appendFileSync, closeSync, fdatasyncSync, openSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Arrival, ReplayJudge } from '@fq/contracts';
import { PRIVATE_FILE_MODE } from '@fq/private-files';
import { z } from 'zod';
import { prepareStateFile } from '../persistence/state-files';

/** An accepted envelope: its id, the stream message it came in, and until when a copy of it could still count. */
const ReceivedEnvelope = z.strictObject({
  envelopeId: z.uuid(),
  streamSequence: z.number().int().positive(),
  expiresAt: z.iso.datetime({ offset: true }),
});
type ReceivedEnvelope = z.infer<typeof ReceivedEnvelope>;

/** Remembers accepted envelopes (ids and stream sequences), so the gate tells a replay from a redelivery. */
export interface ReplayGuard extends ReplayJudge {
  remember(entry: ReceivedEnvelope): Promise<void>;
}

/**
 * The broker's journal of accepted result envelopes (`BROKER_REPLAY_LOG`, JSONL). At start-up it keeps only entries
 * that have not expired (an expired copy is refused as expired anyway) and rewrites the file with them, so it does
 * not grow without bound.
 */
export class ReceivedEnvelopesStore implements ReplayGuard {
  private queue: Promise<void> = Promise.resolve();
  private insertsSincePrune = 0;

  private constructor(
    private readonly fd: number | null,
    private readonly entries: Map<string, ReceivedEnvelope>,
  ) {}

  /** Loads `file` (if it exists) without the entries expired at `now`, compacts it and opens it for appending. */
  static async open(file: string, now: Date): Promise<ReceivedEnvelopesStore> {
    await prepareStateFile(file);
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        return '';
      }
      throw error;
    });
    const entries = new Map<string, ReceivedEnvelope>();
    for (const line of text.split('\n')) {
      const entry = parseLine(line);
      if (entry !== null && Date.parse(entry.expiresAt) > now.getTime() && !entries.has(entry.envelopeId)) {
        entries.set(entry.envelopeId, entry);
      }
    }
    const compacted = [...entries.values()].map((entry) => `${JSON.stringify(entry)}\n`).join('');
    // A temporary file left by a crash keeps its mode on rewrite: start it afresh, 0600.
    await rm(`${file}.tmp`, { force: true });
    await writeFile(`${file}.tmp`, compacted, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    await rename(`${file}.tmp`, file);
    return new ReceivedEnvelopesStore(openSync(file, 'a', PRIVATE_FILE_MODE), entries);
  }

  /** A store that forgets everything on restart (heartbeats: their expiry bounds a replay to a few seconds). */
  static inMemory(): ReceivedEnvelopesStore {
    return new ReceivedEnvelopesStore(null, new Map());
  }

  judge(envelopeId: string, streamSequence: number): Arrival {
    const known = this.entries.get(envelopeId);
    if (known === undefined) {
      return { kind: 'new' };
    }
    return known.streamSequence === streamSequence
      ? { kind: 'redelivery' }
      : { kind: 'replay', firstSequence: known.streamSequence };
  }

  /**
   * Records an accepted envelope; resolves once the line is written (not synced: a line lost in an operating-system
   * crash only lets a later copy count as new, and the database keeps the first result per query and site anyway).
   * The first stream message per envelope id wins.
   */
  remember(entry: ReceivedEnvelope): Promise<void> {
    if (this.entries.has(entry.envelopeId)) {
      return Promise.resolve();
    }
    this.entries.set(entry.envelopeId, entry);
    this.pruneIfLarge(Date.parse(entry.expiresAt));
    const fd = this.fd;
    if (fd === null) {
      return Promise.resolve();
    }
    // A synchronous append costs microseconds; a promise-based one cost tens of them per result.
    const write = this.queue.then(() => {
      appendFileSync(fd, `${JSON.stringify(entry)}\n`, 'utf8');
    });
    this.queue = write.catch(() => undefined);
    return write.catch((error: unknown) => {
      // Not on disk: forget it, so the redelivery that follows is judged as new again.
      this.entries.delete(entry.envelopeId);
      throw error;
    });
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.fd !== null) {
      fdatasyncSync(this.fd);
      closeSync(this.fd);
    }
  }

  // Heartbeats arrive for ever; forget those that expired well before the newest one (a copy is refused as expired).
  private pruneIfLarge(latestExpiry: number): void {
    this.insertsSincePrune++;
    if (this.fd !== null || this.insertsSincePrune < 1000) {
      return;
    }
    this.insertsSincePrune = 0;
    const horizon = latestExpiry - 60 * 60 * 1000;
    for (const [id, entry] of this.entries) {
      if (Date.parse(entry.expiresAt) < horizon) {
        this.entries.delete(id);
      }
    }
  }
}

function parseLine(line: string): ReceivedEnvelope | null {
  if (line.trim() === '') {
    return null;
  }
  try {
    const parsed = ReceivedEnvelope.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
