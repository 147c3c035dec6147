import { promises as fs } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { err, formatIssuePath, ok, type Result } from '@fq/result';
import type { z } from 'zod';
import { readJsonFile } from '../criteria-catalog';
import { CatalogError, CatalogErrorCode, type CatalogIssue } from '../errors';

/** The kinds of release file the import reads. */
export type OntologyFileKind = 'tree' | 'term-code-info' | 'ui-profile' | 'value-set' | 'criteria-set';

const FOLDER_KINDS: ReadonlyArray<readonly [RegExp, OntologyFileKind]> = [
  [/^(criteria[-_]trees?|ui[-_]trees?|mapping[-_]tree)$/i, 'tree'],
  [/^term[-_]code[-_]info$/i, 'term-code-info'],
  [/^ui[-_]profiles?$/i, 'ui-profile'],
  [/^value[-_]sets?$/i, 'value-set'],
  [/^criteria[-_]sets?$/i, 'criteria-set'],
];

/** The kind of a release file by its name or its folder; undefined for a file the import does not read. */
export function kindOfFile(path: string): OntologyFileKind | undefined {
  const name = basename(path).toLowerCase();
  if (!name.endsWith('.json')) {
    return undefined;
  }
  if (name.includes('term_code_info') || name.includes('term-code-info')) {
    return 'term-code-info';
  }
  if (name.endsWith('_tree.json') || /_ui_tree_\d+\.json$/.test(name) || name === 'mapping_tree.json') {
    return 'tree';
  }
  const folders = path.split(sep).slice(0, -1).reverse();
  for (const folder of folders) {
    const kind = FOLDER_KINDS.find(([pattern]) => pattern.test(folder))?.[1];
    if (kind !== undefined) {
      return kind;
    }
  }
  return undefined;
}

/** Every file below `dir` (sorted, so an import reads them in the same order every time), or why there are none. */
export async function listFiles(dir: string): Promise<Result<string[], CatalogError>> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        found.push(path);
      }
    }
  };
  try {
    await walk(dir);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return err(new CatalogError(CatalogErrorCode.FileUnreadable, `cannot read ${dir}: ${reason}`, [], { cause }));
  }
  return ok(found.sort());
}

/** Reads a release file and parses it with its schema; every shape problem names the file and the JSON path. */
export async function readOntologyFile<Schema extends z.ZodType>(
  dir: string,
  path: string,
  schema: Schema,
): Promise<Result<z.output<Schema>, CatalogError>> {
  const file = relative(dir, path);
  const json = await readJsonFile(path);
  if (!json.ok) {
    return err(
      new CatalogError(json.error.code, json.error.message, [
        { file, path: '$', code: json.error.code, message: json.error.message },
      ]),
    );
  }
  const parsed = schema.safeParse(json.value);
  if (parsed.success) {
    return ok(parsed.data);
  }
  const issues: CatalogIssue[] = parsed.error.issues.slice(0, 50).map((issue) => ({
    file,
    path: formatIssuePath(issue.path),
    code: CatalogErrorCode.FileInvalid,
    message: issue.message,
  }));
  const first = issues[0];
  return err(
    new CatalogError(
      CatalogErrorCode.FileInvalid,
      `${file} is not a valid ontology file: ${parsed.error.issues.length} issue${parsed.error.issues.length === 1 ? '' : 's'}, first ${first.path}: ${first.message}`,
      issues,
    ),
  );
}
