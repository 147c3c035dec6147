import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Criterion, parseStructuredQuery, type StructuredQuery } from '@fq/ccdl';
import { z } from 'zod';
import type { FhirResource } from '../fhirpath/fhir-resource';
import type { PatientIndex } from '../index/patient-index';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../mapping/default-mapping';
import { SYSTEMS } from '../mapping/systems';
import { createIndexBuilder } from '../site-engine';
import { SECOND_TIME_ZONE, rerunSpecInTimeZone, runsInTimeZone } from './__fixtures__/cases/time-zone-rerun';
import { CASES, type Mapping } from './__fixtures__/mii-kds.cases';
import { evaluateQuery } from './evaluate-query';
import type { QueryEvaluation } from './query-evaluation';

// The MII test data and the upstream examples carry no licence: they are read in place from ../shared, never copied.
const SHARED = path.resolve(__dirname, '../../../../../shared');
const BUNDLE_DIR = path.join(SHARED, 'fixtures/mii-kds');
const EXAMPLES_DIR = path.join(SHARED, 'ccdl/examples');
const EVALUATION_DATE = '2025-06-15';
const ID_PREFIX = 'mii-exa-test-data-';

const Bundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  entry: z.array(z.looseObject({ resource: z.looseObject({ resourceType: z.string(), id: z.string().optional() }) })),
});

/** Every entry.resource of every Bundle file, in file order. */
function readBundleResources(): FhirResource[] {
  const files = readdirSync(BUNDLE_DIR).filter((name) => name.startsWith('Bundle-') && name.endsWith('.json'));
  return files.sort().flatMap((name) => {
    const bundle = Bundle.parse(JSON.parse(readFileSync(path.join(BUNDLE_DIR, name), 'utf8')));
    return bundle.entry.map((entry) => entry.resource);
  });
}

/** Indexes of the test data per mapping and per left-out Patient resource, built on first use. */
class TestDataWorld {
  readonly resources = readBundleResources();
  readonly patientIds = this.resources.filter((r) => r.resourceType === 'Patient').map((r) => r.id ?? '');
  private readonly indexes = new Map<string, PatientIndex>();

  index(mapping: Mapping, withoutPatient?: string): PatientIndex {
    const key = `${mapping}\u0000${withoutPatient ?? ''}`;
    let index = this.indexes.get(key);
    if (index === undefined) {
      const builder = createIndexBuilder({
        mapping: mapping === 'default' ? DEFAULT_MAPPING : UPSTREAM_COMPATIBLE_MAPPING,
      });
      for (const resource of this.resources) {
        if (!(resource.resourceType === 'Patient' && resource.id === withoutPatient)) {
          builder.addResource(resource);
        }
      }
      index = builder.finish();
      this.indexes.set(key, index);
    }
    return index;
  }

  evaluate(query: StructuredQuery, mapping: Mapping = 'default', withoutPatient?: string): QueryEvaluation {
    return evaluateQuery(this.index(mapping, withoutPatient), query, { evaluationDate: EVALUATION_DATE });
  }

  /** Patients whose Patient resource, when left out, lowers the count: exactly the counted patients. */
  countedPatients(query: StructuredQuery, mapping: Mapping): Record<string, number> {
    const full = this.evaluate(query, mapping).rawCount;
    const result: Record<string, number> = {};
    for (const id of this.patientIds) {
      const difference = full - this.evaluate(query, mapping, id).rawCount;
      if (difference !== 0) {
        result[id.slice(ID_PREFIX.length)] = difference;
      }
    }
    return result;
  }
}

/** The example queries of ../shared/ccdl/examples, with what each must give on the test data. */
const EXAMPLES: Array<{ file: string; rawCount: number; unknownIncludes: string[] }> = [
  // Legacy gender codes F/M never equal male/female, so the first inclusion group is empty.
  { file: 'feasibility-backend/2021_10_18_StructuredQueryV2Example.json', rawCount: 0, unknownIncludes: [] },
  // Alpha-ID I118347 is not in the data (its nine Alpha-IDs are I29578, I18412, …).
  { file: 'feasibility-gui/Single_Inclusion_Criteria_With_Patient.json', rawCount: 0, unknownIncludes: [] },
  // no-yes-no-yes needs .46 and .47, which no Consent has.
  { file: 'feasibility-gui/example-ccdl-with-combined-consent.json', rawCount: 0, unknownIncludes: [] },
  // 15 female patients.
  { file: 'mii-process-feasibility/valid-structured-query.json', rawCount: 15, unknownIncludes: [] },
  // Gender F/M matches nobody; Specimen cannot be coded in OPS, Patient knows no LOINC 8310-5.
  {
    file: 'clinical-cohort-definition-language/v1.0.0/ccdl-all-properties.json',
    rawCount: 0,
    unknownIncludes: [`${SYSTEMS.ops}|5-016.0`, `${SYSTEMS.loinc}|8310-5`],
  },
  {
    file: 'clinical-cohort-definition-language/v2/ccdl-all-properties.json',
    rawCount: 0,
    unknownIncludes: [`${SYSTEMS.ops}|5-016.0`, `${SYSTEMS.loinc}|8310-5`],
  },
];

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return listJsonFiles(full);
    }
    return entry.name.endsWith('.json') ? [path.relative(EXAMPLES_DIR, full)] : [];
  });
}

/** An example query as the product parser reads it; the ccdl specs check that every example parses. */
function readExample(file: string): StructuredQuery {
  const parsed = parseStructuredQuery(JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')));
  if (!parsed.ok) {
    throw new Error(`${file} is not a valid CCDL query: ${parsed.error.message}`);
  }
  return parsed.value;
}

/** Every term code written anywhere in a criterion, nested reference criteria included. */
function termCodesOf(criteria: readonly Criterion[]): string[] {
  return criteria.flatMap((c) => [
    ...c.termCodes.map((t) => `${t.system}|${t.code}`),
    ...(c.attributeFilters ?? []).flatMap((f) =>
      f.type === 'reference' ? f.criteria.flatMap((n) => n.termCodes.map((t) => `${t.system}|${t.code}`)) : [],
    ),
  ]);
}

describe('the MII KDS test data (mii-testdata v2026.0.0-rc.1)', () => {
  const world = new TestDataWorld();

  it('holds the 31 patients the README lists', () => {
    expect(world.patientIds).toHaveLength(31);
  });

  describe.each(CASES)('$name', ({ query: q, mapping = 'default', patients }) => {
    it(`counts ${patients.length} patient(s) under the ${mapping} mapping`, () => {
      expect(world.evaluate(q, mapping).rawCount).toBe(patients.length);
    });

    it('counts exactly the patients listed', () => {
      expect(world.countedPatients(q, mapping)).toEqual(Object.fromEntries(patients.map((id) => [id, 1])));
    });

    it('reports no unknown term code and no issue', () => {
      const evaluation = world.evaluate(q, mapping);
      expect(
        evaluation.criteria.flatMap((c) => [...c.unknownTermCodes.map((t) => t.code), ...c.issues.map((i) => i.code)]),
      ).toEqual([]);
    });
  });

  describe('the upstream example queries', () => {
    it('are all listed here', () => {
      expect(listJsonFiles(EXAMPLES_DIR).sort()).toEqual(EXAMPLES.map((e) => e.file).sort());
    });

    it.each(EXAMPLES)(
      '$file evaluates without throwing and reports its unknown codes',
      ({ file, rawCount, unknownIncludes }) => {
        const q = readExample(file);
        const evaluation = world.evaluate(q);
        const unknown = evaluation.criteria.flatMap((c) => c.unknownTermCodes.map((t) => `${t.system}|${t.code}`));
        const written = new Set(termCodesOf([...q.inclusionCriteria.flat(), ...(q.exclusionCriteria ?? []).flat()]));
        expect({
          rawCount: evaluation.rawCount,
          missingUnknowns: unknownIncludes.filter((c) => !unknown.includes(c)),
          unknownsNotInQuery: unknown.filter((c) => !written.has(c)),
        }).toEqual({ rawCount, missingUnknowns: [], unknownsNotInQuery: [] });
      },
    );
  });
});

describe(`the MII KDS test data under TZ=${SECOND_TIME_ZONE}`, () => {
  if (runsInTimeZone(SECOND_TIME_ZONE)) {
    it('is evaluated in this process, where 2024-06-30T22:30Z is already July 1st', () => {
      expect(new Date(Date.UTC(2024, 5, 30, 22, 30)).getDate()).toBe(1);
    });
  } else {
    it('gives the same counts in a jest process running in that zone', () => {
      const run = rerunSpecInTimeZone(__filename, SECOND_TIME_ZONE);
      expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
    }, 300_000);
  }
});
