import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type FhirInputResource, type ReadFhirOptions, readFhirResources } from './fhir-reader';
import type { IngestIssue } from './ingest-issues';

const MII_KDS = '/work/shared/fixtures/mii-kds';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fhir-reader-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

async function readAll(
  paths: readonly string[],
  options: ReadFhirOptions = {},
): Promise<{ items: FhirInputResource[]; issues: IngestIssue[] }> {
  const items: FhirInputResource[] = [];
  const issues: IngestIssue[] = [];
  for await (const item of readFhirResources(paths, { ...options, onIssue: (issue) => issues.push(issue) })) {
    items.push(item);
  }
  return { items, issues };
}

const patient = (id: string): string => JSON.stringify({ resourceType: 'Patient', id });
const ids = (items: readonly FhirInputResource[]): unknown[] => items.map((item) => item.resource.id);

async function countBundleResources(file: string): Promise<number> {
  const bundle = JSON.parse(await fs.readFile(file, 'utf8')) as { entry?: Array<{ resource?: unknown }> };
  return (bundle.entry ?? []).filter((entry) => entry.resource !== undefined).length;
}

describe('readFhirResources', () => {
  describe('NDJSON', () => {
    it('reads one resource per line with its line number', async () => {
      const file = await write('a.ndjson', `${patient('p1')}\n${patient('p2')}\n`);
      const { items, issues } = await readAll([file]);
      expect(items.map((item) => item.source)).toEqual([
        { file, line: 1 },
        { file, line: 2 },
      ]);
      expect(ids(items)).toEqual(['p1', 'p2']);
      expect(issues).toEqual([]);
    });

    it('reads gzip by its magic bytes, whatever the file is called', async () => {
      const content = `${patient('p1')}\n${patient('p2')}`;
      const gz = await write('a.ndjson.gz', gzipSync(content));
      const disguised = await write('b.ndjson', gzipSync(content));
      const plainButNamedGz = await write('c.jsonl.gz', content);
      const { items, issues } = await readAll([gz, disguised, plainButNamedGz], { chunkBytes: 5 });
      expect(ids(items)).toEqual(['p1', 'p2', 'p1', 'p2', 'p1', 'p2']);
      expect(issues).toEqual([]);
    });

    it('handles a BOM, CRLF, blank and whitespace lines and a last line without newline at every chunk size', async () => {
      const content = `\uFEFF${patient('p1')}\r\n\r\n   \n${patient('p2')}\r\n\n${patient('p3')}`;
      const file = await write('mixed.ndjson', content);
      for (let chunkBytes = 1; chunkBytes <= 9; chunkBytes++) {
        const { items, issues } = await readAll([file], { chunkBytes });
        expect(issues).toEqual([]);
        expect(items.map((item) => [item.resource.id, item.source.line])).toEqual([
          ['p1', 1],
          ['p2', 4],
          ['p3', 6],
        ]);
      }
    });

    it('decodes multi-byte UTF-8 split across chunks', async () => {
      const file = await write(
        'utf8.ndjson',
        `${JSON.stringify({ resourceType: 'Patient', id: 'p', name: [{ family: 'Müller-Łódź 漢字' }] })}\n`,
      );
      const { items } = await readAll([file], { chunkBytes: 3 });
      expect(items[0].resource.name).toEqual([{ family: 'Müller-Łódź 漢字' }]);
    });

    it('reports bad lines with their line numbers and keeps reading', async () => {
      const lines = [
        patient('p1'),
        '{"resourceType": "Patient", "id": ',
        '[1, 2]',
        '{"id": "no-type"}',
        '42',
        patient('p2'),
      ];
      const file = await write('bad.ndjson', lines.join('\n'));
      const { items, issues } = await readAll([file]);
      expect(ids(items)).toEqual(['p1', 'p2']);
      expect(issues.map(({ line, code }) => [line, code])).toEqual([
        [2, 'ENGINE_INPUT_JSON_INVALID'],
        [3, 'ENGINE_INPUT_NOT_A_RESOURCE'],
        [4, 'ENGINE_INPUT_NOT_A_RESOURCE'],
        [5, 'ENGINE_INPUT_NOT_A_RESOURCE'],
      ]);
      expect(issues.every((issue) => issue.file === file)).toBe(true);
    });

    it('never quotes the offending line in a JSON error message', async () => {
      const file = await write('secret.ndjson', 'Mustermann, Erika 1962-05-01\n');
      const { issues } = await readAll([file]);
      expect(issues).toHaveLength(1);
      expect(issues[0].message).not.toContain('Mustermann');
    });

    it('skips a line longer than maxLineBytes and reports its size', async () => {
      const long = JSON.stringify({ resourceType: 'Patient', id: 'long', text: 'x'.repeat(500) });
      const file = await write('long.ndjson', [patient('p1'), long, patient('p2')].join('\n'));
      const { items, issues } = await readAll([file], { maxLineBytes: 200, chunkBytes: 16 });
      expect(ids(items)).toEqual(['p1', 'p2']);
      expect(issues.map((issue) => [issue.file, issue.line, issue.code])).toEqual([
        [file, 2, 'ENGINE_INPUT_LINE_TOO_LONG'],
      ]);
      expect(issues[0].message).toContain(`${long.length} bytes`);
    });

    it('reports a truncated gzip file after delivering what it could read', async () => {
      const content = Array.from({ length: 200 }, (_, i) => patient(`p${i}`)).join('\n');
      const gz = gzipSync(content);
      const file = await write('cut.ndjson.gz', gz.subarray(0, gz.length - 20));
      const { items, issues } = await readAll([file]);
      expect(items.length).toBeGreaterThan(0);
      expect(items.length).toBeLessThan(200);
      expect(issues).toEqual([
        expect.objectContaining({ file, code: 'ENGINE_INPUT_GZIP_INVALID', line: items.length + 1 }),
      ]);
    });

    it('delivers a Bundle line as one resource without expanding it', async () => {
      const bundle = JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { resourceType: 'Patient', id: 'x' } }],
      });
      const file = await write('bundles.ndjson', bundle);
      const { items } = await readAll([file]);
      expect(items.map((item) => item.resource.resourceType)).toEqual(['Bundle']);
    });
  });

  describe('Bundle and resource JSON files', () => {
    it('reads every entry resource of the MII KDS bundles with its entry index', async () => {
      const file = path.join(MII_KDS, 'Bundle-mii-exa-test-data-bundle-pat-1.json');
      const { items, issues } = await readAll([file]);
      expect(issues).toEqual([]);
      expect(items).toHaveLength(await countBundleResources(file));
      expect(items.map((item) => item.source.entry)).toEqual(items.map((_, i) => i));
      expect(items.every((item) => item.source.file === file && item.source.line === undefined)).toBe(true);
    });

    it('reads a whole fixture directory in name order and skips files of other formats', async () => {
      const names = (await fs.readdir(MII_KDS)).filter((name) => name.endsWith('.json')).sort();
      let expected = 0;
      for (const name of names) {
        expected += await countBundleResources(path.join(MII_KDS, name));
      }
      const { items, issues } = await readAll([MII_KDS]);
      expect(issues).toEqual([]);
      expect(items).toHaveLength(expected);
      const fileOrder = [...new Set(items.map((item) => path.basename(item.source.file)))];
      expect(fileOrder).toEqual(names);
    });

    it('reads a gzipped Bundle and a single resource file', async () => {
      const bundle = JSON.stringify({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          { resource: { resourceType: 'Patient', id: 'p1' } },
          { resource: { resourceType: 'Patient', id: 'p2' } },
        ],
      });
      const gz = await write('b.json.gz', gzipSync(bundle));
      const single = await write('one.json', `\uFEFF${patient('solo')}`);
      const { items, issues } = await readAll([gz, single]);
      expect(issues).toEqual([]);
      expect(ids(items)).toEqual(['p1', 'p2', 'solo']);
      expect(items[2].source).toEqual({ file: single });
    });

    it('reports bad entries and unapplied deletions by index and delivers the good ones', async () => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', id: 'p1' } },
          { request: { method: 'DELETE', url: 'Patient/x' } },
          { resource: { id: 'untyped' } },
          'nonsense',
          { resource: { resourceType: 'Patient', id: 'p2' } },
        ],
      };
      const file = await write('entries.json', JSON.stringify(bundle));
      const { items, issues } = await readAll([file]);
      expect(ids(items)).toEqual(['p1', 'p2']);
      expect(items.map((item) => item.source.entry)).toEqual([0, 4]);
      expect(issues.map(({ entry, code }) => [entry, code])).toEqual([
        [1, 'ENGINE_INPUT_BUNDLE_DELETE_NOT_APPLIED'],
        [2, 'ENGINE_INPUT_NOT_A_RESOURCE'],
        [3, 'ENGINE_INPUT_BUNDLE_ENTRY_INVALID'],
      ]);
    });

    it('refuses Bundle types whose entries are not plain resources', async () => {
      const history = await write(
        'history.json',
        JSON.stringify({ resourceType: 'Bundle', type: 'history', entry: [] }),
      );
      const untyped = await write('untyped.json', JSON.stringify({ resourceType: 'Bundle', entry: [] }));
      const { issues } = await readAll([history, untyped]);
      expect(issues.map((issue) => [issue.file, issue.code])).toEqual([
        [history, 'ENGINE_INPUT_BUNDLE_TYPE_UNSUPPORTED'],
        [untyped, 'ENGINE_INPUT_BUNDLE_TYPE_UNSUPPORTED'],
      ]);
      expect(issues[0].message).toContain('"history"');
      expect(issues[1].message).toContain('missing');
    });

    it('reports a JSON syntax error in a Bundle file with the line it sits on', async () => {
      const file = await write(
        'broken.json',
        '{\n  "resourceType": "Bundle",\n  "type": "collection",\n  "entry": [{} {}]\n}',
      );
      const { items, issues } = await readAll([file]);
      expect(items).toEqual([]);
      expect(issues).toEqual([expect.objectContaining({ file, line: 4, code: 'ENGINE_INPUT_JSON_INVALID' })]);
    });

    it('refuses a Bundle file above maxBundleBytes, compressed or once decompressed', async () => {
      const bundle = JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { resourceType: 'Patient', id: 'x'.repeat(400) } }],
      });
      const plain = await write('big.json', bundle);
      const packed = await write('big.json.gz', gzipSync(bundle));
      const { items, issues } = await readAll([plain, packed], { maxBundleBytes: 300 });
      expect(items).toEqual([]);
      expect(issues.map((issue) => [issue.file, issue.code])).toEqual([
        [plain, 'ENGINE_INPUT_BUNDLE_TOO_LARGE'],
        [packed, 'ENGINE_INPUT_BUNDLE_TOO_LARGE'],
      ]);
      expect(issues[0].message).toContain(`(${bundle.length} bytes)`);
      expect(issues[1].message).toContain('decompressed');
    });
  });

  describe('paths', () => {
    it('mixes NDJSON and Bundle files from nested directories in name order', async () => {
      await write('b/z.ndjson', `${patient('nd1')}\n${patient('nd2')}\n`);
      await write(
        'a/bundle.json',
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'collection',
          entry: [{ resource: { resourceType: 'Patient', id: 'b1' } }],
        }),
      );
      await write('a/readme.txt', 'not FHIR');
      await write('c.jsonl', patient('top'));
      const { items, issues } = await readAll([dir]);
      expect(issues).toEqual([]);
      expect(ids(items)).toEqual(['b1', 'nd1', 'nd2', 'top']);
    });

    it('reports missing paths, dangling links and unsupported explicit files, and reads the rest', async () => {
      await write('good.ndjson', patient('ok'));
      const other = await write('notes.txt', 'hello');
      await fs.symlink(path.join(dir, 'gone.ndjson'), path.join(dir, 'dangling.ndjson'));
      const missing = path.join(dir, 'missing', 'x.ndjson');
      const { items, issues } = await readAll([missing, dir, other]);
      expect(ids(items)).toEqual(['ok']);
      expect(issues).toEqual([
        { file: missing, code: 'ENGINE_INPUT_UNREADABLE', message: 'cannot read: does not exist' },
        {
          file: path.join(dir, 'dangling.ndjson'),
          code: 'ENGINE_INPUT_UNREADABLE',
          message: 'cannot read: does not exist',
        },
        expect.objectContaining({ file: other, code: 'ENGINE_INPUT_FORMAT_UNSUPPORTED' }),
      ]);
    });

    it('reads a file given twice (directly and through its directory) once', async () => {
      const file = await write('x.ndjson', patient('once'));
      const { items } = await readAll([file, dir]);
      expect(ids(items)).toEqual(['once']);
    });

    it('rejects nonsensical limits as a programming error', async () => {
      await expect(readAll([dir], { maxLineBytes: 0 })).rejects.toThrow(RangeError);
    });
  });

  describe('robustness', () => {
    const validResource = fc.record({
      resourceType: fc.constantFrom('Patient', 'Observation', 'Condition'),
      n: fc.integer(),
      text: fc.string(),
    });
    const garbageLine = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
      fc
        .jsonValue()
        .filter(
          (value) => typeof value !== 'object' || value === null || Array.isArray(value) || !('resourceType' in value),
        )
        .map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
    );
    const line = fc.oneof(
      { arbitrary: validResource.map((resource) => ({ valid: true as const, resource })), weight: 1 },
      { arbitrary: garbageLine.map((bytes) => ({ valid: false as const, bytes })), weight: 1 },
    );

    it('delivers every valid resource exactly once among arbitrary garbage lines, never throwing', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(line, { maxLength: 30 }),
          fc.integer({ min: 1, max: 64 }),
          fc.boolean(),
          fc.constantFrom('\n', '\r\n'),
          async (lines, chunkBytes, gzip, eol) => {
            const expected: string[] = [];
            const parts: Buffer[] = [];
            lines.forEach((entry, i) => {
              if (entry.valid) {
                const id = `valid-${i}`;
                expected.push(id);
                parts.push(Buffer.from(JSON.stringify({ ...entry.resource, id })));
              } else {
                parts.push(entry.bytes);
              }
              parts.push(Buffer.from(eol));
            });
            const content = Buffer.concat(parts);
            const file = await write(`run-${run++}.ndjson`, gzip ? gzipSync(content) : content);
            const { items } = await readAll([file], { chunkBytes });
            const delivered = items
              .map((item) => item.resource.id)
              .filter((id) => typeof id === 'string' && id.startsWith('valid-'));
            expect(delivered).toEqual(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
