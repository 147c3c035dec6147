import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStructuredQuery, type StructuredQuery } from '@fq/ccdl';
import { isFhirResource } from '../fhirpath/fhir-resource';
import { createIndexBuilder } from '../site-engine';
import { evaluateQuery } from './evaluate-query';

const FIXTURES = join(__dirname, '../../../../../shared/fixtures/mii-kds');

function loadKds() {
  const builder = createIndexBuilder();
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const bundle = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { entry?: Array<{ resource?: unknown }> };
    for (const entry of bundle.entry ?? []) {
      if (isFhirResource(entry.resource)) {
        builder.addResource(entry.resource);
      }
    }
  }
  return builder.finish();
}

function query(value: unknown): StructuredQuery {
  const parsed = parseStructuredQuery(value);
  if (!parsed.ok) {
    throw parsed.error;
  }
  return parsed.value;
}

const PATIENT = { system: 'fdpg.mii.cds', code: 'Patient' };
const GENDER = { system: 'http://snomed.info/sct', code: '263495000' };
const gender = (code: string) => ({
  context: PATIENT,
  termCodes: [GENDER],
  valueFilter: { type: 'concept', selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code }] },
});

describe('evaluateQuery', () => {
  const index = loadKds();
  const today = { evaluationDate: '2025-01-01' };

  it('counts the female patients of the MII test data (15 of 31, MII-CONTEXTS.md section 10)', () => {
    const result = evaluateQuery(index, query({ inclusionCriteria: [[gender('female')]] }), today);
    expect(result.rawCount).toBe(15);
    expect(result.criteria).toEqual([
      { path: '$.inclusionCriteria[0][0]', context: 'Patient', unknownTermCodes: [], issues: [], rawPatientCount: 15 },
    ]);
  });

  it('counts every patient once when female OR male OR other is asked (31)', () => {
    const q = query({ inclusionCriteria: [[gender('female'), gender('male'), gender('other')]] });
    expect(evaluateQuery(index, q, today).rawCount).toBe(31);
  });

  it('subtracts an exclusion from the inclusion', () => {
    const q = query({ inclusionCriteria: [[gender('female'), gender('male')]], exclusionCriteria: [[gender('male')]] });
    expect(evaluateQuery(index, q, today).rawCount).toBe(15);
  });

  it('reports a term code no mapping knows and matches nothing with it', () => {
    const unknown = { system: 'http://example.org/codes', code: 'X1' };
    const q = query({
      inclusionCriteria: [[{ context: { system: 'fdpg.mii.cds', code: 'Diagnose' }, termCodes: [unknown] }]],
    });
    const result = evaluateQuery(index, q, today);
    expect(result.rawCount).toBe(0);
    expect(result.criteria[0].unknownTermCodes).toEqual([unknown]);
  });

  it('reports a time restriction on a context without clinical time as an issue, not an error', () => {
    const q = query({
      inclusionCriteria: [[{ ...gender('female'), timeRestriction: { afterDate: '2020-01-01' } }]],
    });
    const result = evaluateQuery(index, q, today);
    expect(result.rawCount).toBe(0);
    expect(result.criteria[0].issues.map((i) => i.code)).toEqual(['ENGINE_TIME_RESTRICTION_UNSUPPORTED']);
  });
});
