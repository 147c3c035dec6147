import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateSyntheticSite } from '@fq/synthetic';
import { z } from 'zod';
import { ProgressLine } from '../progress-line';
import { formatCount } from '../report-table';

/** One site's generated data on disk (NDJSON, one file per resource type). */
export interface NetworkSiteData {
  siteId: string;
  dir: string;
  bytes: number;
  reused: boolean;
  generateMs: number;
}

/** Written beside the site directory once generation has finished; its absence means "incomplete". */
const SiteMarker = z.object({
  site: z.string(),
  patients: z.number(),
  seed: z.number(),
  generatorFingerprint: z.string(),
  files: z.array(z.object({ name: z.string(), bytes: z.number() })),
  generateMs: z.number(),
  completedAt: z.string(),
});
type SiteMarker = z.infer<typeof SiteMarker>;

/** A hash of the generator's sources (libs/synthetic/src), so data of an older generator are regenerated. */
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
    // Outside the repository the data are reused on the options alone.
    return 'unknown';
  }
  return hash.digest('hex').slice(0, 16);
}

async function readMarker(file: string): Promise<SiteMarker | null> {
  try {
    const parsed = SiteMarker.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function filesIntact(dir: string, marker: SiteMarker): Promise<boolean> {
  for (const file of marker.files) {
    const stats = await fs.stat(path.join(dir, file.name)).catch(() => null);
    if (stats === null || stats.size !== file.bytes) {
      return false;
    }
  }
  return marker.files.length > 0;
}

/**
 * Returns the data of `siteId` (patients, seed) under `dataDir/network-<patients>-<siteId>/`, generating them with
 * `generateSyntheticSite` unless complete data of the same generator sources are already there.
 */
export async function ensureNetworkSite(
  dataDir: string,
  siteId: string,
  patients: number,
  seed: number,
  fingerprint: string,
): Promise<NetworkSiteData> {
  const name = `network-${patients}-${siteId}`;
  const dir = path.join(dataDir, name);
  // Beside the site, not in it: the agent reads every file inside.
  const markerFile = path.join(dataDir, `${name}.complete`);
  const existing = await readMarker(markerFile);
  if (
    existing !== null &&
    existing.site === siteId &&
    existing.patients === patients &&
    existing.seed === seed &&
    existing.generatorFingerprint === fingerprint &&
    (await filesIntact(dir, existing))
  ) {
    const bytes = existing.files.reduce((sum, file) => sum + file.bytes, 0);
    return { siteId, dir, bytes, reused: true, generateMs: 0 };
  }

  await fs.rm(markerFile, { force: true });
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const progress = new ProgressLine(`${siteId}: generating ${formatCount(patients)} patients`);
  const started = performance.now();
  const summary = await generateSyntheticSite({
    patients,
    seed,
    site: siteId,
    outDir: dir,
    gzip: false,
    progressEvery: 10_000,
    onProgress: (p) => progress.update(`${formatCount(p.patients)} of ${formatCount(p.patientsTotal)} patients`),
  });
  const generateMs = performance.now() - started;
  progress.done(`${formatCount(summary.resources)} resources in ${(generateMs / 1000).toFixed(1)} s`);
  const names = (await fs.readdir(dir)).sort();
  const files = await Promise.all(
    names.map(async (file) => ({ name: file, bytes: (await fs.stat(path.join(dir, file))).size })),
  );
  const marker: SiteMarker = {
    site: siteId,
    patients,
    seed,
    generatorFingerprint: fingerprint,
    files,
    generateMs,
    completedAt: new Date().toISOString(),
  };
  await fs.writeFile(markerFile, `${JSON.stringify(marker, null, 2)}\n`);
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return { siteId, dir, bytes, reused: false, generateMs };
}
