import type { CatalogTermCode } from '@fq/contracts';
import { DEFAULT_MAPPING, SYSTEMS } from '@fq/engine';
import { DIAGNOSES } from '@fq/synthetic';
import type { CatalogBuilder } from './catalog-builder';
import { DEPARTMENTS_DE, SPECIMEN_TYPES_DE } from './german-vocabularies';
import { miiContext, plainFilters } from './mii-contexts';

const attribute = (code: string, display: string): CatalogTermCode => ({
  system: SYSTEMS.structureDefinition,
  code,
  display,
});

/** The ICD-O-3 topographies of the synthetic tumours, named by the part after "Bösartige Neubildung:". */
function topographies(): CatalogTermCode[] {
  const found = new Map<string, CatalogTermCode>();
  for (const dx of DIAGNOSES) {
    if (dx.topography !== undefined && !found.has(dx.topography)) {
      const site = dx.display.replace(/^Bösartige Neubildung(en)?:?\s*/, '').replace(/^der\s+/, '');
      found.set(dx.topography, {
        system: SYSTEMS.icdO3,
        code: dx.topography,
        display: site.length > 0 ? site : dx.display,
      });
    }
  }
  return [...found.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** Specimens (context Bioprobe): the SNOMED CT types, with the diagnosis the specimen documents and its body site. */
export function addSpecimens(builder: CatalogBuilder): void {
  const context = miiContext('Specimen');
  for (const [code, display, english] of SPECIMEN_TYPES_DE) {
    const termCode = { system: SYSTEMS.snomed, code, display };
    builder.add(context, termCode, {
      synonyms: [english, 'Biomaterial', 'Biobank'],
      filters: {
        ...plainFilters('Specimen', termCode),
        attributeFilters: [
          {
            type: 'reference',
            attributeCode: attribute('festgestellteDiagnose', 'Festgestellte Diagnose'),
            targetContexts: [miiContext('Diagnose')],
            optional: true,
          },
          {
            type: 'concept',
            attributeCode: attribute('icd-o-3', 'Entnahmeort (ICD-O-3 Topographie)'),
            allowedConcepts: topographies(),
            optional: true,
          },
        ],
      },
    });
  }
}

/** MII Broad Consent policy codes (suffix of the OID) and their German names. */
const CONSENT_POLICIES: ReadonlyArray<readonly [suffix: number, display: string]> = [
  [6, 'MDAT erheben'],
  [7, 'MDAT speichern, verarbeiten'],
  [8, 'MDAT wissenschaftlich nutzen EU DSGVO NIVEAU'],
  [9, 'MDAT zusammenführen Dritte'],
  [10, 'Krankenkassendaten retrospektiv übertragen, speichern, nutzen'],
  [19, 'BIOMAT erheben'],
  [20, 'BIOMAT lagern, verarbeiten'],
  [22, 'BIOMAT wissenschaftlich nutzen EU DSGVO NIVEAU'],
  [26, 'Rekontaktierung Ergänzungen'],
  [27, 'Rekontaktierung Verknüpfung Datenbanken'],
  [28, 'Rekontaktierung weitere Erhebung'],
  [29, 'Rekontaktierung weitere Studien'],
  [30, 'Rekontaktierung Zusatzbefund'],
  [31, 'Rekontaktierung Zusatzbefund (weitere Befunde)'],
  [37, 'Rekontaktierung Ergebnisse erheblicher Bedeutung'],
  [46, 'MDAT retrospektiv wissenschaftlich nutzen'],
  [47, 'MDAT retrospektiv zusammenführen Dritte'],
  [49, 'MDAT wissenschaftlich nutzen ohne EU DSGVO NIVEAU'],
];

/** A combined consent code `<distributed>-<euGdpr>-<insurance>-<recontact>` in words. */
function combinedConsentDisplay(code: string): string {
  const [distributed, euGdpr, insurance, recontact] = code.split('-').map((answer) => answer === 'yes');
  return [
    distributed ? 'Verteilte Analyse' : 'Zentrale Analyse (Zusammenführung mit Dritten)',
    euGdpr ? 'EU-DSGVO-Niveau' : 'ohne EU-DSGVO-Niveau',
    insurance ? 'mit Krankenkassendaten' : 'ohne Krankenkassendaten',
    recontact ? 'mit Rekontaktierung' : 'ohne Rekontaktierung',
  ].join(', ');
}

/** Consent (context Einwilligung): each Broad Consent policy, and the FDPG's combined consent codes. */
export function addConsents(builder: CatalogBuilder): void {
  const context = miiContext('Einwilligung');
  const oid = SYSTEMS.consentPolicy.slice('urn:oid:'.length);
  for (const [suffix, display] of CONSENT_POLICIES) {
    const termCode = { system: SYSTEMS.consentPolicy, code: `${oid}.${suffix}`, display };
    builder.add(context, termCode, { synonyms: ['Broad Consent'], filters: plainFilters('Einwilligung', termCode) });
  }
  const combined = DEFAULT_MAPPING.criteria.find((m) => m.codeConjunctions !== undefined);
  for (const code of Object.keys(combined?.codeConjunctions ?? {})) {
    const termCode = {
      system: SYSTEMS.consentCombined,
      code,
      display: `Einwilligung: ${combinedConsentDisplay(code)}`,
    };
    builder.add(context, termCode, {
      synonyms: ['Broad Consent', 'kombiniert'],
      filters: plainFilters('Einwilligung', termCode),
    });
  }
}

const ENCOUNTER_CLASSES: ReadonlyArray<readonly [code: string, display: string, english: string]> = [
  ['IMP', 'Stationär', 'inpatient encounter'],
  ['AMB', 'Ambulant', 'ambulatory'],
  ['SS', 'Kurzzeitaufenthalt (teilstationär)', 'short stay'],
  ['EMER', 'Notfall', 'emergency'],
];

/** Encounters (context Fall): the classes, with department, contact level and contact type as attributes. */
export function addEncounters(builder: CatalogBuilder): void {
  const context = miiContext('Fall');
  const concepts = (system: string, values: ReadonlyArray<readonly [string, string]>): CatalogTermCode[] =>
    values.map(([code, display]) => ({ system, code, display }));
  for (const [code, display, english] of ENCOUNTER_CLASSES) {
    const termCode = { system: SYSTEMS.actCode, code, display };
    builder.add(context, termCode, {
      synonyms: [english, 'Fall', 'Aufenthalt', 'Kontakt'],
      filters: {
        ...plainFilters('Fall', termCode),
        attributeFilters: [
          {
            type: 'concept',
            attributeCode: attribute('Fachabteilungsschluessel', 'Fachabteilung'),
            allowedConcepts: concepts(SYSTEMS.fachabteilung, DEPARTMENTS_DE),
            optional: true,
          },
          {
            type: 'concept',
            attributeCode: attribute('Kontaktebene', 'Kontaktebene'),
            allowedConcepts: concepts(SYSTEMS.kontaktebene, [
              ['einrichtungskontakt', 'Einrichtungskontakt'],
              ['abteilungskontakt', 'Abteilungskontakt'],
              ['versorgungsstellenkontakt', 'Versorgungsstellenkontakt'],
            ]),
            optional: true,
          },
          {
            type: 'concept',
            attributeCode: attribute('KontaktArt', 'Kontaktart'),
            allowedConcepts: concepts(SYSTEMS.kontaktart, [
              ['normalstationaer', 'Normalstationär'],
              ['intensivstationaer', 'Intensivstationär'],
              ['teilstationaer', 'Teilstationär'],
              ['ub', 'Untersuchung und Behandlung'],
              ['vorstationaer', 'Vorstationär'],
              ['nachstationaer', 'Nachstationär'],
            ]),
            optional: true,
          },
        ],
      },
    });
  }
}
