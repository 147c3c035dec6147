import { SPECIMEN_DIAGNOSIS_EXTENSION } from '../systems';

/**
 * What a FHIR search parameter reads, as FHIRPath relative to the resource:
 * `coding` → Codings (a token on CodeableConcept/Coding), `code` → bare code strings, `date` → a date/dateTime/
 * instant/Period, `quantity` → a Quantity, `reference` → reference strings to `target`, `component` → the
 * repeating element whose `code` selects a `value` (composite `*-code-value-*` parameters).
 */
export type SearchParameterDefinition =
  | { kind: 'coding' | 'code' | 'date' | 'quantity'; path: string }
  | { kind: 'reference'; path: string; target: string }
  | { kind: 'component'; path: string; value: 'quantity' | 'concept' };

type Table = Readonly<Record<string, Readonly<Record<string, SearchParameterDefinition>>>>;

const coding = (path: string): SearchParameterDefinition => ({ kind: 'coding', path });
const code = (path: string): SearchParameterDefinition => ({ kind: 'code', path });
const date = (path: string): SearchParameterDefinition => ({ kind: 'date', path });
const each = (
  types: readonly string[],
  definition: SearchParameterDefinition,
): Record<string, SearchParameterDefinition> => Object.fromEntries(types.map((type) => [type, definition]));

const MEDICATION_USES = ['MedicationAdministration', 'MedicationDispense', 'MedicationRequest', 'MedicationStatement'];

/**
 * The FHIR R4 search parameters (and the MII custom ones) the ontology generator uses, by name and resource type;
 * expressions follow the R4 SearchParameter bundle (MII-CONTEXTS.md §8.4). Choice elements are named without
 * their type suffix; fhirpath.js with the R4 model resolves them.
 */
const SEARCH_PARAMETERS: Table = {
  code: {
    ...each(
      [
        'AllergyIntolerance',
        'Condition',
        'DiagnosticReport',
        'Medication',
        'Observation',
        'Procedure',
        'ServiceRequest',
      ],
      coding('code.coding'),
    ),
    ...each(MEDICATION_USES, coding('medication.ofType(CodeableConcept).coding')),
    FamilyMemberHistory: coding('condition.code.coding'),
  },
  category: each(
    [
      'AdverseEvent',
      'CarePlan',
      'Condition',
      'Consent',
      'DiagnosticReport',
      'MedicationRequest',
      'MedicationStatement',
      'Observation',
      'Procedure',
      'ServiceRequest',
    ],
    coding('category.coding'),
  ),
  type: each(['Composition', 'DocumentReference', 'Encounter', 'Specimen'], coding('type.coding')),
  class: { Encounter: coding('class') },
  'service-type': { Encounter: coding('serviceType.coding') },
  'clinical-status': {
    AllergyIntolerance: coding('clinicalStatus.coding'),
    Condition: coding('clinicalStatus.coding'),
  },
  'verification-status': {
    AllergyIntolerance: coding('verificationStatus.coding'),
    Condition: coding('verificationStatus.coding'),
  },
  'body-site': { Condition: coding('bodySite.coding') },
  bodysite: { Specimen: coding('collection.bodySite.coding') },
  seriousness: { AdverseEvent: coding('seriousness.coding') },
  'mii-provision-provision-code': { Consent: coding('provision.provision.code.coding') },
  'value-concept': { Observation: coding('value.ofType(CodeableConcept).coding') },
  'value-quantity': { Observation: { kind: 'quantity', path: 'value.ofType(Quantity)' } },
  'component-code-value-quantity': { Observation: { kind: 'component', path: 'component', value: 'quantity' } },
  'component-code-value-concept': { Observation: { kind: 'component', path: 'component', value: 'concept' } },
  gender: { Patient: code('gender') },
  status: each(
    [
      'CarePlan',
      'Consent',
      'DiagnosticReport',
      'Encounter',
      'MedicationAdministration',
      'MedicationRequest',
      'MedicationStatement',
      'Observation',
      'Procedure',
      'ServiceRequest',
      'Specimen',
    ],
    code('status'),
  ),
  birthdate: { Patient: date('birthDate') },
  'recorded-date': { Condition: date('recordedDate') },
  'onset-date': { Condition: date('onset') },
  'abatement-date': { Condition: date('abatement') },
  date: {
    AllergyIntolerance: date('recordedDate'),
    CarePlan: date('period'),
    ClinicalImpression: date('date'),
    Composition: date('date'),
    Consent: date('dateTime'),
    DiagnosticReport: date('effective'),
    DocumentReference: date('date'),
    Encounter: date('period'),
    FamilyMemberHistory: date('date'),
    Observation: date('effective'),
    Procedure: date('performed'),
  },
  'effective-time': { MedicationAdministration: date('effective') },
  authoredon: { MedicationRequest: date('authoredOn') },
  effective: { MedicationStatement: date('effective') },
  collected: { Specimen: date('collection.collected') },
  issued: { DiagnosticReport: date('issued') },
  medication: each(MEDICATION_USES, {
    kind: 'reference',
    path: 'medication.ofType(Reference).reference',
    target: 'Medication',
  }),
  diagnose: {
    Specimen: {
      kind: 'reference',
      path: `extension.where(url = '${SPECIMEN_DIAGNOSIS_EXTENSION}').value.ofType(Reference).reference`,
      target: 'Condition',
    },
  },
};

/** The definition of search parameter `name` on `resourceType`, or null when the importer does not know it. */
export function findSearchParameter(resourceType: string, name: string): SearchParameterDefinition | null {
  const byType = Object.hasOwn(SEARCH_PARAMETERS, name) ? SEARCH_PARAMETERS[name] : undefined;
  return byType !== undefined && Object.hasOwn(byType, resourceType) ? byType[resourceType] : null;
}

/** A FHIRPath string literal. */
export function fhirPathString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
