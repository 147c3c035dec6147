import type { CatalogTermCode, CriterionFilters } from '@fq/contracts';
import { type CriterionMapping, DEFAULT_MAPPING, SYSTEMS } from '@fq/engine';

// The MII contexts of the default mapping with German displays, and what the mapping says about a criterion in
// each: whether it has a clinical time (so a time restriction applies).

/** German displays of the mapping's context codes; a context without one shows its code. */
const CONTEXT_DISPLAYS: Readonly<Record<string, string>> = {
  Patient: 'Person',
  Procedure: 'Prozedur',
  'Procedure Category': 'Prozedurkategorie',
  Specimen: 'Bioprobe',
};

/** The context term code for a mapping context code, with its German display. */
export function miiContext(code: string): CatalogTermCode {
  return { system: SYSTEMS.mii, code, display: CONTEXT_DISPLAYS[code] ?? code };
}

/** The default mapping's entries that read a term code in a context. */
function mappingsFor(context: string, termCode: { system: string; code: string }): CriterionMapping[] {
  return DEFAULT_MAPPING.criteria.filter(
    (m) =>
      m.context.code === context &&
      ((m.termCodes ?? []).some((t) => t.system === termCode.system && t.code === termCode.code) ||
        (m.termCodeSystems ?? []).includes(termCode.system)),
  );
}

/** Whether the default mapping covers a term code in a context at all. */
export function isMapped(context: string, termCode: { system: string; code: string }): boolean {
  return mappingsFor(context, termCode).length > 0;
}

/** Filters with no value or attribute filter; a time restriction where the mapping knows the clinical time. */
export function plainFilters(context: string, termCode: { system: string; code: string }): CriterionFilters {
  return {
    valueFilter: null,
    attributeFilters: [],
    timeRestrictionAllowed: mappingsFor(context, termCode).some((m) => m.time !== undefined),
  };
}
