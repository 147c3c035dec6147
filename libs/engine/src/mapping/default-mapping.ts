import type { CriterionMapping, EngineMapping, MappedCode } from './mapping.schema';
import { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from './systems';

// The data behind MII-CONTEXTS.md: one entry per CCDL context (and code system) of the MII core data set.

const context = (code: string): MappedCode => ({ system: SYSTEMS.mii, code });
const attribute = (code: string): MappedCode => ({ system: SYSTEMS.structureDefinition, code });
const policy = (suffix: number): MappedCode => ({ system: SYSTEMS.consentPolicy, code: `${SYSTEMS.consentPolicy.slice(8)}.${suffix}` });
const subject = { reference: 'subject.reference' };

const PERMITTED_POLICY_CODES = "provision.provision.where(type = 'permit').code.coding";

/** Required policy codes of each `fdpg.consent.combined` code `<distributed>-<euGdpr>-<insurance>-<recontact>`. */
function combinedConsentCodes(): Record<string, MappedCode[]> {
  const answers = ['yes', 'no'] as const;
  const result: Record<string, MappedCode[]> = {};
  for (const distributed of answers) {
    for (const euGdpr of answers) {
      for (const insurance of answers) {
        for (const recontact of answers) {
          const required = [
            ...(distributed === 'no' ? [9, 47] : []),
            ...(euGdpr === 'yes' ? [8, 46] : [49]),
            ...(insurance === 'yes' ? [10] : []),
            ...(recontact === 'yes' ? [37, 26, 27, 28, 29, 31, 30] : []),
          ];
          result[`${distributed}-${euGdpr}-${insurance}-${recontact}`] = required.map(policy);
        }
      }
    }
  }
  return result;
}

const medication = (name: string, resourceType: string, time: string, inlineCodes: boolean): CriterionMapping => ({
  name,
  context: context(name),
  termCodeSystems: [SYSTEMS.atc],
  resourceType,
  patient: subject,
  code: {
    ...(inlineCodes ? { path: 'medication.ofType(CodeableConcept).coding' } : {}),
    via: { reference: 'medication.ofType(Reference).reference', resourceType: 'Medication', path: 'code.coding' },
  },
  time,
});

interface MiiMappingChoices {
  /** Count a consent policy code only in a nested `permit` provision (upstream also counts `deny`). */
  consentPermitOnly: boolean;
  /** Read inline `medicationCodeableConcept` codes too (upstream reads only referenced Medication). */
  inlineMedicationCodes: boolean;
  /** A specimen's diagnosis must belong to the specimen's patient (FLARE resolves any Condition). */
  specimenDiagnosisSamePatient: boolean;
}

function buildMiiMapping(name: string, choices: MiiMappingChoices): EngineMapping {
  const consentCodes = choices.consentPermitOnly ? PERMITTED_POLICY_CODES : 'provision.provision.code.coding';
  return {
    name,
    systemAliases: {
      'http://fhir.de/CodeSystem/dimdi/icd-10-gm': SYSTEMS.icd10gm,
      'http://fhir.de/CodeSystem/dimdi/ops': SYSTEMS.ops,
      'http://fhir.de/CodeSystem/dimdi/atc': SYSTEMS.atc,
      'http://fhir.de/CodeSystem/dimdi/alpha-id': SYSTEMS.alphaId,
    },
    hierarchyRules: { [SYSTEMS.icd10gm]: 'icd-10', [SYSTEMS.ops]: 'prefix', [SYSTEMS.atc]: 'prefix' },
    criteria: [
      {
        name: 'Gender',
        context: context('Patient'),
        termCodes: [
          { system: SYSTEMS.snomed, code: '263495000' },
          { system: SYSTEMS.loinc, code: 'LL2191-6' },
        ],
        resourceType: 'Patient',
        patient: { self: true },
        values: [{ type: 'code', path: 'gender' }],
      },
      {
        name: 'Age',
        context: context('Patient'),
        termCodes: [
          { system: SYSTEMS.snomed, code: '424144002' },
          { system: SYSTEMS.loinc, code: '30525-0' },
        ],
        resourceType: 'Patient',
        patient: { self: true },
        values: [{ type: 'age', path: 'birthDate' }],
      },
      {
        name: 'Diagnose',
        context: context('Diagnose'),
        termCodeSystems: [SYSTEMS.icd10gm, SYSTEMS.alphaId, SYSTEMS.snomed, SYSTEMS.orphanet],
        resourceType: 'Condition',
        patient: subject,
        code: { path: 'code.coding' },
        time: 'recordedDate',
      },
      {
        name: 'Todesursache',
        context: context('Todesursache'),
        termCodes: [
          { system: SYSTEMS.snomed, code: '16100001' },
          { system: SYSTEMS.loinc, code: '79378-6' },
        ],
        resourceType: 'Condition',
        patient: subject,
        code: { path: 'category.coding' },
        time: 'onset',
        attributes: [{ key: attribute('icd10-who'), type: 'concept', path: 'code.coding' }],
      },
      {
        name: 'Vitalstatus',
        context: context('Vitalstatus'),
        termCodes: [{ system: SYSTEMS.loinc, code: '67162-8' }],
        resourceType: 'Observation',
        patient: subject,
        code: { path: 'code.coding' },
        time: 'effective',
        values: [{ type: 'concept', path: 'value.ofType(CodeableConcept).coding' }],
      },
      {
        name: 'Laboruntersuchung',
        context: context('Laboruntersuchung'),
        termCodeSystems: [SYSTEMS.loinc],
        resourceType: 'Observation',
        patient: subject,
        code: { path: 'code.coding' },
        time: 'effective',
        values: [
          { type: 'quantity', path: 'value.ofType(Quantity)' },
          { type: 'concept', path: 'value.ofType(CodeableConcept).coding' },
        ],
      },
      {
        name: 'Vitaldaten',
        context: context('Vitaldaten'),
        termCodes: ['85354-9', '9279-1', '8867-4', '29463-7', '8302-2'].map((code) => ({ system: SYSTEMS.loinc, code })),
        resourceType: 'Observation',
        patient: subject,
        code: { path: 'code.coding' },
        time: 'effective',
        values: [{ type: 'quantity', path: 'value.ofType(Quantity)' }],
        attributes: ['8480-6', '8462-4'].map((code) => ({
          key: { system: SYSTEMS.loinc, code },
          type: 'quantity' as const,
          path: `component.where(code.coding.exists(system = '${SYSTEMS.loinc}' and code = '${code}')).value.ofType(Quantity)`,
        })),
      },
      {
        name: 'Procedure',
        context: context('Procedure'),
        termCodeSystems: [SYSTEMS.ops, SYSTEMS.snomed],
        resourceType: 'Procedure',
        patient: subject,
        code: { path: 'code.coding' },
        time: 'performed',
      },
      {
        name: 'Procedure Category',
        context: context('Procedure Category'),
        termCodeSystems: [SYSTEMS.snomed],
        resourceType: 'Procedure',
        patient: subject,
        code: { path: 'category.coding' },
        time: 'performed',
      },
      medication('Medikamentenverabreichung', 'MedicationAdministration', 'effective', choices.inlineMedicationCodes),
      medication('Medikamentenanordnung', 'MedicationRequest', 'authoredOn', choices.inlineMedicationCodes),
      medication('Medikamentenverordnung', 'MedicationStatement', 'effective', choices.inlineMedicationCodes),
      {
        name: 'Specimen',
        context: context('Specimen'),
        termCodeSystems: [SYSTEMS.snomed],
        resourceType: 'Specimen',
        patient: subject,
        code: { path: 'type.coding' },
        time: 'collection.collected',
        attributes: [
          {
            key: attribute('festgestellteDiagnose'),
            type: 'reference',
            path: `extension.where(url = '${SPECIMEN_DIAGNOSIS_EXTENSION}').value.ofType(Reference).reference`,
            targetResourceType: 'Condition',
            samePatient: choices.specimenDiagnosisSamePatient,
          },
          { key: attribute('icd-o-3'), type: 'concept', path: 'collection.bodySite.coding' },
        ],
      },
      {
        name: 'Einwilligung',
        context: context('Einwilligung'),
        termCodeSystems: [SYSTEMS.consentPolicy],
        resourceType: 'Consent',
        patient: { reference: 'patient.reference' },
        code: { path: consentCodes },
      },
      {
        name: 'Einwilligung (combined)',
        context: context('Einwilligung'),
        termCodeSystems: [SYSTEMS.consentCombined],
        resourceType: 'Consent',
        patient: { reference: 'patient.reference' },
        code: { path: consentCodes },
        codeConjunctions: combinedConsentCodes(),
        time: 'dateTime',
      },
      {
        name: 'Fall',
        context: context('Fall'),
        termCodeSystems: [SYSTEMS.actCode],
        resourceType: 'Encounter',
        patient: subject,
        code: { path: 'class' },
        time: 'period',
        attributes: [
          { key: attribute('Fachabteilungsschluessel'), type: 'concept', path: 'serviceType.coding' },
          { key: attribute('ErweiterterFachabteilungsschluessel'), type: 'concept', path: 'serviceType.coding' },
          { key: attribute('Kontaktebene'), type: 'concept', path: 'type.coding' },
          { key: attribute('KontaktArt'), type: 'concept', path: 'type.coding' },
        ],
      },
      {
        name: 'Molekulargenetischer Befundbericht',
        context: context('Molekulargenetischer Befundbericht'),
        termCodes: [{ system: SYSTEMS.loinc, code: '51969-4' }],
        resourceType: 'DiagnosticReport',
        patient: subject,
        code: { path: 'code.coding' },
        time: 'issued',
      },
    ],
  };
}

/** The default mapping: the clinically correct reading of every MII core data set context. */
export const DEFAULT_MAPPING: EngineMapping = buildMiiMapping('mii-default', {
  consentPermitOnly: true,
  inlineMedicationCodes: true,
  specimenDiagnosisSamePatient: true,
});

/** The reading of the FDPG stack (sq2cql/FLARE), for sites that must report the same numbers. */
export const UPSTREAM_COMPATIBLE_MAPPING: EngineMapping = buildMiiMapping('mii-upstream-compatible', {
  consentPermitOnly: false,
  inlineMedicationCodes: false,
  specimenDiagnosisSamePatient: false,
});
