import type { CohortCount } from '@fq/engine';
import { SITE_SECRET_BYTES } from '@fq/privacy';

/** The engine benchmark's site secret (engine-measure.ts uses the same bytes), so cohort keys agree across processes. */
export const BENCH_SITE_SECRET = new Uint8Array(SITE_SECRET_BYTES).fill(0x42);

/** What the benchmark's snapshot is said to be built from; the child process expects the same. */
export const BENCH_SNAPSHOT_IDENTITY = { source: 'bench-synthetic-site', numbering: 'bench-numbering' };

/** What the child process that starts from the snapshot reports, all in ms since its process started. */
export interface SnapshotStartReport {
  /** Node start-up and loading the engine's modules, before the snapshot is opened. */
  moduleLoadMs: number;
  /** The index is loaded: the site could answer from here on. */
  readyMs: number;
  loadMs: number;
  /** Every query of the suite answered once. */
  answeredMs: number;
  answers: CohortCount[];
  rssBytes: number;
}
