import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSyntheticSite } from '@fq/synthetic';
import { z } from 'zod';
import type { DemoSite } from '../config/config.schema';

// Written beside (not into) the data directory after it is complete: the site agent reads every .json file inside.
const markerFile = (dir: string): string => `${dir}.complete`;
const Marker = z.object({ patients: z.number(), seed: z.number(), site: z.string() });

/** Where a demo site's FHIR NDJSON lives. */
export function siteDataDir(demoDir: string, site: DemoSite): string {
  return join(demoDir, 'sites', site.id);
}

/** True when `dir` holds the complete data of `site` from an earlier run. */
export async function siteDataPresent(dir: string, site: DemoSite): Promise<boolean> {
  try {
    const marker = Marker.safeParse(JSON.parse(await readFile(markerFile(dir), 'utf8')));
    return (
      marker.success &&
      marker.data.patients === site.patients &&
      marker.data.seed === site.seed &&
      marker.data.site === site.id
    );
  } catch {
    return false;
  }
}

/** Generates `site` into `dir` unless it is already there; `report` gets progress lines. */
export async function ensureSiteData(
  dir: string,
  site: DemoSite,
  report: (progress: { patients: number; total: number; bytes: number; done: boolean }) => void,
): Promise<'generated' | 'present'> {
  if (await siteDataPresent(dir, site)) {
    return 'present';
  }
  await rm(dir, { recursive: true, force: true });
  const summary = await generateSyntheticSite({
    patients: site.patients,
    seed: site.seed,
    site: site.id,
    outDir: dir,
    progressEvery: 1_000,
    onProgress: (p) => report({ patients: p.patients, total: site.patients, bytes: p.bytes, done: false }),
  });
  report({ patients: summary.patients, total: site.patients, bytes: summary.bytes, done: true });
  await writeFile(markerFile(dir), `${JSON.stringify({ patients: site.patients, seed: site.seed, site: site.id })}\n`);
  return 'generated';
}
