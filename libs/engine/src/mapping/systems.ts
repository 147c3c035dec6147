/** Code system and context URLs of the MII core data set, named once. */
export const SYSTEMS = {
  mii: 'fdpg.mii.cds',
  icd10gm: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm',
  icd10who: 'http://hl7.org/fhir/sid/icd-10',
  alphaId: 'http://fhir.de/CodeSystem/bfarm/alpha-id',
  ops: 'http://fhir.de/CodeSystem/bfarm/ops',
  atc: 'http://fhir.de/CodeSystem/bfarm/atc',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  orphanet: 'http://www.orpha.net',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  consentPolicy: 'urn:oid:2.16.840.1.113883.3.1937.777.24.5.3',
  consentCombined: 'fdpg.consent.combined',
  structureDefinition: 'http://hl7.org/fhir/StructureDefinition',
  fachabteilung: 'http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel',
  fachabteilungErweitert: 'http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel-erweitert',
  kontaktebene: 'http://fhir.de/CodeSystem/Kontaktebene',
  kontaktart: 'http://fhir.de/CodeSystem/kontaktart-de',
  icdO3: 'http://terminology.hl7.org/CodeSystem/icd-o-3',
  vitalstatus: 'https://www.medizininformatik-initiative.de/fhir/core/modul-person/CodeSystem/Vitalstatus',
  ucum: 'http://unitsofmeasure.org',
} as const;

export const SPECIMEN_DIAGNOSIS_EXTENSION =
  'https://www.medizininformatik-initiative.de/fhir/ext/modul-biobank/StructureDefinition/Diagnose';
