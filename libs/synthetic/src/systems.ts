/** Code system, extension and profile URLs exactly as the MII profiles and the engine's default mapping use them. */
export const SYSTEM = {
  icd10gm: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm',
  icd10who: 'http://hl7.org/fhir/sid/icd-10',
  alphaId: 'http://fhir.de/CodeSystem/bfarm/alpha-id',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  ops: 'http://fhir.de/CodeSystem/bfarm/ops',
  atc: 'http://fhir.de/CodeSystem/bfarm/atc',
  icdO3: 'http://terminology.hl7.org/CodeSystem/icd-o-3',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  kontaktebene: 'http://fhir.de/CodeSystem/Kontaktebene',
  kontaktart: 'http://fhir.de/CodeSystem/kontaktart-de',
  fachabteilung: 'http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  vitalstatus: 'https://www.medizininformatik-initiative.de/fhir/core/modul-person/CodeSystem/Vitalstatus',
  genderAmtlich: 'http://fhir.de/CodeSystem/gender-amtlich-de',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentPolicy: 'urn:oid:2.16.840.1.113883.3.1937.777.24.5.3',
  consentVersionModules:
    'https://www.medizininformatik-initiative.de/fhir/modul-consent/CodeSystem/mii-cs-consent-version-modules',
  medicationAdminCategory: 'http://terminology.hl7.org/CodeSystem/medication-admin-category',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  diagnosticServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
} as const;

export const EXTENSION = {
  genderAmtlich: 'http://fhir.de/StructureDefinition/gender-amtlich-de',
  specimenDiagnose: 'https://www.medizininformatik-initiative.de/fhir/ext/modul-biobank/StructureDefinition/Diagnose',
} as const;

const MII_CORE = 'https://www.medizininformatik-initiative.de/fhir/core';
const MII_EXT = 'https://www.medizininformatik-initiative.de/fhir/ext';

export const PROFILE = {
  patient: `${MII_CORE}/modul-person/StructureDefinition/Patient`,
  vitalstatus: `${MII_CORE}/modul-person/StructureDefinition/Vitalstatus`,
  todesursache: `${MII_CORE}/modul-person/StructureDefinition/Todesursache`,
  encounter: `${MII_CORE}/modul-fall/StructureDefinition/KontaktGesundheitseinrichtung`,
  diagnose: `${MII_CORE}/modul-diagnose/StructureDefinition/Diagnose`,
  observationLab: `${MII_CORE}/modul-labor/StructureDefinition/ObservationLab`,
  procedure: `${MII_CORE}/modul-prozedur/StructureDefinition/Procedure`,
  medication: `${MII_CORE}/modul-medikation/StructureDefinition/Medication`,
  medicationAdministration: `${MII_CORE}/modul-medikation/StructureDefinition/MedicationAdministration`,
  medicationRequest: `${MII_CORE}/modul-medikation/StructureDefinition/MedicationRequest`,
  medicationStatement: `${MII_CORE}/modul-medikation/StructureDefinition/MedicationStatement`,
  specimen: `${MII_EXT}/modul-biobank/StructureDefinition/Specimen`,
  consent:
    'https://www.medizininformatik-initiative.de/fhir/modul-consent/StructureDefinition/mii-pr-consent-einwilligung',
  heartRate: `${MII_EXT}/modul-icu/StructureDefinition/mii-pr-icu-muv-herzfrequenz`,
  respiratoryRate: `${MII_EXT}/modul-icu/StructureDefinition/mii-pr-icu-muv-atemfrequenz`,
  bodyWeight: `${MII_EXT}/modul-icu/StructureDefinition/mii-pr-icu-muv-koerpergewicht`,
  bodyHeight: `${MII_EXT}/modul-icu/StructureDefinition/mii-pr-icu-muv-koerpergroesse`,
  bloodPressure: `${MII_EXT}/modul-icu/StructureDefinition/mii-pr-icu-muv-arterieller-blutdruck`,
  molgenReport: `${MII_EXT}/modul-molgen/StructureDefinition/molekulargenetischer-befundbericht`,
} as const;

/** Identifier system of the synthetic patient numbers (no real hospital). */
export const PATIENT_IDENTIFIER_SYSTEM = 'https://synthetic.example.org/fhir/sid/patienten-id';

/** Code system versions written into codings. */
export const VERSION = { icd10gm: '2024', ops: '2024', atc: '2024', icd10who: '2019' } as const;
