import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCatalogFile } from '@fq/catalog';
import { runBrokerCli } from './broker.cli';

const LOINC = 'http://loinc.org';
const context = { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' };
const info = (code: string, display: string) => ({
  context,
  term_code: { system: LOINC, code, display },
  module: { code: 'labor', display: 'Labor' },
  designations: [{ language: 'de-DE', display }],
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text) } };
  return { code: await runBrokerCli(args, io, {}), out, err };
}

describe('broker catalog import', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fq-catalog-cli-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function write(files: Record<string, unknown>): string {
    const release = join(dir, 'release');
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(release, name)), { recursive: true });
      writeFileSync(join(release, name), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return release;
  }

  it('writes a catalog file the broker loads, with progress on stderr and a summary on stdout', async () => {
    const release = write({
      'term_code_info/labor_term_code_info.json': [
        info('2951-2', 'Natrium im Serum'),
        info('2823-3', 'Kalium im Serum'),
      ],
      'criteria_trees/labor_tree.json': [{ context, system: LOINC, entries: [{ key: '2951-2' }, { key: '2823-3' }] }],
    });
    const out = join(dir, 'out', 'catalog.json');
    const result = await cli(['catalog', 'import', release, '--out', out]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.err).toContain('read 2/2 files');
    expect(result.err).toContain('built 2/2 entries');
    expect(result.out).toContain(`catalog: 2 entries in 1 contexts → ${out}`);
    expect(result.out).toContain('  Laboruntersuchung: 2');
    expect(result.out).toContain('skipped: nothing');
    expect(result.out).toContain(`BROKER_CATALOG_FILE=${out}`);
    const loaded = await loadCatalogFile(out);
    expect(loaded.ok && loaded.value.search({ q: 'kalium', limit: 5 }).results.map((r) => r.termCode.code)).toEqual([
      '2823-3',
    ]);
  });

  it('exits 1 naming the file and the JSON path of a malformed file, and writes nothing', async () => {
    const release = write({ 'term_code_info/labor_term_code_info.json': [{ context, term_code: { system: LOINC } }] });
    const out = join(dir, 'catalog.json');
    const result = await cli(['catalog', 'import', release, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(join('term_code_info', 'labor_term_code_info.json'));
    expect(result.err).toContain('$[0].term_code.code');
    expect((await loadCatalogFile(out)).ok).toBe(false);
  });

  it('exits 2 without a release folder argument', async () => {
    expect((await cli(['catalog', 'import'])).code).toBe(2);
  });
});
