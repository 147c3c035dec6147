// Small, valid building blocks; tests break one rule at a time by overriding a single property.

export const ICD10GM = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
export const LOINC = 'http://loinc.org';
export const MII_CDS = 'fdpg.mii.cds';

export const diabetesType2 = { system: ICD10GM, code: 'E11', version: '2024', display: 'Diabetes mellitus, Typ 2' };
export const hba1c = { system: LOINC, code: '4548-4', display: 'Hemoglobin A1c' };
export const diagnosisContext = { system: MII_CDS, code: 'Diagnose', version: '1.0.0', display: 'Diagnose' };
export const laboratoryContext = {
  system: MII_CDS,
  code: 'Laboratory',
  version: '1.0.0',
  display: 'Laboruntersuchung',
};
export const percent = { code: '%', display: '%' };

/** A valid diagnosis criterion, with `overrides` replacing or adding properties. */
export function aCriterion(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { context: diagnosisContext, termCodes: [diabetesType2], ...overrides };
}

/** A valid query holding `criterion` as its only inclusion criterion. */
export function aQuery(
  criterion: unknown = aCriterion(),
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { version: '2', display: 'test query', inclusionCriteria: [[criterion]], ...overrides };
}

/** A valid query whose only criterion carries `valueFilter`. */
export function aQueryWithValueFilter(valueFilter: unknown): Record<string, unknown> {
  return aQuery(aCriterion({ context: laboratoryContext, termCodes: [hba1c], valueFilter }));
}

/** A valid query whose only criterion carries `attributeFilters`. */
export function aQueryWithAttributeFilters(...attributeFilters: unknown[]): Record<string, unknown> {
  return aQuery(aCriterion({ attributeFilters }));
}

/** A valid reference attribute filter pointing at `criteria`. */
export function aReferenceFilter(criteria: unknown[] = [aCriterion()]): Record<string, unknown> {
  return {
    type: 'reference',
    attributeCode: { system: 'mii.abide', code: 'diagnose', display: 'specimen diagnosis' },
    criteria,
  };
}
