import type { StructuredQuery } from '@fq/ccdl';
import type { SitePolicyConfig } from '../config/config.schema';
import { SitePolicyService } from './site-policy.service';

const ALL: SitePolicyConfig = {
  allowedContexts: null,
  allowedCodeSystems: null,
  maxCriteria: 50,
  rateLimit: 999,
  rateIntervalSeconds: 3600,
  approval: 'auto',
};

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
      criteria: [{ ...diagnosis, context: { system: 'fdpg.mii.cds', code: 'Diagnose' } }],
    },
  ],
};

const query: StructuredQuery = { inclusionCriteria: [[diagnosis, lab]], exclusionCriteria: [[specimenWithDiagnosis]] };

function policy(overrides: Partial<SitePolicyConfig>): SitePolicyService {
  return new SitePolicyService({ policy: { ...ALL, ...overrides } });
}

describe('SitePolicyService', () => {
  it('accepts any query when nothing is restricted', () => {
    expect(policy({}).check(query)).toEqual({ ok: true });
  });

  it('accepts a query whose contexts are all allowed', () => {
    expect(policy({ allowedContexts: ['Diagnose', 'Laboruntersuchung', 'Specimen'] }).check(query)).toEqual({
      ok: true,
    });
  });

  it('refuses a context that is not allowed and names the criterion', () => {
    const verdict = policy({ allowedContexts: ['Diagnose', 'Specimen'] }).check(query);
    expect(verdict).toEqual({
      ok: false,
      error: {
        code: 'SITE_POLICY_REFUSED',
        reason: '$.inclusionCriteria[0][1]: context Laboruntersuchung is not answered by this site',
      },
    });
  });

  it('checks the contexts of criteria nested in reference filters', () => {
    const verdict = policy({ allowedContexts: ['Laboruntersuchung', 'Specimen'] }).check(query);
    expect(verdict.ok ? '' : verdict.error.reason).toMatch(/attributeFilters\[0\]\.criteria\[0\]: context Diagnose/);
  });

  it('refuses a criterion without context when contexts are restricted', () => {
    const { context: _context, ...noContext } = lab;
    const verdict = policy({ allowedContexts: ['Laboruntersuchung'] }).check({ inclusionCriteria: [[noContext]] });
    expect(verdict.ok ? '' : verdict.error.reason).toMatch(/has no context/);
  });

  it('refuses a term code from a code system that is not allowed', () => {
    const verdict = policy({
      allowedCodeSystems: ['http://loinc.org', 'http://snomed.info/sct'],
    }).check(query);
    expect(verdict.ok ? '' : verdict.error.reason).toMatch(
      /code system http:\/\/fhir\.de\/CodeSystem\/bfarm\/icd-10-gm/,
    );
  });

  it('counts referenced criteria against the maximum', () => {
    expect(policy({ maxCriteria: 4 }).check(query).ok).toBe(true);
    const verdict = policy({ maxCriteria: 3 }).check(query);
    expect(verdict.ok ? '' : verdict.error.reason).toMatch(/the query has 4 criteria; this site answers at most 3/);
  });

  it('names at most three violations and says how many more there are', () => {
    const many: StructuredQuery = { inclusionCriteria: [[lab, lab, lab, lab, lab]] };
    const verdict = policy({ allowedContexts: ['Diagnose'] }).check(many);
    expect(verdict.ok ? '' : verdict.error.reason).toMatch(/; and 2 more$/);
  });
});
