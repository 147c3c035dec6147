import { promises as fs } from 'node:fs';
import { err, ok, type Result } from '@fq/result';
import type { ConceptTree } from '../../codes/code-hierarchy';
import { EngineError, FhirInputError, MappingInvalidError } from '../../errors';
import { describeFsError, describeJsonError, jsonErrorLine } from '../../ingest/ingest-issues';
import type { EngineMapping } from '../mapping.schema';
import { parseConceptTrees } from './concept-tree.loader';
import { type ImportFhirMappingOptions, importFhirMapping } from './fhir-mapping.loader';

/**
 * Reads and parses a JSON file. An unreadable file is an `ENGINE_INPUT_UNREADABLE` error, a syntax error an
 * `ENGINE_INPUT_JSON_INVALID` error naming the line where V8 reports one; neither throws.
 */
export async function loadJsonFile(path: string): Promise<Result<unknown, EngineError>> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (cause) {
    return err(new FhirInputError(`cannot read ${path}: ${describeFsError(cause)}`, { cause }));
  }
  try {
    // Editors on some platforms save a byte-order mark that JSON.parse rejects.
    return ok(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch (cause) {
    const line = jsonErrorLine(text, cause);
    const where = line === undefined ? '' : ` (line ${line})`;
    return err(
      new EngineError('ENGINE_INPUT_JSON_INVALID', `${path} is not valid JSON${where}: ${describeJsonError(cause)}`, {
        cause,
      }),
    );
  }
}

/** Loads an upstream `mapping_tree.json` as concept trees (see `parseConceptTrees`). */
export async function loadConceptTreesFile(path: string): Promise<Result<ConceptTree[], EngineError>> {
  const json = await loadJsonFile(path);
  if (!json.ok) {
    return json;
  }
  const trees = parseConceptTrees(json.value);
  return trees.ok
    ? trees
    : err(new MappingInvalidError(`${path}: ${trees.error.message}`, trees.error.issues, { cause: trees.error }));
}

/** Loads an upstream `mapping_fhir.json` and imports it on top of `base` (see `importFhirMapping`). */
export async function loadFhirMappingFile(
  path: string,
  base: EngineMapping,
  options: ImportFhirMappingOptions = {},
): Promise<Result<EngineMapping, EngineError>> {
  const json = await loadJsonFile(path);
  if (!json.ok) {
    return json;
  }
  const mapping = importFhirMapping(json.value, base, options);
  return mapping.ok
    ? mapping
    : err(new MappingInvalidError(`${path}: ${mapping.error.message}`, mapping.error.issues, { cause: mapping.error }));
}
