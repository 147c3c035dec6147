import { dayNumber, formatDate, formatDateTime } from '../calendar';
import { CONSENT_DOCUMENT, CONSENT_MODULES } from '../catalogs/consent.catalog';
import { completedYears } from '../demographics.generator';
import { coding } from '../fhir-shapes';
import { PROFILE, SYSTEM } from '../systems';
import { type PatientContext, dayOf } from './patient-context';

const CONSENT_START = dayNumber(2019, 1, 1);
const CONSENT_POLICY_PREFIX = SYSTEM.consentPolicy.slice('urn:oid:'.length);

function addYears(dayNo: number, years: number): string {
  const date = formatDate(dayNo);
  const monthDay = date.slice(4) === '-02-29' ? '-02-28' : date.slice(4);
  return `${Number(date.slice(0, 4)) + years}${monthDay}`;
}

/** A broad consent signed at the first adult encounter since 2019, with permit and deny provisions per module. */
export function emitConsent(ctx: PatientContext): void {
  const { random } = ctx;
  const eligible = ctx.plan.encounters.find(
    (e) => dayOf(e.start) >= CONSENT_START && completedYears(ctx.person.birthDay, dayOf(e.start)) >= 18,
  );
  if (eligible === undefined || !random.chance(0.45)) {
    return;
  }
  const signed = ctx.minuteBetween(eligible.start + 60, eligible.start + 8 * 60);
  const signedDay = dayOf(signed);
  const start = formatDate(signedDay);
  const provisions: Record<string, unknown>[] = [];
  for (const module of CONSENT_MODULES) {
    if (!random.chance(module.asked)) {
      continue;
    }
    const type = random.chance(module.permitted) ? 'permit' : 'deny';
    for (const policy of module.policies) {
      provisions.push({
        type,
        period: { start, end: addYears(signedDay, policy.validYears) },
        code: [
          {
            coding: [coding(SYSTEM.consentPolicy, `${CONSENT_POLICY_PREFIX}.${policy.suffix}`)],
          },
        ],
      });
    }
  }
  ctx.resources.push({
    resourceType: 'Consent',
    id: `${ctx.patientId}-consent`,
    meta: { profile: [PROFILE.consent] },
    status: 'active',
    scope: { coding: [coding(SYSTEM.consentScope, 'research')] },
    category: [
      { coding: [coding(SYSTEM.loinc, CONSENT_DOCUMENT.loincCategory)] },
      { coding: [coding(SYSTEM.consentVersionModules, CONSENT_DOCUMENT.versionModule)] },
    ],
    patient: ctx.subject,
    dateTime: formatDateTime(signed),
    policy: [{ uri: CONSENT_DOCUMENT.policyUri }],
    provision: {
      type: 'deny',
      period: { start, end: addYears(signedDay, CONSENT_DOCUMENT.validYears) },
      provision: provisions,
    },
  });
}
