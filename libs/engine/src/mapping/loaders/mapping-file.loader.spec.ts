import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MappingInvalidError } from '../../errors';
import { DEFAULT_MAPPING } from '../default-mapping';
import { loadConceptTreesFile, loadFhirMappingFile, loadJsonFile } from './mapping-file.loader';

const SAMPLES = '/work/shared/fixtures/mii-mapping-samples';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mapping-file-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

describe('loadJsonFile', () => {
  it('parses a file, ignoring a byte-order mark', async () => {
    const file = await write('a.json', '\uFEFF{"a": [1]}');
    expect(await loadJsonFile(file)).toEqual({ ok: true, value: { a: [1] } });
  });

  it('returns a missing file as an unreadable-input error', async () => {
    const file = path.join(dir, 'missing.json');
    const result = await loadJsonFile(file);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('ENGINE_INPUT_UNREADABLE');
    expect(!result.ok && result.error.message).toBe(`cannot read ${file}: does not exist`);
  });

  it('returns a syntax error with the line it sits on', async () => {
    const file = await write('bad.json', '[\n  {"a": 1}\n  {"b": 2}\n]');
    const result = await loadJsonFile(file);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('ENGINE_INPUT_JSON_INVALID');
    expect(!result.ok && result.error.message).toContain(`${file} is not valid JSON (line 3)`);
  });
});

describe('loadConceptTreesFile', () => {
  it('loads the sample tree', async () => {
    const result = await loadConceptTreesFile(path.join(SAMPLES, 'mapping_tree.json'));
    expect(result.ok && result.value.map((tree) => tree.context.code)).toEqual(['Laboruntersuchung', 'Diagnose']);
  });

  it('names the file in a shape error and keeps the issues', async () => {
    const file = await write('tree.json', '[{"system": "s", "entries": []}]');
    const result = await loadConceptTreesFile(file);
    if (result.ok) {
      throw new Error('expected an error');
    }
    expect(result.error).toBeInstanceOf(MappingInvalidError);
    expect(result.error.message).toContain(file);
    expect(result.error instanceof MappingInvalidError && result.error.issues.map((issue) => issue.path)).toEqual([
      '$[0].context',
    ]);
  });
});

describe('loadFhirMappingFile', () => {
  it('imports the sample on top of a base mapping', async () => {
    const result = await loadFhirMappingFile(path.join(SAMPLES, 'mapping_fhir.json'), DEFAULT_MAPPING, {
      name: 'sample',
    });
    expect(result.ok && result.value.name).toBe('sample');
    expect(result.ok && result.value.criteria.length).toBe(DEFAULT_MAPPING.criteria.length + 3);
  });

  it('passes a JSON error through unchanged', async () => {
    const file = await write('mapping.json', '[');
    const result = await loadFhirMappingFile(file, DEFAULT_MAPPING);
    expect(!result.ok && result.error.code).toBe('ENGINE_INPUT_JSON_INVALID');
  });

  it('names the file in an import error', async () => {
    const file = await write(
      'mapping.json',
      JSON.stringify([
        {
          context: { system: 'c', code: 'x' },
          key: { system: 's', code: 'k' },
          fhirResourceType: 'Flag',
          termCodeSearchParameter: 'code',
        },
      ]),
    );
    const result = await loadFhirMappingFile(file, DEFAULT_MAPPING);
    if (result.ok) {
      throw new Error('expected an error');
    }
    expect(result.error.message).toContain(file);
    expect(result.error instanceof MappingInvalidError && result.error.issues.map((issue) => issue.code)).toEqual([
      'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
    ]);
  });
});
