import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import { type IngestIssue, describeFsError } from './ingest-issues';

/** `ndjson`: one resource per line (Bulk Data export); `json`: one Bundle or one resource per file. */
export type InputFormat = 'ndjson' | 'json';

export interface InputFile {
  path: string;
  format: InputFormat;
  /** Size on disk (compressed size for gzip and bzip2 files), for progress. */
  size: number;
}

export interface InputFileList {
  files: InputFile[];
  /** Files inside the given directories whose names are not a FHIR input format (README.md, …). */
  skipped: number;
  /** The first `maxListed` of them, by path. */
  unsupported: string[];
}

const FORMATS: ReadonlyArray<[suffix: string, format: InputFormat]> = [
  ['.ndjson', 'ndjson'],
  ['.ndjson.gz', 'ndjson'],
  ['.jsonl', 'ndjson'],
  ['.jsonl.gz', 'ndjson'],
  ['.json', 'json'],
  ['.json.gz', 'json'],
  ['.ndjson.bz2', 'ndjson'],
  ['.jsonl.bz2', 'ndjson'],
  ['.json.bz2', 'json'],
];

/** The input format a file name announces, or null when it is none of ours. */
export function formatOfFile(fileName: string): InputFormat | null {
  const lower = fileName.toLowerCase();
  for (const [suffix, format] of FORMATS) {
    if (lower.endsWith(suffix)) {
      return format;
    }
  }
  return null;
}

// Code-unit order, so the result does not depend on the locale.
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Expands files and directories (recursively, entries sorted by name) into the FHIR input files to read, in a
 * deterministic order. A path that cannot be read is reported and skipped; a file listed twice is read once.
 */
export async function listInputFiles(
  paths: readonly string[],
  report: (issue: IngestIssue) => void,
  maxListed = 100,
): Promise<InputFileList> {
  const files: InputFile[] = [];
  const unsupported: string[] = [];
  const seenFiles = new Set<string>();
  const seenDirectories = new Set<string>();
  let skipped = 0;

  const addFile = async (filePath: string, size: number, explicit: boolean): Promise<void> => {
    const format = formatOfFile(filePath);
    if (format === null) {
      if (explicit) {
        report({
          file: filePath,
          code: 'ENGINE_INPUT_FORMAT_UNSUPPORTED',
          message: 'not a FHIR input file: expected .ndjson, .jsonl or .json, optionally compressed (.gz, .bz2)',
        });
      } else {
        skipped++;
        if (unsupported.length < maxListed) {
          unsupported.push(filePath);
        }
      }
      return;
    }
    const real = await fs.realpath(filePath).catch(() => filePath);
    if (!seenFiles.has(real)) {
      seenFiles.add(real);
      files.push({ path: filePath, format, size });
    }
  };

  const visit = async (target: string, explicit: boolean): Promise<void> => {
    let stats;
    try {
      stats = await fs.stat(target);
    } catch (error) {
      report({ file: target, code: 'ENGINE_INPUT_UNREADABLE', message: `cannot read: ${describeFsError(error)}` });
      return;
    }
    if (stats.isFile()) {
      await addFile(target, stats.size, explicit);
      return;
    }
    if (!stats.isDirectory()) {
      if (explicit) {
        report({ file: target, code: 'ENGINE_INPUT_UNREADABLE', message: 'not a regular file or directory' });
      } else {
        skipped++;
      }
      return;
    }
    let entries: Dirent[];
    try {
      // A symbolic link back up the tree would otherwise recurse forever.
      const real = await fs.realpath(target);
      if (seenDirectories.has(real)) {
        return;
      }
      seenDirectories.add(real);
      entries = await fs.readdir(target, { withFileTypes: true });
    } catch (error) {
      report({
        file: target,
        code: 'ENGINE_INPUT_UNREADABLE',
        message: `cannot list directory: ${describeFsError(error)}`,
      });
      return;
    }
    for (const entry of entries.sort(byName)) {
      await visit(path.join(target, entry.name), false);
    }
  };

  for (const target of paths) {
    await visit(target, true);
  }
  return { files, skipped, unsupported };
}
