import fc from 'fast-check';
import { importCcdl } from './ccdl-import';
import { type QueryDraft, toStructuredQuery } from './query-draft';

function draftOf(result: ReturnType<typeof importCcdl>): QueryDraft {
  if (!result.ok) {
    throw new Error(`not imported: ${JSON.stringify(result.error)}`);
  }
  return result.value;
}

const diabetes = {
  context: { system: 'fdpg.mii.cds', code: 'Diagnose', display: 'Diagnose' },
  termCodes: [
    { system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'E11', display: 'Diabetes mellitus, Typ 2' },
  ],
};
const hba1c = {
  context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
  termCodes: [{ system: 'http://loinc.org', code: '4548-4' }],
  valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 7, unit: { code: '%' } },
};

describe('importCcdl', () => {
  it('reads a structured query into groups and gives the same CCDL back', () => {
    const query = {
      version: 'http://to_be_decided.com/draft-2/schema#',
      display: 'T2D with HbA1c > 7 %',
      inclusionCriteria: [[diabetes], [hba1c]],
      exclusionCriteria: [[{ ...diabetes, termCodes: [{ system: 'x', code: 'C00-C97' }] }]],
    };
    const draft = draftOf(importCcdl(JSON.stringify(query)));
    expect(draft.inclusion.map((group) => group.length)).toEqual([1, 1]);
    expect(toStructuredQuery(draft)).toEqual(query);
  });

  it('reads the cohort definition of a CRTDL document', () => {
    const result = importCcdl(JSON.stringify({ cohortDefinition: { inclusionCriteria: [[diabetes]] } }));
    expect(result.ok && result.value.inclusion[0][0].criterion).toEqual(diabetes);
  });

  it('names every structural problem with its JSON path', () => {
    const result = importCcdl(
      JSON.stringify({ inclusionCriteria: [[{ termCodes: [] }], [], [{ termCodes: [{ system: 1, code: '' }] }]] }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toEqual([
      { path: '$.inclusionCriteria[0][0].termCodes', message: 'termCodes must be a non-empty array of term codes' },
      { path: '$.inclusionCriteria[1]', message: 'a criterion group is a non-empty array of criteria' },
      { path: '$.inclusionCriteria[2][0].termCodes[0].system', message: 'system must be a string' },
      { path: '$.inclusionCriteria[2][0].termCodes[0].code', message: 'code must be a non-empty string' },
    ]);
  });

  it('says when a file is not JSON or not a query', () => {
    expect(importCcdl('{"inclusionCriteria": [').ok).toBe(false);
    expect(importCcdl('[1, 2]')).toEqual({
      ok: false,
      error: [{ path: '$', message: 'a CCDL query is an object, not an array' }],
    });
    expect(importCcdl('{}')).toEqual({
      ok: false,
      error: [{ path: '$.inclusionCriteria', message: 'must be a non-empty array of criterion groups (arrays)' }],
    });
  });

  it('never throws on arbitrary JSON and every problem has a $-rooted path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = importCcdl(JSON.stringify(value));
        const issues = result.ok ? [] : result.error;
        expect(result.ok || issues.length > 0).toBe(true);
        expect(issues.filter((issue) => !issue.path.startsWith('$') || issue.message === '')).toEqual([]);
      }),
    );
  });

  it('round-trips any query with well-formed criteria', () => {
    const termCode = fc.record({ system: fc.string(), code: fc.string({ minLength: 1 }) });
    const criterion = fc.record({ termCodes: fc.array(termCode, { minLength: 1, maxLength: 3 }) });
    const groups = fc.array(fc.array(criterion, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(groups, fc.option(groups, { nil: undefined }), (inclusionCriteria, exclusionCriteria) => {
        const query = {
          version: 'http://to_be_decided.com/draft-2/schema#',
          inclusionCriteria,
          ...(exclusionCriteria === undefined ? {} : { exclusionCriteria }),
        };
        const result = importCcdl(JSON.stringify(query));
        expect(result.ok && toStructuredQuery(result.value)).toEqual(query);
      }),
    );
  });
});
