/**
 * MII Broad Consent policy codes (CodeSystem urn:oid:2.16.840.1.113883.3.1937.777.24.5.3) grouped into the modules a
 * patient agrees to or refuses, with each code's period of validity in years and the share of consenting patients
 * who permit the module. Modules a patient is not asked about are left out of the Consent.
 */
export interface ConsentPolicy {
  /** Last OID segment, e.g. 8 for `…24.5.3.8`. */
  suffix: number;
  display: string;
  validYears: number;
}

export interface ConsentModule {
  name: string;
  policies: readonly ConsentPolicy[];
  /** Share of consents that contain the module at all. */
  asked: number;
  /** Share of those that permit (the rest deny). */
  permitted: number;
}

const policy = (suffix: number, display: string, validYears = 30): ConsentPolicy => ({ suffix, display, validYears });

export const CONSENT_MODULES: readonly ConsentModule[] = [
  {
    name: 'Patientendaten erheben, speichern, nutzen',
    policies: [
      policy(6, 'MDAT erheben', 5),
      policy(7, 'MDAT speichern, verarbeiten'),
      policy(8, 'MDAT wissenschaftlich nutzen'),
    ],
    asked: 1,
    permitted: 0.97,
  },
  {
    name: 'MDAT zusammenführen Dritte',
    policies: [policy(9, 'MDAT zusammenfuehren Dritte')],
    asked: 0.9,
    permitted: 0.7,
  },
  {
    name: 'Patientendaten retrospektiv verarbeiten, nutzen',
    policies: [
      policy(46, 'MDAT retrospektiv wissenschaftlich nutzen'),
      policy(47, 'MDAT retrospektiv zusammenfuehren Dritte'),
    ],
    asked: 0.6,
    permitted: 0.85,
  },
  {
    name: 'Patientendaten Weitergabe non DSGVO NIVEAU',
    policies: [policy(49, 'MDAT wissenschaftlich nutzen ohne EU DSGVO NIVEAU')],
    asked: 0.5,
    permitted: 0.45,
  },
  {
    name: 'Krankenkassendaten retrospektiv übertragen, speichern, nutzen',
    policies: [policy(10, 'Krankenkassendaten retrospektiv uebertragen, speichern, nutzen')],
    asked: 0.7,
    permitted: 0.6,
  },
  {
    name: 'Biomaterial erheben, lagern, nutzen',
    policies: [
      policy(19, 'BIOMAT erheben', 5),
      policy(20, 'BIOMAT lagern verarbeiten'),
      policy(22, 'BIOMAT wissenschaftlich nutzen'),
    ],
    asked: 0.85,
    permitted: 0.85,
  },
  {
    name: 'Rekontaktierung Ergänzungen',
    policies: [
      policy(26, 'Rekontaktierung Ergänzungen'),
      policy(27, 'Rekontaktierung Verknüpfung Datenbanken'),
      policy(28, 'Rekontaktierung weitere Erhebung'),
      policy(29, 'Rekontaktierung weitere Studien'),
    ],
    asked: 0.9,
    permitted: 0.75,
  },
  {
    name: 'Rekontaktierung Zusatzbefund',
    policies: [policy(30, 'Rekontaktierung Zusatzbefund'), policy(31, 'Rekontaktierung Zusatzbefund')],
    asked: 0.9,
    permitted: 0.8,
  },
  {
    name: 'Rekontaktierung Ergebnisse erheblicher Bedeutung',
    policies: [policy(37, 'Rekontaktierung Ergebnisse erheblicher Bedeutung')],
    asked: 0.9,
    permitted: 0.85,
  },
];

/** Consent category, version-module code and policy URI as the MII test data carry them. */
export const CONSENT_DOCUMENT = {
  loincCategory: '57016-8',
  versionModule: '2.16.840.1.113883.3.1937.777.24.2.184',
  policyUri: 'urn:oid:2.16.840.1.113883.3.1937.777.24.2.1791',
  /** Years the whole consent is valid (top-level provision period). */
  validYears: 30,
} as const;
