import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseStructuredQueryWithWarnings, type StructuredQuery } from '@fq/ccdl';
import { countPatients, createIndexBuilder, type FhirResource, type PatientIndex, readFhirResources } from '@fq/engine';
// The engine's test oracle stays out of its public entry and build (.dependency-cruiser.cjs allows this one import).
import { evaluateQueryNaively } from '../../../libs/engine/src/evaluate/__fixtures__/reference-evaluator';
import { DEMO_SITES, type DemoSite } from './config/config.schema';
import { ensureSiteData } from './sites/demo-sites.generator';

// docs/examples promises one working query per MII context; each must find patients in the data the demo serves.
const EXAMPLES_DIR = path.resolve(__dirname, '../../../docs/examples');
// Fixed, so that ages and open time restrictions give the same counts on every run.
const EVALUATION_DATE = '2025-12-31';
// The smallest demo site: the naive oracle scans every resource for every criterion.
const SITE: DemoSite = DEMO_SITES.reduce((smallest, site) => (site.patients < smallest.patients ? site : smallest));
// Generating 3,000 patients and scanning them naively takes a while on a shared machine.
const SETUP_TIMEOUT_MS = 300_000;

interface Example {
  file: string;
  query: StructuredQuery;
}

let dir: string;
let resources: FhirResource[];
let index: PatientIndex;
let examples: Example[];

async function readExamples(): Promise<Example[]> {
  const files = (await readdir(EXAMPLES_DIR)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const parsed = parseStructuredQueryWithWarnings(
        JSON.parse(await readFile(path.join(EXAMPLES_DIR, file), 'utf8')),
      );
      if (!parsed.ok) {
        throw new Error(`${file}: ${parsed.error.message}`);
      }
      expect({ file, warnings: parsed.value.warnings }).toEqual({ file, warnings: [] });
      return { file, query: parsed.value.query };
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fq-docs-examples-'));
  const siteDir = path.join(dir, SITE.id);
  await ensureSiteData(siteDir, SITE, () => undefined);
  resources = [];
  for await (const { resource } of readFhirResources([siteDir])) {
    resources.push(resource);
  }
  const builder = createIndexBuilder();
  for (const resource of resources) {
    builder.addResource(resource);
  }
  index = builder.finish();
  examples = await readExamples();
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('docs/examples on the demo data', () => {
  it('holds a query for every MII context the README promises', () => {
    const contexts = new Set(
      examples.flatMap(({ query }) =>
        [...query.inclusionCriteria, ...(query.exclusionCriteria ?? [])].flat().map((c) => c.context?.code),
      ),
    );
    for (const context of [
      'Patient',
      'Diagnose',
      'Procedure',
      'Laboruntersuchung',
      'Medikamentenverabreichung',
      'Medikamentenverordnung',
      'Medikamentenanordnung',
      'Specimen',
      'Einwilligung',
      'Fall',
    ]) {
      expect(contexts).toContain(context);
    }
  });

  it('lists every example file in its README, and only existing ones', async () => {
    const readme = await readFile(path.join(EXAMPLES_DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/\[([a-z0-9-]+\.json)\]\(\1\)/g)].map((match) => match[1]).sort();
    expect(listed).toEqual(examples.map(({ file }) => file));
  });

  it(
    `finds patients for every example at ${SITE.id}, as many as the reference evaluator`,
    () => {
      const counts = examples.map(({ file, query }) => ({
        file,
        indexed: countPatients(index, query, { evaluationDate: EVALUATION_DATE }),
        reference: evaluateQueryNaively(resources, query, { evaluationDate: EVALUATION_DATE }).rawCount,
      }));
      for (const { file, indexed, reference } of counts) {
        expect({ file, indexed }).toEqual({ file, indexed: reference });
        expect({ file, found: indexed > 0 }).toEqual({ file, found: true });
      }
    },
    SETUP_TIMEOUT_MS,
  );
});
