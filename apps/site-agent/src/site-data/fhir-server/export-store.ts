import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FhirServerError } from './fhir-server.errors';

/** The site's data as kept in the state dir: NDJSON files (gzip) of one export, with later changes merged in. */
export const ExportLayer = z.strictObject({
  dir: z.string().regex(/^layer-[0-9a-f]{16}$/),
  /** Order-independent digest of the resource lines (`ContentDigest`): equal for equal data. */
  contentDigest: z.string().regex(/^[0-9a-f]{64}$/),
  resources: z.number().int().min(0),
  /** NDJSON files of resources, relative to the layer's dir. */
  files: z.array(z.string().regex(/^[\w.-]+$/)),
});
export type ExportLayer = z.infer<typeof ExportLayer>;

/** What the site's data are: the server, how they were read, the instant they are current to, and the files. */
export const ExportState = z.strictObject({
  version: z.literal(1),
  /** The FHIR server's base URL: data from another server are never merged with these. */
  server: z.string(),
  read: z.enum(['bulk-export', 'search']),
  /** The server's transactionTime of the last export merged in: the next incremental export asks `_since` it. */
  transactionTime: z.string().min(1),
  /** When the last full export was taken (transactionTime). */
  fullExportTime: z.string().min(1),
  layer: ExportLayer,
});
export type ExportState = z.infer<typeof ExportState>;

const STATE_FILE = 'export-state.json';

/**
 * The export the agent keeps under `<state dir>/fhir-export` (directories 0700, files 0600): each download goes to a
 * fresh layer directory and becomes the data only when `commit` replaces the state file (write, then rename). An
 * incremental refresh merges its changes into a new layer; a restart rebuilds the index from the committed one.
 */
export class ExportStore {
  readonly root: string;

  constructor(stateDir: string) {
    this.root = join(stateDir, 'fhir-export');
  }

  /** The committed state, or null before the first successful export (or when the file is unreadable). */
  async read(): Promise<ExportState | null> {
    let text: string;
    try {
      text = await readFile(join(this.root, STATE_FILE), 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = ExportState.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** A new, empty layer directory for a download. */
  async createLayerDir(): Promise<{ dir: string; path: string }> {
    const dir = `layer-${randomBytes(8).toString('hex')}`;
    const path = join(this.root, dir);
    try {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      await mkdir(path, { mode: 0o700 });
    } catch (cause) {
      throw new FhirServerError('FHIR_SERVER_STORE_FAILED', `cannot create ${path}: ${String(cause)}`, { cause });
    }
    return { dir, path };
  }

  layerPath(layer: Pick<ExportLayer, 'dir'>): string {
    return join(this.root, layer.dir);
  }

  /** The committed layer's files, as paths. */
  filesOf(layer: ExportLayer): string[] {
    return layer.files.map((file) => join(this.root, layer.dir, file));
  }

  /** Makes `state` the data (atomically) and removes the layer directories it no longer names. */
  async commit(state: ExportState): Promise<void> {
    const file = join(this.root, STATE_FILE);
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(state, null, 2), { mode: 0o600 });
      await rename(temporary, file);
    } catch (cause) {
      await rm(temporary, { force: true });
      throw new FhirServerError('FHIR_SERVER_STORE_FAILED', `cannot write ${file}: ${String(cause)}`, { cause });
    }
    await this.removeUnused(state);
  }

  /** Removes every layer directory `state` does not name (failed or superseded downloads). */
  async removeUnused(state: ExportState | null): Promise<void> {
    const keep = new Set(state === null ? [] : [state.layer.dir]);
    const names = await readdir(this.root).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => name.startsWith('layer-') && !keep.has(name))
        .map((name) => rm(join(this.root, name), { recursive: true, force: true })),
    );
  }

  async discard(dir: string): Promise<void> {
    await rm(join(this.root, dir), { recursive: true, force: true });
  }
}
