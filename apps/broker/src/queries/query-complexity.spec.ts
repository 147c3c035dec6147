import type { StructuredQuery } from '@fq/ccdl';
import { findTooManyCriteria } from './query-complexity';

const criterion = (code: string) => ({ termCodes: [{ system: 'http://snomed.info/sct', code, display: 'Diagnosis' }] });

// A specimen whose diagnosis is one of two codes: three criteria, two of them nested in the reference filter.
const specimen = {
  ...criterion('119297000'),
  attributeFilters: [
    {
      type: 'reference' as const,
      attributeCode: { system: 'http://hl7.org/fhir/StructureDefinition', code: 'Diagnose' },
      criteria: [criterion('2'), criterion('3')],
    },
  ],
};
const query: StructuredQuery = { inclusionCriteria: [[criterion('1'), specimen]] };

describe('findTooManyCriteria', () => {
  it('counts the criteria nested in reference filters, as the sites do', () => {
    expect(findTooManyCriteria(query, 4)).toEqual([]);
    expect(findTooManyCriteria(query, 3)).toEqual([
      {
        path: '$.inclusionCriteria[0][1].attributeFilters[0].criteria[1]',
        code: 'BROKER_QUERY_TOO_MANY_CRITERIA',
        message: 'the query has 4 criteria; at most 3 are allowed',
      },
    ]);
  });
});
