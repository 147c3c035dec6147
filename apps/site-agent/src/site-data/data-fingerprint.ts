import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const FHIR_INPUT = /\.(ndjson|jsonl|json)(\.gz)?$/i;

/**
 * A SHA-256 over the paths, sizes and modification times of the site's data files (directories walked recursively,
 * FHIR input files only) and of its mapping files: it changes when the data change, without reading them.
 */
export async function computeDataFingerprint(
  dataPaths: readonly string[],
  mappingFiles: readonly string[],
): Promise<string> {
  const lines: string[] = [];
  const describe = async (path: string, explicit: boolean): Promise<void> => {
    let stats;
    try {
      stats = await stat(path);
    } catch (cause) {
      lines.push(`${path}\0unreadable:${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
      return;
    }
    if (stats.isDirectory()) {
      const names = (await readdir(path).catch(() => [] as string[])).sort();
      for (const name of names) {
        await describe(join(path, name), false);
      }
    } else if (stats.isFile() && (explicit || FHIR_INPUT.test(path))) {
      lines.push(`${path}\0${stats.size}\0${stats.mtimeMs}`);
    }
  };
  for (const path of dataPaths) {
    await describe(path, true);
  }
  lines.push('--mapping--');
  for (const path of mappingFiles) {
    await describe(path, true);
  }
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');
}
