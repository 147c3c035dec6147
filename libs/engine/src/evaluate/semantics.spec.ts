import path from 'node:path';
import type { StructuredQuery } from '@fq/ccdl';
import type { PatientIndex } from '../index/patient-index';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../mapping/default-mapping';
import type { EngineMapping } from '../mapping/mapping.schema';
import { createIndexBuilder } from '../site-engine';
import {
  type CaseFile,
  type MappingChoice,
  type SemanticCase,
  loadCaseFiles,
} from './__fixtures__/cases/case-file.schema';
import { SECOND_TIME_ZONE, rerunSpecInTimeZone, runsInTimeZone } from './__fixtures__/cases/time-zone-rerun';
import { countPatients, evaluateQuery } from './evaluate-query';
import type { QueryEvaluation } from './query-evaluation';

const CASES_DIR = path.join(__dirname, '__fixtures__', 'cases');
const MAPPINGS: Record<MappingChoice, EngineMapping> = {
  default: DEFAULT_MAPPING,
  'upstream-compatible': UPSTREAM_COMPATIBLE_MAPPING,
};

/** The file's resources, indexed lazily per mapping and per left-out Patient resource. */
class CaseWorld {
  private readonly indexes = new Map<string, PatientIndex>();

  constructor(private readonly file: CaseFile) {}

  /** Ids of every Patient resource in the file. */
  patientIds(): string[] {
    return this.file.resources.filter((r) => r.resourceType === 'Patient').map((r) => r.id);
  }

  /** The index of all resources; with `withoutPatient`, that patient's Patient resource is left out. */
  index(mapping: MappingChoice, withoutPatient?: string): PatientIndex {
    const key = `${mapping}\u0000${withoutPatient ?? ''}`;
    let index = this.indexes.get(key);
    if (index === undefined) {
      const builder = createIndexBuilder({ mapping: MAPPINGS[mapping] });
      for (const resource of this.file.resources) {
        if (!(resource.resourceType === 'Patient' && resource.id === withoutPatient)) {
          builder.addResource(resource);
        }
      }
      index = builder.finish();
      this.indexes.set(key, index);
    }
    return index;
  }

  evaluate(query: StructuredQuery, mapping: MappingChoice, withoutPatient?: string): QueryEvaluation {
    return evaluateQuery(this.index(mapping, withoutPatient), query, { evaluationDate: this.file.evaluationDate });
  }

  /** The count alone, as a site answers it. */
  count(query: StructuredQuery, mapping: MappingChoice): number {
    return countPatients(this.index(mapping), query, { evaluationDate: this.file.evaluationDate });
  }
}

const codeKey = (c: { system: string; code: string }): string => `${c.system}|${c.code}`;

/** What a case asserts about an evaluation: the count, the date, unknown codes and issue codes over all criteria. */
function summarise(evaluation: QueryEvaluation) {
  return {
    rawCount: evaluation.rawCount,
    evaluationDate: evaluation.evaluationDate,
    unknownTermCodes: [...new Set(evaluation.criteria.flatMap((c) => c.unknownTermCodes.map(codeKey)))].sort(),
    issueCodes: [...new Set(evaluation.criteria.flatMap((c) => c.issues.map((issue) => issue.code)))].sort(),
  };
}

function expectedSummary(file: CaseFile, c: SemanticCase) {
  return {
    rawCount: c.expected,
    evaluationDate: file.evaluationDate,
    unknownTermCodes: [...new Set((c.expectedUnknownTermCodes ?? []).map(codeKey))].sort(),
    issueCodes: [...new Set(c.expectedIssueCodes ?? [])].sort(),
  };
}

/**
 * How much each patient adds to the count: the count minus the count without that patient's Patient resource.
 * The counted patients are exactly those adding 1; nobody may add anything else.
 */
function contributions(world: CaseWorld, c: SemanticCase, mapping: MappingChoice, rawCount: number) {
  const result: Record<string, number> = {};
  for (const id of world.patientIds()) {
    const difference = rawCount - world.evaluate(c.query, mapping, id).rawCount;
    if (difference !== 0) {
      result[id] = difference;
    }
  }
  return result;
}

const loaded = loadCaseFiles(CASES_DIR);

describe('semantic case files', () => {
  it('finds case files to run', () => {
    expect(loaded.length).toBeGreaterThan(0);
  });
});

for (const entry of loaded) {
  if (!entry.ok) {
    describe(`${entry.file}`, () => {
      it('is a valid case file', () => {
        expect(entry.error).toEqual([]);
      });
    });
    continue;
  }
  const file = entry.value;
  describe(`${file.rule} [${entry.file}]`, () => {
    const world = new CaseWorld(file);
    for (const c of file.cases) {
      const mapping = c.mapping ?? file.mapping ?? 'default';
      const title = mapping === 'default' ? c.name : `${c.name} [${mapping}]`;
      it(`${title}`, () => {
        const evaluation = world.evaluate(c.query, mapping);
        const expectedPatients = c.expectedPatients;
        expect({
          ...summarise(evaluation),
          countAlone: world.count(c.query, mapping),
          patients: expectedPatients === undefined ? null : contributions(world, c, mapping, evaluation.rawCount),
        }).toEqual({
          ...expectedSummary(file, c),
          countAlone: evaluation.rawCount,
          patients: expectedPatients === undefined ? null : Object.fromEntries(expectedPatients.map((id) => [id, 1])),
        });
      });
    }
  });
}

describe(`the semantic cases under TZ=${SECOND_TIME_ZONE}`, () => {
  if (runsInTimeZone(SECOND_TIME_ZONE)) {
    it('run in this process, where 2024-06-30T22:30Z is already July 1st', () => {
      expect(new Date(Date.UTC(2024, 5, 30, 22, 30)).getDate()).toBe(1);
    });
  } else {
    it('all pass again in a jest process running in that zone', () => {
      const run = rerunSpecInTimeZone(__filename, SECOND_TIME_ZONE);
      expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
    }, 300_000);
  }
});
