import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateSyntheticSite } from '@fq/synthetic';
import { z } from 'zod';
import { ProgressLine } from './progress-line';
import { formatCount } from './report-table';

/** A generated synthetic site on disk: one NDJSON file per resource type in `dir`. */
export interface SyntheticSite {
  dir: string;
  patients: number;
  seed: number;
  files: number;
  bytes: number;
  reused: boolean;
  /** Reused although the generator's sources changed since (`--keep-data`). */
  stale: boolean;
  /** Generation time of this run (0 when reused). */
  generateMs: number;
}

/** Written beside the site directory once generation has finished; its absence means "incomplete". */
const CompletionMarker = z.object({
  patients: z.number(),
  seed: z.number(),
  gzip: z.boolean(),
  generatorFingerprint: z.string(),
  files: z.array(z.object({ name: z.string(), bytes: z.number() })),
  generateMs: z.number(),
  completedAt: z.string(),
});
type CompletionMarker = z.infer<typeof CompletionMarker>;

/** A hash of the generator's sources, so data from an older generator are not mistaken for current ones. */
export async function generatorFingerprint(sourceDir: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '__fixtures__') {
        await visit(full);
      } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        hash
          .update(path.relative(sourceDir, full))
          .update('\u0000')
          .update(await fs.readFile(full));
      }
    }
  };
  try {
    await visit(sourceDir);
  } catch {
    // Running outside the repository: data are then reused on the options alone.
    return 'unknown';
  }
  return hash.digest('hex').slice(0, 16);
}

async function readMarker(file: string): Promise<CompletionMarker | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = CompletionMarker.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whether every file the marker lists is still there with its size. */
export async function filesIntact(
  dir: string,
  marker: { files: ReadonlyArray<{ name: string; bytes: number }> },
): Promise<boolean> {
  for (const file of marker.files) {
    const stats = await fs.stat(path.join(dir, file.name)).catch(() => null);
    if (stats === null || stats.size !== file.bytes) {
      return false;
    }
  }
  return marker.files.length > 0;
}

async function listFiles(dir: string): Promise<Array<{ name: string; bytes: number }>> {
  const names = (await fs.readdir(dir)).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: (await fs.stat(path.join(dir, name))).size })));
}

function siteOf(
  dir: string,
  marker: CompletionMarker,
  reused: boolean,
  stale: boolean,
  generateMs: number,
): SyntheticSite {
  return {
    dir,
    patients: marker.patients,
    seed: marker.seed,
    files: marker.files.length,
    bytes: marker.files.reduce((sum, file) => sum + file.bytes, 0),
    reused,
    stale,
    generateMs,
  };
}

/**
 * Returns the synthetic site for (patients, seed) under `dataDir`, generating it unless a complete one made by the
 * same generator sources (or any, with `acceptChanged`) is already there.
 */
export async function ensureSyntheticSite(
  dataDir: string,
  patients: number,
  seed: number,
  generator: { sourceDir: string; acceptChanged: boolean },
): Promise<SyntheticSite> {
  const name = `synthetic-${patients}-seed-${seed}`;
  const dir = path.join(dataDir, name);
  // Beside the site, not in it: ingestion reads every .json file inside.
  const markerFile = path.join(dataDir, `${name}.complete`);
  const fingerprint = await generatorFingerprint(generator.sourceDir);
  const existing = await readMarker(markerFile);
  if (
    existing !== null &&
    existing.patients === patients &&
    existing.seed === seed &&
    !existing.gzip &&
    (existing.generatorFingerprint === fingerprint || generator.acceptChanged) &&
    (await filesIntact(dir, existing))
  ) {
    return siteOf(dir, existing, true, existing.generatorFingerprint !== fingerprint, 0);
  }

  await fs.rm(markerFile, { force: true });
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const progress = new ProgressLine(`generating ${formatCount(patients)} patients`);
  const started = performance.now();
  const summary = await generateSyntheticSite({
    patients,
    seed,
    outDir: dir,
    gzip: false,
    progressEvery: 10_000,
    onProgress: (p) =>
      progress.update(
        `${formatCount(p.patients)} of ${formatCount(p.patientsTotal)} patients, ${formatCount(p.resources)} resources`,
      ),
  });
  const generateMs = performance.now() - started;
  progress.done(`${formatCount(summary.resources)} resources in ${(generateMs / 1000).toFixed(0)} s`);
  const marker: CompletionMarker = {
    patients,
    seed,
    gzip: false,
    generatorFingerprint: fingerprint,
    files: await listFiles(dir),
    generateMs,
    completedAt: new Date().toISOString(),
  };
  await fs.writeFile(markerFile, `${JSON.stringify(marker, null, 2)}\n`);
  return siteOf(dir, marker, false, false, generateMs);
}
