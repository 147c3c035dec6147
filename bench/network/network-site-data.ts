import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateSyntheticSite } from '@fq/synthetic';
import { z } from 'zod';
import { ProgressLine } from '../progress-line';
import { formatCount } from '../report-table';
import { filesIntact, generatorFingerprint } from '../synthetic-data';

export { generatorFingerprint };

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

async function readMarker(file: string): Promise<SiteMarker | null> {
  try {
    const parsed = SiteMarker.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
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
