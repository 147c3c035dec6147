import type { CatalogTermCode } from '@fq/contracts';
import { DEFAULT_MAPPING, SYSTEMS } from '@fq/engine';
import { MEDICATIONS, PROCEDURES, procedureCategory } from '@fq/synthetic';
import type { CatalogBuilder } from './catalog-builder';
import { ATC_MAIN_GROUPS, ATC_SUBGROUPS, OPS_CHAPTERS } from './german-vocabularies';
import { miiContext, plainFilters } from './mii-contexts';

const PROCEDURE_CATEGORIES_DE: Readonly<Record<string, string>> = {
  '103693007': 'Diagnostische Maßnahme',
  '363679005': 'Bildgebung',
  '387713003': 'Operation',
  '18629005': 'Gabe von Medikamenten',
  '277132007': 'Therapeutische Maßnahme',
  '394841004': 'Sonstige Kategorie',
};

/** The common words of several OPS displays before their first `:` (the shared heading of a four-character code). */
function opsHeading(displays: readonly string[]): string {
  const heads = displays.map((d) => d.split(':')[0].trim());
  return heads.every((h) => h === heads[0]) ? heads[0] : displays[0].split(':')[0].trim();
}

/**
 * Procedures (context Prozedur): the OPS codes the synthetic sites record below their four-character code (`5-820`,
 * when several share it) and their chapter; and the SNOMED procedure categories (context Prozedurkategorie).
 */
export function addProcedures(builder: CatalogBuilder): void {
  const context = miiContext('Procedure');
  const filters = plainFilters('Procedure', { system: SYSTEMS.ops, code: '5-820' });
  const ops = (code: string, display: string): string =>
    builder.add(context, { system: SYSTEMS.ops, code, display }, { filters });
  const chapters = new Map(Object.entries(OPS_CHAPTERS).map(([code, display]) => [code, ops(code, display)] as const));
  const byGroup = new Map<string, Array<{ code: string; display: string }>>();
  for (const procedure of PROCEDURES) {
    const group = procedure.code.slice(0, 5);
    byGroup.set(group, [...(byGroup.get(group) ?? []), procedure]);
  }
  for (const [group, procedures] of byGroup) {
    const chapter = chapters.get(group.charAt(0));
    const own = procedures.find((p) => p.code === group);
    const groupId =
      procedures.length > 1 || own !== undefined
        ? ops(group, own?.display ?? opsHeading(procedures.map((p) => p.display)))
        : undefined;
    if (groupId !== undefined && chapter !== undefined) {
      builder.link(chapter, groupId);
    }
    for (const procedure of procedures) {
      if (procedure.code === group) {
        continue;
      }
      const parent = groupId ?? chapter;
      const id = ops(procedure.code, procedure.display);
      if (parent !== undefined) {
        builder.link(parent, id);
      }
    }
  }
  const categoryContext = miiContext('Procedure Category');
  for (const digit of Object.keys(OPS_CHAPTERS)) {
    const category = procedureCategory(`${digit}-000`);
    const termCode = {
      system: SYSTEMS.snomed,
      code: category.code,
      display: PROCEDURE_CATEGORIES_DE[category.code] ?? category.display,
    };
    builder.add(categoryContext, termCode, {
      synonyms: [category.display],
      filters: plainFilters('Procedure Category', termCode),
    });
  }
}

/** The three medication contexts of the default mapping (administration, request, statement). */
const MEDICATION_CONTEXTS = DEFAULT_MAPPING.criteria
  .filter((m) => m.termCodeSystems?.includes(SYSTEMS.atc) === true)
  .map((m) => m.context.code);

/**
 * Medication (contexts Medikamentenverabreichung, -anordnung, -verordnung): every ATC substance the synthetic sites
 * use below its therapeutic subgroup (A10 Antidiabetika) and anatomical main group (A), in each of the three contexts.
 */
export function addMedications(builder: CatalogBuilder): void {
  for (const contextCode of MEDICATION_CONTEXTS) {
    const context = miiContext(contextCode);
    const filters = plainFilters(contextCode, { system: SYSTEMS.atc, code: 'A10BA02' });
    const atc = (code: string, display: string): string =>
      builder.add(context, { system: SYSTEMS.atc, code, display }, { filters, synonyms: ['Medikation', 'Medikament'] });
    for (const medication of MEDICATIONS) {
      const main = ATC_MAIN_GROUPS[medication.code.charAt(0)];
      const sub = ATC_SUBGROUPS[medication.code.slice(0, 3)];
      const id = atc(medication.code, medication.display);
      const subId = sub === undefined ? undefined : atc(medication.code.slice(0, 3), sub);
      const mainId = main === undefined ? undefined : atc(medication.code.charAt(0), main);
      if (subId !== undefined) {
        builder.link(subId, id);
      }
      if (mainId !== undefined) {
        builder.link(mainId, subId ?? id);
      }
    }
  }
}

/** Gender and age (context Person), with the values and units the engine compares. */
export function addPerson(builder: CatalogBuilder): void {
  const context = miiContext('Patient');
  const gender: CatalogTermCode = { system: SYSTEMS.snomed, code: '263495000', display: 'Geschlecht' };
  const genderSystem = 'http://hl7.org/fhir/administrative-gender';
  builder.add(context, gender, {
    synonyms: ['Gender', 'Sex', 'weiblich', 'männlich'],
    filters: {
      ...plainFilters('Patient', gender),
      valueFilter: {
        type: 'concept',
        allowedConcepts: [
          { system: genderSystem, code: 'female', display: 'weiblich' },
          { system: genderSystem, code: 'male', display: 'männlich' },
          { system: genderSystem, code: 'other', display: 'divers' },
          { system: genderSystem, code: 'unknown', display: 'unbekannt' },
        ],
        optional: false,
      },
    },
  });
  const age: CatalogTermCode = { system: SYSTEMS.snomed, code: '424144002', display: 'Alter' };
  builder.add(context, age, {
    synonyms: ['Current chronological age', 'Age', 'Lebensalter', 'Jahre'],
    filters: {
      ...plainFilters('Patient', age),
      valueFilter: {
        type: 'quantity',
        allowedUnits: [
          { code: 'a', display: 'Jahre' },
          { code: 'mo', display: 'Monate' },
          { code: 'wk', display: 'Wochen' },
          { code: 'd', display: 'Tage' },
        ],
        precision: 0,
        min: 0,
        optional: false,
      },
    },
  });
}
