import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  type CohortKeying,
  type IngestSummary,
  loadIndexSnapshot,
  type PatientIndex,
  saveIndexSnapshot,
  type SiteEngineOptions,
} from '@fq/engine';
import { PATIENT_NUMBERS_FILE } from '../protection/patient-numbers.store';

/** File name of the index snapshot inside the state directory. */
export const INDEX_SNAPSHOT_FILE = 'index-snapshot';

/** What a probe of the cohort keying names: the site secret, without revealing it (a keyed hash of fixed bytes). */
const SECRET_PROBE = Buffer.from('fq-site-agent/index-snapshot/numbering-probe', 'latin1');

/** An index read back from the snapshot, and the ingestion that built it. */
export interface RestoredIndex {
  index: PatientIndex;
  summary: IngestSummary;
  savedAt: string;
}

/**
 * The site's index snapshot in its state directory: saved after every build, read once at start so that a restart
 * answers in seconds instead of re-reading all data. A snapshot is used only for the same data (`source`), the same
 * mapping and engine, and the same patient numbers: the whole numbers file and the site secret (by a probe of the
 * cohort keying) are hashed into its identity, so it can never pair with numbers that name other patients.
 */
export class IndexSnapshotStore {
  private readonly logger = new Logger('IndexSnapshot');
  readonly file: string;

  constructor(private readonly stateDir: string) {
    this.file = join(stateDir, INDEX_SNAPSHOT_FILE);
  }

  /** The saved index when it fits `source` and the site's numbers now; null (with a log line saying why) otherwise. */
  async restore(
    engine: SiteEngineOptions & { cohortKeying: CohortKeying },
    source: string,
  ): Promise<RestoredIndex | null> {
    const started = performance.now();
    const numbering = await this.numberingIdentity(engine.cohortKeying);
    const loaded = await loadIndexSnapshot(this.file, { ...engine, identity: { source, numbering } });
    if (!loaded.ok) {
      const { code, message } = loaded.error;
      const level = code === 'ENGINE_SNAPSHOT_MISSING' ? 'log' : 'warn';
      this.logger[level]({ message: `index snapshot not used, building the index from the data: ${message}`, code });
      return null;
    }
    const summary = loaded.value.meta.summary;
    if (!isIngestSummary(summary)) {
      this.logger.warn({ message: 'index snapshot not used, building the index from the data: it has no summary' });
      return null;
    }
    this.logger.log({
      message: 'index loaded from its snapshot',
      file: this.file,
      bytes: loaded.value.bytes,
      savedAt: loaded.value.savedAt,
      patients: loaded.value.index.knownPatientCount,
      durationMs: Math.round(performance.now() - started),
    });
    return { index: loaded.value.index, summary, savedAt: loaded.value.savedAt };
  }

  /** Saves a freshly built index; a failure is logged and costs only the next start its speed. */
  async save(index: PatientIndex, cohortKeying: CohortKeying, source: string, summary: IngestSummary): Promise<void> {
    const started = performance.now();
    const numbering = await this.numberingIdentity(cohortKeying);
    const saved = await saveIndexSnapshot(this.file, index, { identity: { source, numbering }, meta: { summary } });
    if (!saved.ok) {
      this.logger.warn({ message: `index snapshot not saved: ${saved.error.message}`, code: saved.error.code });
      return;
    }
    const durationMs = Math.round(performance.now() - started);
    this.logger.log({ message: 'index snapshot saved', file: this.file, bytes: saved.value.bytes, durationMs });
  }

  /**
   * Names the patient numbers as they are on disk now: the numbers file (it only grows, and is saved before a snapshot
   * is) and the secret its keys come from. A file that grew, was replaced or belongs to another secret names others.
   */
  private async numberingIdentity(cohortKeying: CohortKeying): Promise<string> {
    const hash = createHash('sha256').update(cohortKeying.keyOf(SECRET_PROBE, 0)).update('\0');
    try {
      hash.update(await readFile(join(this.stateDir, PATIENT_NUMBERS_FILE)));
    } catch (cause) {
      hash.update(`unreadable:${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return hash.digest('hex');
  }
}

/** The summary the snapshot was saved with: written by `save`, checked for the fields the agent reports. */
function isIngestSummary(value: unknown): value is IngestSummary {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const summary = value as Record<string, unknown>;
  return (
    ['files', 'resources', 'indexed', 'errors', 'durationMs'].every((key) => typeof summary[key] === 'number') &&
    Array.isArray(summary.errorSamples)
  );
}
