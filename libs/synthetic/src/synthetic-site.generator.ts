import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SyntheticOutputError } from './errors';
import { SYNTHETIC_RESOURCE_TYPES, type SyntheticResourceType } from './fhir-shapes';
import { NdjsonFileWriter } from './ndjson-file.writer';
import { generateSiteBatches, siteSeedKey } from './site-resources.generator';
import { type SyntheticOptionsInput, type SyntheticProgress, parseSyntheticOptions } from './synthetic-options.schema';

/** One written file of a site. */
export interface SyntheticFile {
  resourceType: SyntheticResourceType;
  path: string;
  resources: number;
  /** Size on disk (compressed with gzip). */
  bytes: number;
}

/** What `generateSyntheticSite` wrote. */
export interface SyntheticSummary {
  patients: number;
  resources: number;
  resourcesByType: Record<SyntheticResourceType, number>;
  /** Bytes on disk over all files (compressed with gzip). */
  bytes: number;
  /** Bytes of NDJSON before compression. */
  uncompressedBytes: number;
  files: SyntheticFile[];
  outDir: string;
  gzip: boolean;
  durationMs: number;
}

/** The file a resource type is written to, as in a FHIR Bulk Data export. */
export function ndjsonFileName(resourceType: SyntheticResourceType, gzip: boolean): string {
  return `${resourceType}.ndjson${gzip ? '.gz' : ''}`;
}

async function prepareDirectory(outDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
    // Files of an earlier run (either compression) would otherwise be ingested together with the new ones.
    for (const resourceType of SYNTHETIC_RESOURCE_TYPES) {
      await rm(path.join(outDir, ndjsonFileName(resourceType, false)), { force: true });
      await rm(path.join(outDir, ndjsonFileName(resourceType, true)), { force: true });
    }
  } catch (error) {
    throw new SyntheticOutputError(outDir, 'cannot prepare the output directory', { cause: error });
  }
}

/**
 * Writes a synthetic MII-shaped site as one NDJSON file per resource type into `outDir`, deterministic from the
 * seed (same options, byte-identical files). Rejects with `SyntheticOptionsError` for invalid options and with
 * `SyntheticOutputError` when the directory or a file cannot be written.
 */
export async function generateSyntheticSite(input: SyntheticOptionsInput): Promise<SyntheticSummary> {
  const parsed = parseSyntheticOptions(input);
  if (!parsed.ok) {
    throw parsed.error;
  }
  const options = parsed.value;
  const started = performance.now();
  await prepareDirectory(options.outDir);

  const writers = new Map<string, NdjsonFileWriter>(
    SYNTHETIC_RESOURCE_TYPES.map((type) => [
      type,
      new NdjsonFileWriter(path.join(options.outDir, ndjsonFileName(type, options.gzip)), options.gzip),
    ]),
  );
  let resources = 0;
  const diskBytes = (): number => [...writers.values()].reduce((sum, w) => sum + w.diskBytes, 0);
  const report = (patients: number): void => {
    const progress: SyntheticProgress = {
      patients,
      patientsTotal: options.patients,
      resources,
      bytes: diskBytes(),
    };
    options.onProgress?.(progress);
  };

  try {
    for (const batch of generateSiteBatches(siteSeedKey(options.seed, options.site), options.patients)) {
      for (const resource of batch.resources) {
        const writer = writers.get(resource.resourceType);
        if (writer === undefined) {
          throw new Error(`no writer for resource type ${resource.resourceType}`);
        }
        const wait = writer.write(JSON.stringify(resource));
        if (wait !== undefined) {
          await wait;
        }
        resources++;
      }
      if (
        batch.patientsDone > 0 &&
        batch.patientsDone % options.progressEvery === 0 &&
        batch.patientsDone < options.patients
      ) {
        report(batch.patientsDone);
      }
    }
    await Promise.all([...writers.values()].map((writer) => writer.close()));
  } catch (error) {
    writers.forEach((writer) => writer.abort());
    throw error;
  }
  report(options.patients);

  const files = SYNTHETIC_RESOURCE_TYPES.map((resourceType): SyntheticFile => {
    const writer = writers.get(resourceType);
    return {
      resourceType,
      path: writer?.path ?? '',
      resources: writer?.lines ?? 0,
      bytes: writer?.diskBytes ?? 0,
    };
  });
  const resourcesByType = Object.fromEntries(files.map((f) => [f.resourceType, f.resources])) as Record<
    SyntheticResourceType,
    number
  >;
  return {
    patients: options.patients,
    resources,
    resourcesByType,
    bytes: diskBytes(),
    uncompressedBytes: [...writers.values()].reduce((sum, w) => sum + w.uncompressedBytes, 0),
    files,
    outDir: options.outDir,
    gzip: options.gzip,
    durationMs: Math.round(performance.now() - started),
  };
}
