import fc from 'fast-check';
import { CatalogBuilder } from './builtin/catalog-builder';
import { CriteriaCatalog } from './criteria-catalog';

const none = { valueFilter: null, attributeFilters: [], timeRestrictionAllowed: true };
const ctx = (code: string) => ({ system: 'fdpg.mii.cds', code, display: code === 'Specimen' ? 'Bioprobe' : code });
const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';

function catalog(): CriteriaCatalog {
  const b = new CatalogBuilder();
  const add = (context: string, system: string, code: string, display: string, synonyms?: string[]) =>
    b.add(ctx(context), { system, code, display }, { filters: none, synonyms });
  add('Diagnose', ICD, 'E11', 'Diabetes mellitus, Typ 2');
  add('Diagnose', ICD, 'E11.9', 'Diabetes mellitus Typ 2 ohne Komplikationen');
  add('Diagnose', ICD, 'E10', 'Diabetes mellitus, Typ 1');
  add('Diagnose', ICD, 'O24.4', 'Diabetes mellitus, während der Schwangerschaft auftretend');
  add('Diagnose', ICD, 'S82.0', 'Fraktur der Patella, Unfall auf der Straße');
  add('Laboruntersuchung', LOINC, '718-7', 'Hämoglobin im Blut', ['Hemoglobin']);
  add('Laboruntersuchung', LOINC, '4548-4', 'Hämoglobin A1c/Hämoglobin gesamt im Blut', ['HbA1c']);
  add('Laboruntersuchung', LOINC, '2345-7', 'Glukose im Serum, bei Diabetes', ['Blutzucker']);
  add('Specimen', 'http://snomed.info/sct', '119364003', 'Serumprobe');
  for (let i = 0; i < 150; i += 1) {
    add('Diagnose', ICD, `Z${String(i).padStart(2, '0')}.${i % 10}`, `Zustand nach Eingriff Nummer ${i}`);
  }
  const loaded = CriteriaCatalog.fromFile(b.build('test'));
  if (!loaded.ok) {
    throw loaded.error;
  }
  return loaded.value;
}

const codes = (q: string, extra: { context?: string; limit?: number } = {}) =>
  catalog()
    .search({ q, limit: 20, ...extra })
    .results.map((r) => r.termCode.code);

describe('CriteriaCatalog.search', () => {
  it('finds by a prefix of a display word', () => {
    expect(codes('diab')).toEqual(expect.arrayContaining(['E11', 'E11.9', 'E10', 'O24.4', '2345-7']));
    expect(codes('Kompl')).toEqual(['E11.9']);
  });

  it('folds umlauts and ß both ways: "Hamo" finds "Hämoglobin", "strasse" finds "Straße"', () => {
    expect(codes('Hamo')).toEqual(expect.arrayContaining(['718-7', '4548-4']));
    expect(codes('Hämo')).toEqual(codes('Hamo'));
    expect(codes('strasse')).toEqual(['S82.0']);
    expect(codes('STRASSE')).toEqual(['S82.0']);
    expect(codes('Glucose')).toEqual(['2345-7']);
  });

  it('forgives a typo in a longer word', () => {
    expect(codes('Diabtes')).toEqual(expect.arrayContaining(['E11', 'E10']));
    expect(codes('Serumprboe')).toEqual(['119364003']);
  });

  it('finds by code and by a prefix of a code', () => {
    expect(codes('4548-4')[0]).toBe('4548-4');
    expect(codes('E11')[0]).toBe('E11');
    expect(codes('E11')).toContain('E11.9');
    expect(codes('e11.9')).toEqual(['E11.9']);
  });

  it('ranks the exact code first, then entries whose display words start with the text, then fuzzy matches', () => {
    expect(codes('E11').slice(0, 2)).toEqual(['E11', 'E11.9']);
    const diab = codes('diabetes');
    expect(diab.indexOf('2345-7')).toBeGreaterThan(-1);
    // "hamoglobin" (ä folded) starts a word of both haemoglobin entries.
    expect(codes('hamoglobin').slice(0, 2).sort()).toEqual(['4548-4', '718-7']);
  });

  it('ranks whole words before starts of words before typos, and looks for typos only to fill the limit', () => {
    const b = new CatalogBuilder();
    b.add(ctx('Diagnose'), { system: ICD, code: 'D1', display: 'Diabetes mellitus' }, { filters: none });
    b.add(ctx('Diagnose'), { system: ICD, code: 'D2', display: 'Diabetesschulung' }, { filters: none });
    b.add(ctx('Diagnose'), { system: ICD, code: 'D3', display: 'Diabetis-Ambulanz' }, { filters: none });
    const loaded = CriteriaCatalog.fromFile(b.build('ranking'));
    if (!loaded.ok) {
      throw loaded.error;
    }
    const found = (limit: number) => loaded.value.search({ q: 'diabetes', limit });
    expect(found(20).results.map((r) => r.termCode.code)).toEqual(['D1', 'D2', 'D3']);
    expect(found(20).total).toBe(3);
    expect(found(2).results.map((r) => r.termCode.code)).toEqual(['D1', 'D2']);
    expect(found(2).total).toBe(2);
  });

  it('filters by context, given by code or display in any case', () => {
    expect(codes('diab', { context: 'Laboruntersuchung' })).toEqual(['2345-7']);
    expect(codes('serum', { context: 'bioprobe' })).toEqual(['119364003']);
    expect(codes('serum', { context: 'Specimen' })).toEqual(['119364003']);
    expect(codes('diab', { context: 'Medikamentenverabreichung' })).toEqual([]);
  });

  it('returns at most limit results and the total of all matches', () => {
    const found = catalog().search({ q: 'Zustand', limit: 20 });
    expect(found.results).toHaveLength(20);
    expect(found.total).toBe(150);
    expect(catalog().search({ q: 'Zustand', limit: 100 }).results).toHaveLength(100);
  });

  it('finds nothing for text without letters or digits', () => {
    expect(catalog().search({ q: ' -- ', limit: 20 })).toEqual({ results: [], total: 0 });
  });

  it('knows term codes by system and code, the old DIMDI ICD URL included', () => {
    expect(catalog().knowsTermCode({ system: ICD, code: 'E11' })).toBe(true);
    expect(catalog().knowsTermCode({ system: 'http://fhir.de/CodeSystem/dimdi/icd-10-gm', code: 'E11' })).toBe(true);
    expect(catalog().knowsTermCode({ system: LOINC, code: '9999-9' })).toBe(false);
  });
});

describe('CriteriaCatalog.search on random catalogs', () => {
  // Words of digits: no typo search for them, so the answer is exactly "every typed word starts a word of the entry".
  const word = fc.string({ unit: fc.constantFrom('1', '2', '3'), minLength: 1, maxLength: 6 });
  const entry = fc.record({ words: fc.array(word, { minLength: 1, maxLength: 4 }), inLab: fc.boolean() });
  // Typed words are mostly starts of the catalog's own words (so they are often a whole word of one entry and the
  // start of another's), sometimes any word.
  const catalogAndQuery = fc.array(entry, { minLength: 1, maxLength: 40 }).chain((entries) => {
    const own = entries.flatMap((e) => e.words);
    const typedWord = fc.oneof(
      fc.tuple(fc.constantFrom(...own), fc.integer({ min: 1, max: 6 })).map(([w, n]) => w.slice(0, n)),
      word,
    );
    return fc.tuple(fc.constant(entries), fc.array(typedWord, { minLength: 1, maxLength: 3 }));
  });

  it('finds exactly the entries where every typed word starts a word, whole words first, then by preference', () => {
    fc.assert(
      fc.property(
        catalogAndQuery,
        fc.constantFrom(undefined, 'Diagnose', 'Laboruntersuchung'),
        fc.integer({ min: 1, max: 10 }),
        ([entries, typed], context, limit) => {
          const b = new CatalogBuilder();
          const all = entries.map((e, i) => {
            const display = e.words.join(' ');
            const contextCode = e.inLab ? 'Laboruntersuchung' : 'Diagnose';
            b.add(ctx(contextCode), { system: ICD, code: `C${i}`, display }, { filters: none });
            return { code: `C${i}`, display, contextCode, words: e.words };
          });
          const loaded = CriteriaCatalog.fromFile(b.build('random'));
          if (!loaded.ok) {
            throw loaded.error;
          }
          const long = typed.filter((t) => t.length > 3);
          const expected = all
            .filter((e) => context === undefined || e.contextCode === context)
            .filter((e) => typed.every((t) => e.words.some((w) => w.startsWith(t))))
            .map((e) => ({ ...e, penalty: long.filter((t) => !e.words.includes(t)).length }))
            .sort(
              (a, b) => a.penalty - b.penalty || a.display.length - b.display.length || a.code.localeCompare(b.code),
            );
          const found = loaded.value.search({ q: typed.join(' '), context, limit });
          expect(found.total).toBe(expected.length);
          expect(found.results.map((r) => r.termCode.code)).toEqual(expected.slice(0, limit).map((e) => e.code));
        },
      ),
      { numRuns: 300 },
    );
  });
});
