import { readdirSync } from 'node:fs';
import path from 'node:path';
import { aCriterion, aQuery } from './__fixtures__/builders';
import { expectSingleIssue, expectValid, readJson } from './__fixtures__/parse-expectations';
import { parseStructuredQuery } from './parse';

// The upstream examples stay in ../shared (licence terms); they are read in place, never copied.
const EXAMPLES_DIR = path.resolve(__dirname, '../../../../shared/ccdl/examples');

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return listJsonFiles(full);
    }
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

describe('parseStructuredQuery', () => {
  describe('upstream examples', () => {
    const files = listJsonFiles(EXAMPLES_DIR);

    it('finds the example files in ../shared', () => {
      expect(files.length).toBeGreaterThanOrEqual(6);
    });

    it.each(files.map((file) => [path.relative(EXAMPLES_DIR, file), file]))('accepts %s', (_name, file) => {
      expectValid(readJson(file));
    });

    it('unwraps a CRTDL document and returns its cohortDefinition', () => {
      const result = parseStructuredQuery(
        readJson(path.join(EXAMPLES_DIR, 'feasibility-gui/Single_Inclusion_Criteria_With_Patient.json')),
      );
      expect(result.ok && result.value.inclusionCriteria[0][0].termCodes[0].code).toBe('I118347');
      expect(result.ok && 'dataExtraction' in result.value).toBe(false);
    });

    it('accepts the legacy pre-context query without context', () => {
      const result = parseStructuredQuery(
        readJson(path.join(EXAMPLES_DIR, 'feasibility-backend/2021_10_18_StructuredQueryV2Example.json')),
      );
      expect(result.ok && result.value.inclusionCriteria[0][0].context).toBeUndefined();
    });
  });

  describe('CRTDL documents', () => {
    it('reports issues with paths below $.cohortDefinition', () => {
      expectSingleIssue(
        { cohortDefinition: aQuery(aCriterion({ termCodes: [] })), dataExtraction: {} },
        { path: '$.cohortDefinition.inclusionCriteria[0][0].termCodes', code: 'CCDL_TOO_SMALL' },
      );
    });

    it('rejects a cohortDefinition that is not an object', () => {
      const issue = expectSingleIssue(
        { cohortDefinition: 'q' },
        { path: '$.cohortDefinition', code: 'CCDL_INVALID_TYPE' },
      );
      expect(issue.message).toBe('cohortDefinition must be an object, got "q"');
    });

    it('rejects a document with both cohortDefinition and top-level criteria', () => {
      expectSingleIssue(
        { cohortDefinition: aQuery(), inclusionCriteria: [[aCriterion()]] },
        { path: '$.inclusionCriteria', code: 'CCDL_AMBIGUOUS_DOCUMENT' },
      );
    });
  });
});
