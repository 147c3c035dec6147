import fc from 'fast-check';
import type { ConceptTree } from '../codes/code-hierarchy';
import type { FhirResource } from '../fhirpath/fhir-resource';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../mapping/default-mapping';
import type { EngineMapping } from '../mapping/mapping.schema';
import { createIndexBuilder } from '../site-engine';
import { conceptTreesArb, evaluationDateArb, miiDataSetArb, miiQueryArb } from './__fixtures__/arbitraries';
import { loadMiiKds } from './__fixtures__/builders';
import { evaluateQueryNaively } from './__fixtures__/reference-evaluator';
import { evaluateQuery } from './evaluate-query';

const MAPPINGS: Record<string, EngineMapping> = { default: DEFAULT_MAPPING, upstream: UPSTREAM_COMPATIBLE_MAPPING };
const mappingNameArb = fc.constantFrom('default', 'upstream');

function evaluateIndexed(
  resources: readonly FhirResource[],
  mappingName: string,
  conceptTrees: ConceptTree[],
  query: Parameters<typeof evaluateQuery>[1],
  evaluationDate: string,
) {
  const builder = createIndexBuilder({ mapping: MAPPINGS[mappingName], conceptTrees });
  for (const resource of resources) {
    builder.addResource(resource);
  }
  return evaluateQuery(builder.finish(), query, { evaluationDate });
}

describe('evaluateQuery against the naive reference evaluator', () => {
  it('gives the same rawCount for random data, queries, evaluation dates, mappings and concept trees', () => {
    fc.assert(
      fc.property(
        miiDataSetArb,
        miiQueryArb,
        evaluationDateArb,
        mappingNameArb,
        conceptTreesArb,
        (resources, query, evaluationDate, mappingName, conceptTrees) => {
          const indexed = evaluateIndexed(resources, mappingName, conceptTrees, query, evaluationDate);
          const naive = evaluateQueryNaively(resources, query, {
            evaluationDate,
            mapping: MAPPINGS[mappingName],
            conceptTrees,
          });
          expect(indexed.rawCount).toBe(naive.rawCount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same patient count for every single criterion', () => {
    fc.assert(
      fc.property(
        miiDataSetArb,
        miiQueryArb,
        evaluationDateArb,
        mappingNameArb,
        (resources, query, evaluationDate, mappingName) => {
          const indexed = evaluateIndexed(resources, mappingName, [], query, evaluationDate);
          const naive = evaluateQueryNaively(resources, query, { evaluationDate, mapping: MAPPINGS[mappingName] });
          const indexedCounts = Object.fromEntries(indexed.criteria.map((c) => [c.path, c.rawPatientCount]));
          const naiveCounts = Object.fromEntries(naive.criteria.map((c) => [c.path, c.patientIds.length]));
          expect(indexedCounts).toEqual(naiveCounts);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same rawCount as the naive evaluator on the MII test data', () => {
    const kds = loadMiiKds();
    fc.assert(
      fc.property(miiQueryArb, evaluationDateArb, mappingNameArb, (query, evaluationDate, mappingName) => {
        const indexed = evaluateIndexed(kds, mappingName, [], query, evaluationDate);
        const naive = evaluateQueryNaively(kds, query, { evaluationDate, mapping: MAPPINGS[mappingName] });
        expect(indexed.rawCount).toBe(naive.rawCount);
      }),
      { numRuns: 100 },
    );
  });

  it('does not depend on the order in which resources are added to the index', () => {
    const permutedArb = miiDataSetArb.chain((resources) =>
      fc.tuple(
        fc.constant(resources),
        fc.shuffledSubarray(resources, { minLength: resources.length, maxLength: resources.length }),
      ),
    );
    fc.assert(
      fc.property(
        permutedArb,
        miiQueryArb,
        evaluationDateArb,
        mappingNameArb,
        ([resources, permuted], query, evaluationDate, mappingName) => {
          const first = evaluateIndexed(resources, mappingName, [], query, evaluationDate);
          const second = evaluateIndexed(permuted, mappingName, [], query, evaluationDate);
          expect(second.rawCount).toBe(first.rawCount);
        },
      ),
      { numRuns: 100 },
    );
  });
});
