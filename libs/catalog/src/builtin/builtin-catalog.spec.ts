import { generateMedicationPool, generatePatientResources, siteSeedKey } from '@fq/synthetic';
import { CatalogFile } from '../catalog.schema';
import { builtinCatalogFile, loadBuiltinCatalog } from './builtin-catalog';

const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';

let loaded: ReturnType<typeof loadBuiltinCatalog> | undefined;
function catalog() {
  loaded ??= loadBuiltinCatalog();
  if (!loaded.ok) {
    throw loaded.error;
  }
  return loaded.value;
}

type Json = Record<string, unknown>;
const codings = (value: unknown): Array<{ system: string; code: string }> =>
  ((value as { coding?: Array<{ system: string; code: string }> } | undefined)?.coding ?? []).filter(
    (c) => typeof c.system === 'string',
  );

/** The term codes a criterion on each synthetic resource would name, with the resource they came from. */
function criterionCodes(resource: Json): Array<{ system: string; code: string; from: string }> {
  const from = String(resource.resourceType);
  const tag = (list: Array<{ system: string; code: string }>) => list.map((c) => ({ ...c, from }));
  switch (resource.resourceType) {
    case 'Condition':
      return tag(codings(resource.code).filter((c) => c.system === ICD));
    case 'Observation':
    case 'DiagnosticReport':
      return tag(codings(resource.code).filter((c) => c.system === LOINC));
    case 'Procedure':
      return tag(codings(resource.code));
    case 'Medication':
      return tag(codings(resource.code));
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationAdministration':
      return tag(codings(resource.medicationCodeableConcept));
    case 'Specimen':
      return tag(codings(resource.type));
    case 'Encounter':
      return tag([resource.class as { system: string; code: string }]);
    case 'Consent': {
      const nested = ((resource.provision as Json | undefined)?.provision ?? []) as Json[];
      return tag(nested.flatMap((p) => ((p.code ?? []) as Json[]).flatMap((c) => codings(c))));
    }
    default:
      return [];
  }
}

describe('the built-in catalog', () => {
  it('is a valid catalog file whose links all resolve', () => {
    expect(CatalogFile.safeParse(builtinCatalogFile()).success).toBe(true);
    expect(loadBuiltinCatalog().ok).toBe(true);
  });

  it('finds "E11 Diabetes mellitus, Typ 2" by typing "diab", with its block, chapter and E11.x children', () => {
    const found = catalog().search({ q: 'diab', limit: 20 });
    const e11 = found.results.find((r) => r.termCode.code === 'E11');
    expect(e11).toMatchObject({
      termCode: { system: ICD, display: 'Diabetes mellitus, Typ 2' },
      context: { code: 'Diagnose' },
    });
    const entry = catalog().entry(e11!.id)!;
    expect(entry.parents.map((p) => p.termCode.code)).toEqual(['E10-E14']);
    expect(entry.children.map((c) => c.termCode.code)).toEqual(expect.arrayContaining(['E11.9', 'E11.20', 'E11.74']));
    const block = catalog().entry(entry.parents[0].id)!;
    expect(block.parents.map((p) => [p.termCode.code, p.selectable])).toEqual([['IV', false]]);
    const e119 = catalog().entry(entry.children.find((c) => c.termCode.code === 'E11.9')!.id)!;
    expect(e119.children.map((c) => c.termCode.code).sort()).toEqual(['E11.90', 'E11.91']);
  });

  it('has HbA1c (LOINC 4548-4) as a Laboruntersuchung with a quantity filter in %', () => {
    const [hba1c] = catalog().search({ q: 'HbA1c', limit: 5 }).results;
    expect(hba1c).toMatchObject({
      termCode: { system: LOINC, code: '4548-4' },
      context: { code: 'Laboruntersuchung' },
    });
    const entry = catalog().entry(hba1c.id)!;
    expect(entry.filters.valueFilter).toMatchObject({ type: 'quantity', allowedUnits: [{ code: '%' }] });
    expect(entry.filters.timeRestrictionAllowed).toBe(true);
    expect(entry.criterion).toEqual({
      context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
      termCodes: [{ system: LOINC, code: '4548-4', display: 'Hämoglobin A1c/Hämoglobin gesamt im Blut' }],
    });
  });

  it('has gender with its coded values and age with its units, without a time restriction', () => {
    const gender = catalog().entry(catalog().search({ q: 'Geschlecht', limit: 1 }).results[0].id)!;
    expect(gender.filters).toMatchObject({ timeRestrictionAllowed: false, valueFilter: { type: 'concept' } });
    expect(
      gender.filters.valueFilter?.type === 'concept' && gender.filters.valueFilter.allowedConcepts.map((c) => c.code),
    ).toEqual(expect.arrayContaining(['female', 'male']));
    const age = catalog().entry(catalog().search({ q: 'Alter', limit: 1 }).results[0].id)!;
    expect(age.termCode.code).toBe('424144002');
    expect(age.filters.valueFilter).toMatchObject({
      type: 'quantity',
      allowedUnits: expect.arrayContaining([{ code: 'a', display: 'Jahre' }]) as unknown,
    });
  });

  it("offers the specimen's diagnosis as a reference to Diagnose entries", () => {
    const serum = catalog().entry(catalog().search({ q: 'Serumprobe', limit: 1 }).results[0].id)!;
    expect(serum.context.display).toBe('Bioprobe');
    expect(serum.filters.attributeFilters).toContainEqual(
      expect.objectContaining({ type: 'reference', targetContexts: [expect.objectContaining({ code: 'Diagnose' })] }),
    );
  });

  it('knows every term code the synthetic sites record', () => {
    const known = catalog();
    const seed = siteSeedKey(7, 'catalog-coverage');
    const missing = new Set<string>();
    const seen = new Set<string>();
    const resources = function* () {
      yield* generateMedicationPool();
      for (let patient = 1; patient <= 400; patient += 1) {
        yield* generatePatientResources(seed, patient);
      }
    };
    {
      for (const resource of resources()) {
        for (const code of criterionCodes(resource)) {
          seen.add(code.from);
          if (!known.knowsTermCode(code)) {
            missing.add(`${code.from} ${code.system}|${code.code}`);
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([
      'Condition',
      'Consent',
      'DiagnosticReport',
      'Encounter',
      'Medication',
      'MedicationAdministration',
      'MedicationRequest',
      'MedicationStatement',
      'Observation',
      'Procedure',
      'Specimen',
    ]);
    expect([...missing]).toEqual([]);
  });
});
