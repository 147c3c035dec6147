import { compilePath, compileWithFhirPath } from '../fhirpath/compile-path';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from './default-mapping';
import { MappingCatalog } from './mapping-catalog';
import { type CriterionMapping, EngineMapping } from './mapping.schema';
import { SYSTEMS } from './systems';

const MAPPINGS = [DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING];

const context = (code: string) => ({ system: SYSTEMS.mii, code });
const POLICY_PREFIX = '2.16.840.1.113883.3.1937.777.24.5.3';

/** Every FHIRPath of a mapping entry with the resource type it is evaluated on. */
function entryPaths(entry: CriterionMapping): Array<{ resourceType: string; expression: string }> {
  const own = [
    entry.code?.path,
    entry.code?.via?.reference,
    entry.time,
    'reference' in entry.patient ? entry.patient.reference : undefined,
    ...(entry.values ?? []).map((v) => v.path),
    ...(entry.attributes ?? []).map((a) => a.path),
  ];
  const paths = own
    .filter((p) => p !== undefined)
    .map((expression) => ({ resourceType: entry.resourceType, expression }));
  const via = entry.code?.via;
  return via === undefined ? paths : [...paths, { resourceType: via.resourceType, expression: via.path }];
}

/** A minimal entry of context `ctx` for catalog tests. */
function entry(
  name: string,
  ctx: string,
  terms: Partial<Pick<CriterionMapping, 'termCodes' | 'termCodeSystems'>>,
): CriterionMapping {
  return {
    name,
    context: context(ctx),
    resourceType: 'Observation',
    patient: { reference: 'subject.reference' },
    ...terms,
  };
}

function catalogOf(criteria: CriterionMapping[]): MappingCatalog {
  return new MappingCatalog({
    name: 'test',
    systemAliases: { 'http://loinc.org/old': SYSTEMS.loinc },
    hierarchyRules: {},
    criteria,
  });
}

describe.each(MAPPINGS.map((m) => [m.name, m] as const))('the %s mapping', (_name, mapping) => {
  it('parses with the EngineMapping schema unchanged', () => {
    const parsed = EngineMapping.safeParse(mapping);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(parsed.data).toEqual(mapping);
  });

  it('has FHIRPath expressions that all compile', () => {
    const paths = mapping.criteria.flatMap(entryPaths);
    expect(paths.length).toBeGreaterThan(40);
    for (const { resourceType, expression } of paths) {
      expect(() => compilePath(expression, resourceType)).not.toThrow();
      expect(() => compileWithFhirPath(expression, resourceType)).not.toThrow();
    }
  });

  it('maps every legacy DIMDI system onto its BfArM successor', () => {
    const catalog = new MappingCatalog(mapping);
    expect(catalog.normalizeSystem('http://fhir.de/CodeSystem/dimdi/icd-10-gm')).toBe(SYSTEMS.icd10gm);
    expect(catalog.normalizeSystem('http://fhir.de/CodeSystem/dimdi/ops')).toBe(SYSTEMS.ops);
    expect(catalog.normalizeSystem('http://fhir.de/CodeSystem/dimdi/atc')).toBe(SYSTEMS.atc);
    expect(catalog.normalizeSystem(SYSTEMS.loinc)).toBe(SYSTEMS.loinc);
  });

  describe('combined consent', () => {
    const catalog = new MappingCatalog(mapping);
    const EINWILLIGUNG = context('Einwilligung');
    const required = (code: string) => {
      const resolved = catalog.resolve(EINWILLIGUNG, { system: SYSTEMS.consentCombined, code });
      return resolved?.entry.codeConjunctions?.[code].map((c) => {
        expect(c.system).toBe(SYSTEMS.consentPolicy);
        expect(c.code.startsWith(`${POLICY_PREFIX}.`)).toBe(true);
        return Number(c.code.slice(POLICY_PREFIX.length + 1));
      });
    };

    it.each([
      ['yes-yes-no-no', [8, 46]],
      ['yes-no-no-no', [49]],
      ['no-yes-no-no', [9, 47, 8, 46]],
      ['no-no-yes-yes', [9, 47, 49, 10, 37, 26, 27, 28, 29, 31, 30]],
    ])('requires the policy codes of MII-CONTEXTS.md section 5 for %s', (code, suffixes) => {
      expect(required(code)?.sort((a, b) => a - b)).toEqual([...suffixes].sort((a, b) => a - b));
    });

    it('has exactly the 16 combinations, each requiring the codes its four answers add', () => {
      const combined = mapping.criteria.find((e) => e.codeConjunctions !== undefined);
      expect(Object.keys(combined?.codeConjunctions ?? {}).sort()).toHaveLength(16);
      for (const distributed of ['yes', 'no']) {
        for (const euGdpr of ['yes', 'no']) {
          for (const insurance of ['yes', 'no']) {
            for (const recontact of ['yes', 'no']) {
              const expected = [
                ...(distributed === 'no' ? [9, 47] : []),
                ...(euGdpr === 'yes' ? [8, 46] : [49]),
                ...(insurance === 'yes' ? [10] : []),
                ...(recontact === 'yes' ? [37, 26, 27, 28, 29, 31, 30] : []),
              ];
              const code = `${distributed}-${euGdpr}-${insurance}-${recontact}`;
              expect([code, required(code)?.sort((a, b) => a - b)]).toEqual([code, expected.sort((a, b) => a - b)]);
            }
          }
        }
      }
    });

    it.each(['maybe-yes-no-no', 'yes-yes-no', 'YES-YES-NO-NO', 'toString', 'constructor', '__proto__'])(
      'resolves the combined consent code %p, which is not a combination, to nothing',
      (code) => {
        expect(catalog.resolve(EINWILLIGUNG, { system: SYSTEMS.consentCombined, code })).toBeNull();
        expect(catalog.resolve(undefined, { system: SYSTEMS.consentCombined, code })).toBeNull();
      },
    );

    it('resolves a single policy code to the single-code consent entry', () => {
      const resolved = catalog.resolve(EINWILLIGUNG, { system: SYSTEMS.consentPolicy, code: `${POLICY_PREFIX}.8` });
      expect(resolved?.entry.name).toBe('Einwilligung');
      expect(resolved?.entry.codeConjunctions).toBeUndefined();
    });
  });
});

describe('DEFAULT_MAPPING and UPSTREAM_COMPATIBLE_MAPPING', () => {
  const byName = (mapping: EngineMapping, name: string) => mapping.criteria.find((e) => e.name === name);

  it('differ in the consent provision read (decision 0002)', () => {
    expect(byName(DEFAULT_MAPPING, 'Einwilligung')?.code?.path).toBe(
      "provision.provision.where(type = 'permit').code.coding",
    );
    expect(byName(UPSTREAM_COMPATIBLE_MAPPING, 'Einwilligung')?.code?.path).toBe('provision.provision.code.coding');
  });

  it('differ in reading inline medication codes (decision 0002)', () => {
    for (const name of ['Medikamentenverabreichung', 'Medikamentenanordnung', 'Medikamentenverordnung']) {
      expect(byName(DEFAULT_MAPPING, name)?.code?.path).toBe('medication.ofType(CodeableConcept).coding');
      expect(byName(UPSTREAM_COMPATIBLE_MAPPING, name)?.code?.path).toBeUndefined();
      expect(byName(UPSTREAM_COMPATIBLE_MAPPING, name)?.code?.via).toEqual(byName(DEFAULT_MAPPING, name)?.code?.via);
    }
  });

  it('differ in whether a specimen diagnosis must belong to the same patient (decision 0002)', () => {
    const samePatient = (mapping: EngineMapping) =>
      byName(mapping, 'Specimen')?.attributes?.map((a) => (a.type === 'reference' ? a.samePatient : null));
    expect(samePatient(DEFAULT_MAPPING)).toEqual([true, null]);
    expect(samePatient(UPSTREAM_COMPATIBLE_MAPPING)).toEqual([false, null]);
  });
});

describe('MappingCatalog.resolve', () => {
  const catalog = new MappingCatalog(DEFAULT_MAPPING);

  it('normalises a legacy code system before looking the code up', () => {
    const resolved = catalog.resolve(context('Diagnose'), {
      system: 'http://fhir.de/CodeSystem/dimdi/icd-10-gm',
      code: 'E11.9',
    });
    expect(resolved).toMatchObject({ entry: { name: 'Diagnose' }, system: SYSTEMS.icd10gm, code: 'E11.9' });
  });

  it('picks the entry by context when the same system is mapped in several contexts', () => {
    expect(catalog.resolve(context('Procedure'), { system: SYSTEMS.snomed, code: '80146002' })?.entry.name).toBe(
      'Procedure',
    );
    expect(catalog.resolve(context('Specimen'), { system: SYSTEMS.snomed, code: '119297000' })?.entry.name).toBe(
      'Specimen',
    );
  });

  it('returns null for a code of a system the context does not map', () => {
    expect(catalog.resolve(context('Patient'), { system: SYSTEMS.snomed, code: '73211009' })).toBeNull();
    expect(catalog.resolve(context('Diagnose'), { system: 'http://example.org/unknown', code: 'E11.9' })).toBeNull();
    expect(catalog.resolve(context('NoSuchContext'), { system: SYSTEMS.icd10gm, code: 'E11.9' })).toBeNull();
    expect(
      catalog.resolve({ system: 'other', code: 'Diagnose' }, { system: SYSTEMS.icd10gm, code: 'E11.9' }),
    ).toBeNull();
  });

  it('resolves without a context only when the code identifies one context', () => {
    expect(catalog.resolve(undefined, { system: SYSTEMS.snomed, code: '263495000' })?.entry.name).toBe('Gender');
    expect(catalog.resolve(undefined, { system: SYSTEMS.loinc, code: '8867-4' })?.entry.name).toBe('Vitaldaten');
    expect(catalog.resolve(undefined, { system: SYSTEMS.loinc, code: '2339-0' })?.entry.name).toBe('Laboruntersuchung');
    expect(
      catalog.resolve(undefined, { system: 'http://fhir.de/CodeSystem/dimdi/icd-10-gm', code: 'E11.9' })?.entry.name,
    ).toBe('Diagnose');
    // SNOMED codes are mapped in Diagnose, Procedure, Procedure Category and Specimen.
    expect(catalog.resolve(undefined, { system: SYSTEMS.snomed, code: '73211009' })).toBeNull();
    expect(catalog.resolve(undefined, { system: 'http://example.org/unknown', code: 'x' })).toBeNull();
  });

  describe('on a hand-made mapping', () => {
    const bySystem = entry('by system', 'Lab', { termCodeSystems: [SYSTEMS.loinc] });
    const byCode = entry('by code', 'Lab', { termCodes: [{ system: SYSTEMS.loinc, code: '1234-5' }] });
    const elsewhere = entry('elsewhere', 'Vitals', { termCodes: [{ system: SYSTEMS.loinc, code: '1234-5' }] });

    it.each([
      ['before', [bySystem, byCode]],
      ['after', [byCode, bySystem]],
    ])('prefers an entry listing the code over one covering its system, listed %s it', (_order, criteria) => {
      const catalog = catalogOf(criteria);
      expect(catalog.resolve(context('Lab'), { system: SYSTEMS.loinc, code: '1234-5' })?.entry.name).toBe('by code');
      expect(catalog.resolve(context('Lab'), { system: 'http://loinc.org/old', code: '1234-5' })?.entry.name).toBe(
        'by code',
      );
      expect(catalog.resolve(context('Lab'), { system: SYSTEMS.loinc, code: '9999-9' })?.entry.name).toBe('by system');
    });

    it('resolves a code listed in two contexts only with a context', () => {
      const catalog = catalogOf([byCode, elsewhere]);
      expect(catalog.resolve(undefined, { system: SYSTEMS.loinc, code: '1234-5' })).toBeNull();
      expect(catalog.resolve(context('Vitals'), { system: SYSTEMS.loinc, code: '1234-5' })?.entry.name).toBe(
        'elsewhere',
      );
      expect(catalog.resolve(context('Lab'), { system: SYSTEMS.loinc, code: '1234-5' })?.context).toEqual(
        context('Lab'),
      );
    });

    it('resolves the same entry with and without a context when one context lists a code twice', () => {
      const again = entry('again', 'Lab', {
        termCodes: [{ system: SYSTEMS.loinc, code: '1234-5' }],
        termCodeSystems: [SYSTEMS.loinc],
      });
      const catalog = catalogOf([byCode, bySystem, again]);
      const term = { system: SYSTEMS.loinc, code: '1234-5' };
      expect(catalog.resolve(context('Lab'), term)?.entry).toBe(catalog.resolve(undefined, term)?.entry);
      const other = { system: SYSTEMS.loinc, code: '9999-9' };
      expect(catalog.resolve(context('Lab'), other)?.entry).toBe(catalog.resolve(undefined, other)?.entry);
    });

    it('resolves without a context through the one context that lists the code, before any system entry', () => {
      const catalog = catalogOf([byCode, entry('loinc elsewhere', 'Vitals', { termCodeSystems: [SYSTEMS.loinc] })]);
      expect(catalog.resolve(undefined, { system: SYSTEMS.loinc, code: '1234-5' })?.entry.name).toBe('by code');
      expect(catalog.resolve(undefined, { system: SYSTEMS.loinc, code: '9999-9' })?.entry.name).toBe('loinc elsewhere');
    });
  });
});
