import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseStructuredQuery, type StructuredQuery } from '@fq/ccdl';
import { createIndexBuilder, evaluateQuery, ingestFhir, type PatientIndex } from '@fq/engine';
import { generateSyntheticSite } from '@fq/synthetic';

/** The evaluation date every suite gives its site agents (SITE_EVALUATION_DATE), so ages do not move with the clock. */
export const EVALUATION_DATE = '2025-12-31';

/** A synthetic site written to disk, with an index the test uses to know the exact counts. */
export interface SiteData {
  readonly dir: string;
  readonly patients: number;
  /** The exact count of `query` on this site's data: for assertions only, never sent anywhere. */
  exactCount(query: StructuredQuery): number;
}

/** Writes a deterministic synthetic site of `patients` patients to `dir` and indexes it for exact counts. */
export async function generateSiteData(options: {
  dir: string;
  patients: number;
  seed: number;
  site: string;
}): Promise<SiteData> {
  await generateSyntheticSite({
    patients: options.patients,
    seed: options.seed,
    site: options.site,
    outDir: options.dir,
  });
  const builder = createIndexBuilder();
  const summary = await ingestFhir([options.dir], builder);
  if (summary.errors > 0) {
    throw new Error(`synthetic site ${options.site} has ${summary.errors} bad lines`);
  }
  const index: PatientIndex = builder.finish();
  return {
    dir: options.dir,
    patients: options.patients,
    exactCount: (query) => evaluateQuery(index, query, { evaluationDate: EVALUATION_DATE }).rawCount,
  };
}

const REPO_ROOT = resolve(__dirname, '..', '..');

/** The example query of the README (type 2 diabetes, HbA1c above 7 %, adults, no cancer). */
export async function loadExampleQuery(): Promise<StructuredQuery> {
  const text = await readFile(resolve(REPO_ROOT, 'docs/examples/type-2-diabetes-hba1c.json'), 'utf8');
  return parseQuery(JSON.parse(text));
}

/** Parses a query written in a test, failing loudly if the test itself wrote an invalid one. */
export function parseQuery(input: unknown): StructuredQuery {
  const parsed = parseStructuredQuery(input);
  if (!parsed.ok) {
    throw new Error(`test query is invalid: ${JSON.stringify(parsed.error)}`);
  }
  return parsed.value;
}

const MII = 'fdpg.mii.cds';
const SNOMED = 'http://snomed.info/sct';
const ICD10GM = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const LOINC = 'http://loinc.org';

/** Patients aged at least `years` on the evaluation date: matches most of a synthetic site. */
export function adultsQuery(years = 18): StructuredQuery {
  return parseQuery({
    version: 'http://to_be_decided.com/draft-1/schema#',
    inclusionCriteria: [
      [
        {
          context: { system: MII, code: 'Patient', display: 'Patient' },
          termCodes: [{ system: SNOMED, code: '424144002', display: 'Current chronological age' }],
          valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: years, unit: { code: 'a' } },
        },
      ],
    ],
  });
}

/** Patients with an ICD-10-GM diagnosis `code` (a parent code matches its descendants). */
export function diagnosisQuery(code: string): StructuredQuery {
  return parseQuery({
    version: 'http://to_be_decided.com/draft-1/schema#',
    inclusionCriteria: [
      [{ context: { system: MII, code: 'Diagnose', display: 'Diagnose' }, termCodes: [{ system: ICD10GM, code }] }],
    ],
  });
}

/** Patients with any HbA1c result (LOINC 4548-4), a Laboruntersuchung criterion. */
export function hba1cQuery(): StructuredQuery {
  return parseQuery({
    version: 'http://to_be_decided.com/draft-1/schema#',
    inclusionCriteria: [
      [
        {
          context: { system: MII, code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
          termCodes: [{ system: LOINC, code: '4548-4' }],
        },
      ],
    ],
  });
}
