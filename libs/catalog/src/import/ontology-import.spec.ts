import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { CatalogFile } from '../catalog.schema';
import { CriteriaCatalog } from '../criteria-catalog';
import { type ImportProgress, importOntology } from './ontology-import';

// A small release in the upstream shape, written for this test: two diagnoses below a block, a lab value with its
// UI profile, a specimen whose diagnosis attribute refers to a criteria set.
const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const ctx = (code: string, display = code) => ({ system: 'fdpg.mii.cds', code, display, version: '1.0.0' });
const info = (context: ReturnType<typeof ctx>, system: string, code: string, display: string, german?: string) => ({
  context,
  term_code: { system, code, display, version: '2025' },
  module: { code: 'modul', display: context.display },
  children_count: 0,
  designations: [
    { language: 'default', display },
    ...(german === undefined ? [] : [{ language: 'de-DE', display: german }]),
  ],
  siblings: [],
});

const RELEASE: Record<string, unknown> = {
  'term-code-info/Diagnose_term_code_info.json': [
    info(
      ctx('Diagnose'),
      ICD,
      'J40-J47',
      'Chronic lower respiratory diseases',
      'Chronische Krankheiten der unteren Atemwege',
    ),
    info(ctx('Diagnose'), ICD, 'J45', 'Asthma', 'Asthma bronchiale'),
    info(ctx('Diagnose'), ICD, 'J45.0', 'Predominantly allergic asthma', 'Vorwiegend allergisches Asthma bronchiale'),
    info(ctx('Diagnose'), ICD, 'J45.0', 'Predominantly allergic asthma'),
  ],
  'term-code-info/Labor_term_code_info.json': [
    info(ctx('Laboruntersuchung'), LOINC, '2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'Glukose im Serum'),
  ],
  'term-code-info/Bioprobe_term_code_info.json': [
    info(ctx('Specimen', 'Bioprobe'), SNOMED, '119364003', 'Serum specimen', 'Serumprobe'),
  ],
  'ui-trees/Diagnose_ui_tree_0.json': [
    {
      context: ctx('Diagnose'),
      system: ICD,
      version: '2025',
      entries: [
        { key: 'J40-J47', children: ['J45'] },
        { key: 'J45', parents: ['J40-J47'], children: ['J45.0', 'J45.9'] },
        { key: 'J45.0', parents: ['J45'] },
      ],
    },
  ],
  'ui-profiles/Laboruntersuchung.json': {
    name: 'Laboruntersuchung',
    timeRestrictionAllowed: true,
    valueDefinition: {
      type: 'quantity',
      allowedUnits: [{ code: 'mg/dL', display: 'mg/dL' }],
      precision: 1,
      optional: true,
    },
    attributeDefinitions: [
      {
        type: 'concept',
        attributeCode: { system: 'http://hl7.org/fhir/StructureDefinition', code: 'status', display: 'Status' },
        referencedValueSet: 'http://example.org/vs/status',
        optional: true,
      },
    ],
  },
  'ui-profiles/Bioprobe.json': {
    name: 'Bioprobe',
    timeRestrictionAllowed: true,
    attributeDefinitions: [
      {
        type: 'reference',
        attributeCode: {
          system: 'http://hl7.org/fhir/StructureDefinition',
          code: 'festgestellteDiagnose',
          display: 'Diagnose',
        },
        referencedCriteriaSet: 'http://example.org/cs/diagnoses',
        optional: true,
      },
      { type: 'composite', attributeCode: { system: 'x', code: 'y', display: 'y' } },
    ],
  },
  'value-sets/status.json': {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/status',
    expansion: { contains: [{ system: 'http://hl7.org/fhir/observation-status', code: 'final', display: 'final' }] },
  },
  'criteria-sets/diagnoses.json': {
    url: 'http://example.org/cs/diagnoses',
    contextualized_term_codes: [[ctx('Diagnose'), { system: ICD, code: 'J45', display: 'Asthma' }]],
  },
  'README.md': 'not read',
};

const dirs: string[] = [];
function writeRelease(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fq-ontology-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function imported(files: Record<string, unknown> = RELEASE) {
  const result = await importOntology(writeRelease(files));
  if (!result.ok) {
    throw result.error;
  }
  return result.value;
}

describe('importOntology', () => {
  it('builds entries with German displays, the hierarchy of the criteria trees and a valid catalog file', async () => {
    const { catalog } = await imported();
    expect(CatalogFile.safeParse(catalog).success).toBe(true);
    const loaded = CriteriaCatalog.fromFile(catalog);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) {
      return;
    }
    const [asthma] = loaded.value.search({ q: 'Asthma bronchiale', limit: 1 }).results;
    expect(asthma.termCode).toEqual({ system: ICD, code: 'J45', version: '2025', display: 'Asthma bronchiale' });
    const entry = loaded.value.entry(asthma.id)!;
    expect(entry.parents.map((p) => p.termCode.code)).toEqual(['J40-J47']);
    expect(entry.children.map((c) => c.termCode.code)).toEqual(['J45.0']);
    expect(loaded.value.knowsTermCode({ system: LOINC, code: '2345-7' })).toBe(true);
  });

  it('takes the filters from the UI profile named like the context, with value sets and criteria sets resolved', async () => {
    const { catalog } = await imported();
    const glucose = catalog.entries.find((e) => e.termCode.code === '2345-7')!;
    expect(glucose.filters).toEqual({
      valueFilter: {
        type: 'quantity',
        allowedUnits: [{ code: 'mg/dL', display: 'mg/dL' }],
        precision: 1,
        optional: true,
      },
      attributeFilters: [
        {
          type: 'concept',
          attributeCode: { system: 'http://hl7.org/fhir/StructureDefinition', code: 'status', display: 'Status' },
          allowedConcepts: [{ system: 'http://hl7.org/fhir/observation-status', code: 'final', display: 'final' }],
          optional: true,
        },
      ],
      timeRestrictionAllowed: true,
    });
    const serum = catalog.entries.find((e) => e.termCode.code === '119364003')!;
    expect(serum.filters.attributeFilters).toEqual([
      expect.objectContaining({
        type: 'reference',
        targetContexts: [{ system: 'fdpg.mii.cds', code: 'Diagnose', version: '1.0.0', display: 'Diagnose' }],
      }),
    ]);
    const j45 = catalog.entries.find((e) => e.termCode.code === 'J45')!;
    expect(j45.filters).toEqual({ valueFilter: null, attributeFilters: [], timeRestrictionAllowed: true });
  });

  it('sums up entries per context and what it skipped, with reasons', async () => {
    const { summary } = await imported();
    expect(summary.entries).toBe(5);
    expect(summary.contexts).toEqual({ Diagnose: 3, Laboruntersuchung: 1, Bioprobe: 1 });
    expect(summary.files).toEqual({ 'term-code-info': 3, tree: 1, 'ui-profile': 2, 'value-set': 1, 'criteria-set': 1 });
    expect(summary.skipped).toEqual(
      expect.arrayContaining([
        { reason: 'term code listed twice in one context (first kept)', count: 1, examples: [`Diagnose ${ICD}|J45.0`] },
        { reason: 'tree link to a code without term code info', count: 1, examples: [`${ICD}|J45 → J45.9`] },
        expect.objectContaining({ reason: expect.stringContaining('filter type "composite"') as string, count: 1 }),
      ]),
    );
  });

  it('reports progress for every file read and the entries built', async () => {
    const seen: ImportProgress[] = [];
    const result = await importOntology(writeRelease(RELEASE), { onProgress: (p) => seen.push(p) });
    expect(result.ok).toBe(true);
    expect(seen.filter((p) => p.phase === 'read')).toHaveLength(8);
    expect(seen.at(-1)).toEqual({ phase: 'build', entries: 6, entriesTotal: 6 });
  });

  it('names the file and JSON path of a malformed file', async () => {
    const broken = {
      ...RELEASE,
      'ui-trees/Diagnose_ui_tree_0.json': [{ context: ctx('Diagnose'), system: ICD, entries: [{ key: 7 }] }],
    };
    const result = await importOntology(writeRelease(broken));
    expect(result.ok).toBe(false);
    if (result.ok) {
      return;
    }
    expect(result.error.code).toBe('CATALOG_FILE_INVALID');
    expect(result.error.issues[0]).toMatchObject({
      file: join('ui-trees', 'Diagnose_ui_tree_0.json'),
      path: '$[0].entries[0].key',
    });
  });

  it('names a file that is not JSON, and a folder without term code info', async () => {
    const notJson = await importOntology(
      writeRelease({ ...RELEASE, 'term-code-info/x_term_code_info.json': '{ nope' }),
    );
    expect(!notJson.ok && notJson.error.code).toBe('CATALOG_JSON_INVALID');
    const empty = await importOntology(writeRelease({ 'README.md': 'nothing' }));
    expect(!empty.ok && empty.error.code).toBe('CATALOG_IMPORT_EMPTY');
    const missing = await importOntology(join(tmpdir(), 'fq-no-such-release-dir'));
    expect(!missing.ok && missing.error.code).toBe('CATALOG_FILE_UNREADABLE');
  });

  it('never throws on arbitrary JSON in a term code info file: an error value with issues, or a valid catalog', async () => {
    const dir = writeRelease({});
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (json) => {
        mkdirSync(join(dir, 'term_code_info'), { recursive: true });
        writeFileSync(join(dir, 'term_code_info', 'fuzz.json'), JSON.stringify(json));
        const result = await importOntology(dir);
        const verdict = result.ok
          ? CatalogFile.safeParse(result.value.catalog).success
          : /^CATALOG_[A-Z_]+$/.test(result.error.code) && result.error.message.length > 0;
        expect(verdict).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
