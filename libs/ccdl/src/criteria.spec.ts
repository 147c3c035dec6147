import type { StructuredQuery } from './ccdl.schema';
import { listCriteria } from './criteria';

const diagnosis = {
  context: { system: 'fdpg.mii.cds', code: 'Diagnose' },
  termCodes: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'E11' }],
};
const lab = {
  context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung' },
  termCodes: [{ system: 'http://loinc.org', code: '4548-4' }],
};
const specimenWithDiagnosis = {
  context: { system: 'fdpg.mii.cds', code: 'Specimen' },
  termCodes: [{ system: 'http://snomed.info/sct', code: '119297000' }],
  attributeFilters: [
    {
      type: 'reference' as const,
      attributeCode: { system: 'http://hl7.org/fhir/StructureDefinition', code: 'Diagnose' },
      criteria: [diagnosis, lab],
    },
  ],
};

const query: StructuredQuery = { inclusionCriteria: [[diagnosis, lab]], exclusionCriteria: [[specimenWithDiagnosis]] };

describe('listCriteria', () => {
  it('lists inclusion, exclusion and referenced criteria with their paths, in document order', () => {
    expect(listCriteria(query).map((c) => c.path)).toEqual([
      '$.inclusionCriteria[0][0]',
      '$.inclusionCriteria[0][1]',
      '$.exclusionCriteria[0][0]',
      '$.exclusionCriteria[0][0].attributeFilters[0].criteria[0]',
      '$.exclusionCriteria[0][0].attributeFilters[0].criteria[1]',
    ]);
  });

  it('places the paths under the root it is given', () => {
    expect(listCriteria({ inclusionCriteria: [[lab]] }, '$.cohortDefinition')[0]).toEqual({
      path: '$.cohortDefinition.inclusionCriteria[0][0]',
      criterion: lab,
    });
  });
});
