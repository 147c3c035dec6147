import { type StructuredQuery, parseStructuredQuery } from '@fq/ccdl';
import fc from 'fast-check';
import type { ConceptTree } from '../../codes/code-hierarchy';
import { daysFromCivil, daysInMonth, formatDay, parseIsoDay } from '../../dates';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import { SPECIMEN_DIAGNOSIS_EXTENSION, SYSTEMS } from '../../mapping/systems';

// Small MII-shaped worlds and CCDL queries drawn from the same code pools, so that criteria hit data often,
// and from date pools around leap days and year ends, so that boundaries are hit often.

const GENDER_SYSTEM = 'http://hl7.org/fhir/administrative-gender';
const LEGACY = {
  icd10gm: 'http://fhir.de/CodeSystem/dimdi/icd-10-gm',
  ops: 'http://fhir.de/CodeSystem/dimdi/ops',
  atc: 'http://fhir.de/CodeSystem/dimdi/atc',
};
const WHO_ATC = 'http://www.whocc.no/atc';
const UNKNOWN_SYSTEM = 'http://example.org/CodeSystem/unknown';

const ICD_CODES = [
  'E10',
  'E10.9',
  'E11',
  'E11.9',
  'E11.90',
  'E11.91',
  'E13.9',
  'E13.90',
  'E14',
  'C50',
  'C50.9',
  'I10',
  'I10.00',
  'I10.90',
  'J45',
  'J45.0',
  'B05.3',
];
const ICD_QUERY_CODES = [...ICD_CODES, 'E10-E14', 'C00-C97', 'E1'];
const SNOMED_DIAGNOSES = ['44054006', '73211009', '38341003'];
const OPS_CODES = [
  '5-01',
  '5-010',
  '5-010.0',
  '5-010.00',
  '5-011',
  '8-19',
  '8-192',
  '8-192.1',
  '8-192.1a',
  '3-200',
  '1-100',
];
const OPS_QUERY_CODES = [...OPS_CODES, '5-0', '8-192.1b'];
const SNOMED_PROCEDURES = ['80146002', '387713003'];
const ATC_CODES = ['A10', 'A10B', 'A10BA02', 'A10BF01', 'C09', 'C09AA05', 'N02BE01'];
const SPECIMEN_TYPES = ['122555007', '119297000', '119376003', '258580003'];
const POLICY_SUFFIXES = [6, 7, 8, 9, 46, 47, 49, 10, 26];
const COMBINED_CONSENT_CODES = ['yes', 'no'].flatMap((a) =>
  ['yes', 'no'].flatMap((b) => ['yes', 'no'].flatMap((c) => ['yes', 'no'].map((d) => `${a}-${b}-${c}-${d}`))),
);
const KONTAKTEBENE = ['einrichtungskontakt', 'abteilungskontakt', 'versorgungsstellenkontakt'];
const FACHABTEILUNG = ['0100', '1500', '3600'];
const ENCOUNTER_CLASSES = ['IMP', 'AMB', 'SS', 'EMER'];

/** `arbitrary` with the given chance in percent, else null (fc.option's `freq` counts the other way round). */
function present<T>(arbitrary: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: percent, arbitrary }, { weight: 100 - percent, arbitrary: fc.constant(null) });
}

const policyCode = (suffix: number): string => `${SYSTEMS.consentPolicy.slice('urn:oid:'.length)}.${suffix}`;

// ---------------------------------------------------------------------------------------------------------------
// Dates

const CLINICAL_ANCHORS = [
  '2023-12-31',
  '2024-01-01',
  '2024-02-28',
  '2024-02-29',
  '2024-03-01',
  '2024-06-15',
  '2024-12-31',
  '2025-01-01',
];
const clinicalDayArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...CLINICAL_ANCHORS.map(parseIsoDay)) },
  { weight: 3, arbitrary: fc.integer({ min: parseIsoDay('2018-01-01'), max: parseIsoDay('2026-12-31') }) },
);

type TemporalShape = 'date' | 'dateTime' | 'lateEvening' | 'earlyMorning' | 'utc' | 'month' | 'year';
const temporalShapeArb = fc.constantFrom<TemporalShape>(
  'date',
  'dateTime',
  'lateEvening',
  'earlyMorning',
  'utc',
  'month',
  'year',
);

/** A FHIR date/dateTime/instant on `day`; offsets far from UTC show whether the calendar date is read as written. */
function formatTemporal(day: number, shape: TemporalShape): string {
  const date = formatDay(day);
  switch (shape) {
    case 'date':
      return date;
    case 'dateTime':
      return `${date}T10:15:00+01:00`;
    case 'lateEvening':
      return `${date}T23:30:00-05:00`;
    case 'earlyMorning':
      return `${date}T00:30:00+14:00`;
    case 'utc':
      return `${date}T12:00:00.000Z`;
    case 'month':
      return date.slice(0, 7);
    case 'year':
      return date.slice(0, 4);
  }
}

const temporalArb = fc.tuple(clinicalDayArb, temporalShapeArb).map(([day, shape]) => formatTemporal(day, shape));

/** An instant (full date and time with offset), the only shape DiagnosticReport.issued allows. */
function fullInstantArb(): fc.Arbitrary<string> {
  return fc
    .tuple(clinicalDayArb, fc.constantFrom<TemporalShape>('dateTime', 'lateEvening', 'earlyMorning', 'utc'))
    .map(([day, shape]) => formatTemporal(day, shape));
}

/** A Period with ordered sides, either of which may be open (never both). */
const periodArb = fc
  .tuple(clinicalDayArb, clinicalDayArb, temporalShapeArb, temporalShapeArb, fc.constantFrom('both', 'start', 'end'))
  .map(([a, b, startShape, endShape, sides]) => {
    const start = formatTemporal(Math.min(a, b), startShape);
    const end = formatTemporal(Math.max(a, b), endShape);
    return sides === 'both' ? { start, end } : sides === 'start' ? { start } : { end };
  });

type ClinicalTime =
  { kind: 'point'; value: string } | { kind: 'period'; value: { start?: string; end?: string } } | null;
const clinicalTimeArb: fc.Arbitrary<ClinicalTime> = fc.oneof(
  { weight: 5, arbitrary: temporalArb.map((value) => ({ kind: 'point' as const, value })) },
  { weight: 3, arbitrary: periodArb.map((value) => ({ kind: 'period' as const, value })) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const pointTimeArb = fc.option(temporalArb, { freq: 6 });

/** `{ <prefix>DateTime }` or `{ <prefix>Period }` for a choice element, nothing when the time is missing. */
function choiceTime(prefix: string, time: ClinicalTime): Record<string, unknown> {
  if (time === null) {
    return {};
  }
  return time.kind === 'point' ? { [`${prefix}DateTime`]: time.value } : { [`${prefix}Period`]: time.value };
}

const EVALUATION_ANCHORS = ['2024-02-29', '2025-02-28', '2025-03-01', '2024-12-31', '2025-06-15', '2030-02-28'];

/** The day `years` before an ISO day, clamped to the month's end (29 February → 28 February). */
function yearsBefore(iso: string, years: number): number {
  const [year, month, day] = iso.split('-').map(Number);
  return daysFromCivil(year - years, month, Math.min(day, daysInMonth(year - years, month)));
}

// Birth days exactly 18 and 62 years (and a day either side) before each evaluation anchor, so that
// "completed years" boundaries are hit often; partial dates whose days straddle such a boundary.
const BIRTH_ANCHORS = [
  ...EVALUATION_ANCHORS.flatMap((iso) =>
    [18, 62].flatMap((years) => [-1, 0, 1].map((shift) => formatDay(yearsBefore(iso, years) + shift))),
  ),
  '2000-02-29',
  '2004-02-29',
  '1962',
  '1962-05',
  '2006',
  '2006-06',
  '2007-02',
  '2007-06',
  '1963-02',
  '2024',
];
const birthDateArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BIRTH_ANCHORS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: parseIsoDay('1920-01-01'), max: parseIsoDay('2025-12-31') }),
        fc.constantFrom<TemporalShape>('date', 'month', 'year'),
      )
      .map(([day, shape]) => formatTemporal(day, shape)),
  },
);

/** Evaluation dates near leap days and year ends, plus any day of a decade. */
export const evaluationDateArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EVALUATION_ANCHORS) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: parseIsoDay('2020-01-01'), max: parseIsoDay('2030-12-31') }).map(formatDay),
  },
);

const isoDayArb = clinicalDayArb.map(formatDay);

/** A valid CCDL time restriction: one side, or both in order (possibly the same day). */
export const timeRestrictionArb = fc.oneof(
  isoDayArb.map((afterDate) => ({ afterDate })),
  isoDayArb.map((beforeDate) => ({ beforeDate })),
  fc
    .tuple(isoDayArb, isoDayArb)
    .map(([a, b]) => (a <= b ? { afterDate: a, beforeDate: b } : { afterDate: b, beforeDate: a })),
);

// ---------------------------------------------------------------------------------------------------------------
// Data blueprints: patients are referred to by index and resolved when the data set is built.

type ReferenceForm = 'relative' | 'absolute' | 'versioned';
type PatientLink =
  | { kind: 'known'; index: number; form: ReferenceForm }
  | { kind: 'ghost'; index: number }
  | { kind: 'none' }
  | { kind: 'urn' }
  | { kind: 'group' };

const referenceFormArb = fc.constantFrom<ReferenceForm>('relative', 'relative', 'relative', 'absolute', 'versioned');
const patientLinkArb: fc.Arbitrary<PatientLink> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({ kind: fc.constant('known' as const), index: fc.nat(), form: referenceFormArb }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ghost' as const), index: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.constantFrom<PatientLink>({ kind: 'none' }, { kind: 'urn' }, { kind: 'group' }) },
);

function formatReference(type: string, id: string, form: ReferenceForm): string {
  switch (form) {
    case 'relative':
      return `${type}/${id}`;
    case 'absolute':
      return `https://fhir.example.org/fhir/${type}/${id}`;
    case 'versioned':
      return `${type}/${id}/_history/2`;
  }
}

const codingArb = (system: fc.Arbitrary<string>, codes: readonly string[]) =>
  fc.record({ system, code: fc.constantFrom(...codes) });

const icdSystemArb = fc.constantFrom(SYSTEMS.icd10gm, SYSTEMS.icd10gm, SYSTEMS.icd10gm, LEGACY.icd10gm);
const conditionCodingArb = fc.oneof(
  { weight: 3, arbitrary: codingArb(icdSystemArb, ICD_CODES) },
  { weight: 1, arbitrary: codingArb(fc.constant(SYSTEMS.snomed), SNOMED_DIAGNOSES) },
);

const conditionArb = fc.record({
  link: patientLinkArb,
  codings: fc.array(conditionCodingArb, { minLength: 1, maxLength: 3 }),
  recorded: pointTimeArb,
});

type LabKind = 'hba1c' | 'glucose' | 'covid';
const HBA1C_VALUES = { '%': [5.4, 6.4, 6.5, 7, 7.5, 9.1], 'mmol/mol': [36, 47, 48, 53, 58, 76] } as const;
const GLUCOSE_VALUES = {
  'mg/dL': [70, 99, 100, 126, 200],
  'g/L': [0.7, 1, 1.26, 2],
  'mmol/L': [3.9, 5.5, 7, 11.1],
} as const;

const labQuantityArb = (kind: 'hba1c' | 'glucose') => {
  const pools: Record<string, readonly number[]> = kind === 'hba1c' ? HBA1C_VALUES : GLUCOSE_VALUES;
  return fc
    .tuple(
      fc.constantFrom(...Object.keys(pools)),
      fc.nat(),
      fc.constantFrom('code+unit', 'code+unit', 'code+unit', 'unit-only', 'no-unit', 'no-value', 'non-ucum'),
    )
    .map(([unit, pick, shape]): Record<string, unknown> => {
      const value = pools[unit][pick % pools[unit].length];
      switch (shape) {
        case 'code+unit':
          return { value, unit, system: SYSTEMS.ucum, code: unit };
        case 'unit-only':
          return { value, unit };
        case 'no-unit':
          return { value };
        case 'no-value':
          return { unit, system: SYSTEMS.ucum, code: unit };
        case 'non-ucum':
          return { value, unit: 'Prozent', system: 'http://example.org/units', code: 'Prozent' };
      }
    });
};

const labObservationArb = fc
  .record({
    link: patientLinkArb,
    kind: fc.constantFrom<LabKind>('hba1c', 'hba1c', 'glucose', 'glucose', 'covid'),
    time: clinicalTimeArb,
    hba1c: fc.option(labQuantityArb('hba1c'), { freq: 8 }),
    glucose: fc.option(labQuantityArb('glucose'), { freq: 8 }),
    covid: fc.option(fc.constantFrom('260373001', '260415000'), { freq: 8 }),
  })
  .map(({ link, kind, time, ...values }) => ({ link, kind, time, value: values[kind] }));

const vitalstatusArb = fc.record({ link: patientLinkArb, status: fc.constantFrom('L', 'T', 'X'), time: pointTimeArb });

const SYSTOLIC = [120, 139, 140, 160];
const DIASTOLIC = [80, 89, 90, 100];
const bloodPressureArb = fc.record({
  link: patientLinkArb,
  systolic: present(fc.constantFrom(...SYSTOLIC), 90),
  diastolic: present(fc.constantFrom(...DIASTOLIC), 80),
  unit: fc.constantFrom('mm[Hg]', 'mm[Hg]', 'kPa'),
  time: clinicalTimeArb,
});
const bodyWeightArb = fc.record({
  link: patientLinkArb,
  weight: fc.constantFrom({ value: 70, unit: 'kg' }, { value: 70000, unit: 'g' }, { value: 90, unit: 'kg' }),
  time: clinicalTimeArb,
});

const causeOfDeathArb = fc.record({
  link: patientLinkArb,
  category: fc.constantFrom({ system: SYSTEMS.snomed, code: '16100001' }, { system: SYSTEMS.loinc, code: '79378-6' }),
  cause: fc.constantFrom('I21.9', 'C50.9', 'J45.0'),
  onset: clinicalTimeArb,
});

const molGenReportArb = fc.record({ link: patientLinkArb, issued: present(fullInstantArb(), 85) });

const procedureArb = fc.record({
  link: patientLinkArb,
  codings: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: codingArb(fc.constantFrom(SYSTEMS.ops, SYSTEMS.ops, LEGACY.ops), OPS_CODES) },
      { weight: 1, arbitrary: codingArb(fc.constant(SYSTEMS.snomed), SNOMED_PROCEDURES) },
    ),
    { minLength: 1, maxLength: 2 },
  ),
  surgical: fc.boolean(),
  time: clinicalTimeArb,
});

const medicationArb = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: codingArb(fc.constantFrom(SYSTEMS.atc, SYSTEMS.atc, LEGACY.atc), ATC_CODES) },
    { weight: 1, arbitrary: codingArb(fc.constant(WHO_ATC), ATC_CODES) },
  ),
  { minLength: 1, maxLength: 2 },
);

type MedicationChoice =
  | { kind: 'reference'; index: number; form: ReferenceForm }
  | { kind: 'missing' }
  | { kind: 'inline'; codings: Array<{ system: string; code: string }> };
const medicationChoiceArb: fc.Arbitrary<MedicationChoice> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('reference' as const), index: fc.nat(), form: referenceFormArb }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('inline' as const), codings: medicationArb }) },
);

const medicationUseArb = fc.record({
  type: fc.constantFrom('MedicationAdministration', 'MedicationRequest', 'MedicationStatement'),
  link: patientLinkArb,
  medication: medicationChoiceArb,
  time: clinicalTimeArb,
});

type SpecimenDiagnosis = { kind: 'own' | 'any'; index: number } | { kind: 'missing' } | null;
const specimenArb = fc.record({
  link: patientLinkArb,
  type: fc.constantFrom(...SPECIMEN_TYPES),
  diagnosis: fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom<'own' | 'any'>('own', 'any'), index: fc.nat() }) },
    { weight: 1, arbitrary: fc.constantFrom<SpecimenDiagnosis>({ kind: 'missing' }, null) },
  ),
  time: clinicalTimeArb,
  bodySite: fc.option(
    fc.oneof(
      codingArb(fc.constant(SYSTEMS.icdO3), ['C50.9', 'C44.6']),
      codingArb(fc.constant(SYSTEMS.snomed), ['789218009']),
    ),
  ),
});

const consentArb = fc.record({
  link: patientLinkArb,
  dateTime: pointTimeArb,
  provisions: fc.array(
    fc.record({
      type: fc.constantFrom('permit', 'permit', 'permit', 'deny'),
      codes: fc.array(fc.constantFrom(...POLICY_SUFFIXES), { minLength: 1, maxLength: 2 }),
    }),
    { maxLength: 7 },
  ),
});

const encounterArb = fc.record({
  link: patientLinkArb,
  class: fc.constantFrom(...ENCOUNTER_CLASSES),
  serviceType: fc.option(fc.constantFrom(...FACHABTEILUNG)),
  kontaktebene: fc.option(fc.constantFrom(...KONTAKTEBENE), { freq: 4 }),
  kontaktart: fc.boolean(),
  period: fc.option(periodArb, { freq: 6 }),
});

const patientArb = fc.record({
  gender: fc.option(fc.constantFrom('male', 'female', 'other', 'unknown'), { freq: 8 }),
  birthDate: fc.option(birthDateArb, { freq: 8 }),
});

// 'medium' size so that most worlds hold dozens of resources, enough for criteria to meet and miss each other.
const many = <T>(arbitrary: fc.Arbitrary<T>, maxLength: number, minLength = 0) =>
  fc.array(arbitrary, { minLength, maxLength, size: 'medium' });

const blueprintArb = fc.record({
  patients: many(patientArb, 40, 1),
  conditions: many(conditionArb, 60),
  labs: many(labObservationArb, 50),
  vitalstatus: many(vitalstatusArb, 10),
  bloodPressures: many(bloodPressureArb, 20),
  bodyWeights: many(bodyWeightArb, 10),
  causesOfDeath: many(causeOfDeathArb, 8),
  molGenReports: many(molGenReportArb, 8),
  procedures: many(procedureArb, 30),
  medications: many(medicationArb, 8),
  medicationUses: many(medicationUseArb, 40),
  specimens: many(specimenArb, 20),
  consents: many(consentArb, 25),
  encounters: many(encounterArb, 30),
});
type Blueprint = typeof blueprintArb extends fc.Arbitrary<infer T> ? T : never;

/** Turns a blueprint into resources with unique ids per type; patient indexes wrap around the patient list. */
function buildDataSet(blueprint: Blueprint): FhirResource[] {
  const patientCount = blueprint.patients.length;
  const patientId = (index: number): string => `pat-${index % patientCount}`;
  const subject = (link: PatientLink): { reference: string } | undefined => {
    switch (link.kind) {
      case 'known':
        return { reference: formatReference('Patient', patientId(link.index), link.form) };
      case 'ghost':
        return { reference: `Patient/ghost-${link.index}` };
      case 'none':
        return undefined;
      case 'urn':
        return { reference: 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427' };
      case 'group':
        return { reference: 'Group/cohort-1' };
    }
  };
  const withSubject = (link: PatientLink, key = 'subject'): Record<string, unknown> => {
    const reference = subject(link);
    return reference === undefined ? {} : { [key]: reference };
  };
  const resources: FhirResource[] = blueprint.patients.map((patient, i) => ({
    resourceType: 'Patient',
    id: `pat-${i}`,
    ...(patient.gender === null ? {} : { gender: patient.gender }),
    ...(patient.birthDate === null ? {} : { birthDate: patient.birthDate }),
  }));

  const conditions = blueprint.conditions.map((condition, i) => ({
    resource: {
      resourceType: 'Condition',
      id: `cond-${i}`,
      code: { coding: condition.codings },
      ...withSubject(condition.link),
      ...(condition.recorded === null ? {} : { recordedDate: condition.recorded }),
    },
    link: condition.link,
  }));
  resources.push(...conditions.map((c) => c.resource));

  blueprint.labs.forEach((lab, i) => {
    const code = { hba1c: '4548-4', glucose: '2339-0', covid: '94500-6' }[lab.kind];
    let value: Record<string, unknown> = {};
    if (typeof lab.value === 'string') {
      value = { valueCodeableConcept: { coding: [{ system: SYSTEMS.snomed, code: lab.value }] } };
    } else if (lab.value !== null) {
      value = { valueQuantity: lab.value };
    }
    resources.push({
      resourceType: 'Observation',
      id: `lab-${i}`,
      status: 'final',
      code: { coding: [{ system: SYSTEMS.loinc, code }] },
      ...withSubject(lab.link),
      ...choiceTime('effective', lab.time),
      ...value,
    });
  });

  blueprint.vitalstatus.forEach((observation, i) => {
    resources.push({
      resourceType: 'Observation',
      id: `vital-${i}`,
      status: 'final',
      code: { coding: [{ system: SYSTEMS.loinc, code: '67162-8' }] },
      ...withSubject(observation.link),
      ...(observation.time === null ? {} : { effectiveDateTime: observation.time }),
      valueCodeableConcept: { coding: [{ system: SYSTEMS.vitalstatus, code: observation.status }] },
    });
  });

  blueprint.bloodPressures.forEach((observation, i) => {
    const component = (loinc: string, value: number | null) =>
      value === null
        ? []
        : [
            {
              code: { coding: [{ system: SYSTEMS.loinc, code: loinc }] },
              // 1 mm[Hg] = 0.133322 kPa; rounded so that kPa values sit near, not on, the mm[Hg] bounds.
              valueQuantity: ucumQuantity(
                observation.unit === 'kPa' ? Math.round(value * 13.3322) / 100 : value,
                observation.unit,
              ),
            },
          ];
    resources.push({
      resourceType: 'Observation',
      id: `bp-${i}`,
      status: 'final',
      code: {
        coding: [
          { system: SYSTEMS.loinc, code: '85354-9' },
          { system: SYSTEMS.snomed, code: '75367002' },
        ],
      },
      ...withSubject(observation.link),
      ...choiceTime('effective', observation.time),
      component: [...component('8480-6', observation.systolic), ...component('8462-4', observation.diastolic)],
    });
  });

  blueprint.bodyWeights.forEach((observation, i) => {
    resources.push({
      resourceType: 'Observation',
      id: `weight-${i}`,
      status: 'final',
      code: { coding: [{ system: SYSTEMS.loinc, code: '29463-7' }] },
      ...withSubject(observation.link),
      ...choiceTime('effective', observation.time),
      valueQuantity: ucumQuantity(observation.weight.value, observation.weight.unit),
    });
  });

  blueprint.causesOfDeath.forEach((death, i) => {
    resources.push({
      resourceType: 'Condition',
      id: `death-${i}`,
      category: [{ coding: [death.category] }],
      code: { coding: [{ system: SYSTEMS.icd10who, code: death.cause }] },
      ...withSubject(death.link),
      ...choiceTime('onset', death.onset),
    });
  });

  blueprint.molGenReports.forEach((report, i) => {
    resources.push({
      resourceType: 'DiagnosticReport',
      id: `molgen-${i}`,
      status: 'final',
      code: { coding: [{ system: SYSTEMS.loinc, code: '51969-4' }] },
      ...withSubject(report.link),
      ...(report.issued === null ? {} : { issued: report.issued }),
    });
  });

  blueprint.procedures.forEach((procedure, i) => {
    resources.push({
      resourceType: 'Procedure',
      id: `proc-${i}`,
      status: 'completed',
      code: { coding: procedure.codings },
      ...(procedure.surgical ? { category: { coding: [{ system: SYSTEMS.snomed, code: '387713003' }] } } : {}),
      ...withSubject(procedure.link),
      ...choiceTime('performed', procedure.time),
    });
  });

  blueprint.medications.forEach((codings, i) => {
    resources.push({ resourceType: 'Medication', id: `med-${i}`, code: { coding: codings } });
  });
  blueprint.medicationUses.forEach((use, i) => {
    let medication: Record<string, unknown>;
    const choice = use.medication;
    if (choice.kind === 'inline') {
      medication = { medicationCodeableConcept: { coding: choice.codings } };
    } else if (choice.kind === 'missing' || blueprint.medications.length === 0) {
      medication = { medicationReference: { reference: 'Medication/med-missing' } };
    } else {
      const id = `med-${choice.index % blueprint.medications.length}`;
      medication = { medicationReference: { reference: formatReference('Medication', id, choice.form) } };
    }
    let time: Record<string, unknown>;
    if (use.type === 'MedicationRequest') {
      time = use.time?.kind === 'point' ? { authoredOn: use.time.value } : {};
    } else {
      time = choiceTime('effective', use.time);
    }
    resources.push({
      resourceType: use.type,
      id: `meduse-${i}`,
      status: 'completed',
      ...medication,
      ...withSubject(use.link),
      ...time,
    });
  });

  blueprint.specimens.forEach((specimen, i) => {
    const extension: unknown[] = [];
    const diagnosis = specimen.diagnosis;
    if (diagnosis !== null) {
      let target = 'Condition/cond-missing';
      const own = conditions.filter((c) => sameLink(c.link, specimen.link, patientCount));
      const pool = diagnosis.kind === 'own' ? own : diagnosis.kind === 'any' ? conditions : [];
      if (pool.length > 0) {
        target = `Condition/${pool[diagnosis.kind === 'missing' ? 0 : diagnosis.index % pool.length].resource.id}`;
      }
      extension.push({ url: SPECIMEN_DIAGNOSIS_EXTENSION, valueReference: { reference: target } });
    }
    const collected = choiceTime('collected', specimen.time);
    resources.push({
      resourceType: 'Specimen',
      id: `spec-${i}`,
      ...(extension.length > 0 ? { extension } : {}),
      type: { coding: [{ system: SYSTEMS.snomed, code: specimen.type }] },
      ...withSubject(specimen.link),
      collection: {
        ...collected,
        ...(specimen.bodySite === null ? {} : { bodySite: { coding: [specimen.bodySite] } }),
      },
    });
  });

  blueprint.consents.forEach((consent, i) => {
    const period = { start: '2020-01-01', end: '2050-12-31' };
    resources.push({
      resourceType: 'Consent',
      id: `consent-${i}`,
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
      category: [{ coding: [{ system: SYSTEMS.loinc, code: '57016-8' }] }],
      ...withSubject(consent.link, 'patient'),
      ...(consent.dateTime === null ? {} : { dateTime: consent.dateTime }),
      provision: {
        type: 'deny',
        period,
        ...(consent.provisions.length === 0
          ? {}
          : {
              provision: consent.provisions.map((provision) => ({
                type: provision.type,
                period,
                code: provision.codes.map((suffix) => ({
                  coding: [{ system: SYSTEMS.consentPolicy, code: policyCode(suffix) }],
                })),
              })),
            }),
      },
    });
  });

  blueprint.encounters.forEach((encounter, i) => {
    const types: unknown[] = [];
    if (encounter.kontaktebene !== null) {
      types.push({ coding: [{ system: SYSTEMS.kontaktebene, code: encounter.kontaktebene }] });
    }
    if (encounter.kontaktart) {
      types.push({ coding: [{ system: SYSTEMS.kontaktart, code: 'normalstationaer' }] });
    }
    resources.push({
      resourceType: 'Encounter',
      id: `enc-${i}`,
      status: 'finished',
      class: { system: SYSTEMS.actCode, code: encounter.class },
      ...(types.length > 0 ? { type: types } : {}),
      ...(encounter.serviceType === null
        ? {}
        : { serviceType: { coding: [{ system: SYSTEMS.fachabteilung, code: encounter.serviceType }] } }),
      ...withSubject(encounter.link),
      ...(encounter.period === null ? {} : { period: encounter.period }),
    });
  });
  return resources;
}

const ucumQuantity = (value: number, code: string) => ({ value, unit: code, system: SYSTEMS.ucum, code });

function sameLink(a: PatientLink, b: PatientLink, patientCount: number): boolean {
  if (a.kind === 'known' && b.kind === 'known') {
    return a.index % patientCount === b.index % patientCount;
  }
  return a.kind === 'ghost' && b.kind === 'ghost' && a.index === b.index;
}

/** A small MII-shaped data set (1–40 patients and their resources), in shuffled order. */
export const miiDataSetArb: fc.Arbitrary<FhirResource[]> = blueprintArb
  .map(buildDataSet)
  .chain((resources) => fc.shuffledSubarray(resources, { minLength: resources.length, maxLength: resources.length }));

// ---------------------------------------------------------------------------------------------------------------
// Queries

const miiContext = (code: string) => ({ system: SYSTEMS.mii, code, display: code });
const attribute = (code: string) => ({ system: SYSTEMS.structureDefinition, code });
const optionalTimeArb = present(timeRestrictionArb, 50);

/** Drops keys whose value is null, so optional CCDL properties are absent rather than null. */
function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}

const comparatorArb = fc.constantFrom('gt', 'ge', 'lt', 'le', 'eq', 'ne');

/** A quantity filter whose bounds come from `values`, with a unit drawn from `units` (undefined = no unit). */
function quantityFilterArb(values: readonly number[], units: ReadonlyArray<string | undefined>) {
  const unitArb = fc.constantFrom(...units).map((code) => (code === undefined ? {} : { unit: { code } }));
  return fc.oneof(
    fc
      .record({ comparator: comparatorArb, value: fc.constantFrom(...values), unit: unitArb })
      .map(({ unit, ...rest }) => ({ type: 'quantity-comparator' as const, ...rest, ...unit })),
    fc
      .record({ a: fc.constantFrom(...values), b: fc.constantFrom(...values), unit: unitArb })
      .map(({ a, b, unit }) => ({
        type: 'quantity-range' as const,
        minValue: Math.min(a, b),
        maxValue: Math.max(a, b),
        ...unit,
      })),
  );
}

/** A lab quantity filter; mostly a unit and a bound from the data's own pool for that unit, so boundaries meet. */
function labQuantityFilterArb(pools: Readonly<Record<string, readonly number[]>>) {
  const all = Object.values(pools).flat();
  return fc
    .constantFrom<string | undefined>(...Object.keys(pools), ...Object.keys(pools), 'mg/dL', '%', undefined)
    .chain((unit) => quantityFilterArb(unit !== undefined && unit in pools ? pools[unit] : all, [unit]));
}

const genderCriterionArb = fc.record({
  context: fc.constant(miiContext('Patient')),
  termCodes: fc.constantFrom(
    [{ system: SYSTEMS.snomed, code: '263495000' }],
    [{ system: SYSTEMS.loinc, code: 'LL2191-6' }],
  ),
  valueFilter: fc
    .subarray(['male', 'female', 'other', 'unknown'], { minLength: 1, maxLength: 2 })
    .map((codes) => ({ type: 'concept', selectedConcepts: codes.map((code) => ({ system: GENDER_SYSTEM, code })) })),
});

const ageCriterionArb = fc
  .record({
    unit: fc.constantFrom<string | undefined>('a', 'a', 'mo', undefined, 'wk', 'd', 'h'),
    filter: present(fc.nat(), 90),
  })
  .chain(({ unit, filter }) => {
    const values =
      unit === 'mo'
        ? [0, 1, 6, 12, 215, 216, 217, 743, 744, 745]
        : unit === 'wk' || unit === 'd'
          ? [0, 7, 365, 6574, 6575]
          : [0, 1, 17, 18, 19, 61, 62, 63, 100];
    return fc.record({
      context: fc.constant(miiContext('Patient')),
      termCodes: fc.constant([{ system: SYSTEMS.snomed, code: '424144002' }]),
      valueFilter: filter === null ? fc.constant(null) : quantityFilterArb(values, [unit]),
    });
  })
  .map(compact);

const icdTermCodeArb = fc.record({ system: icdSystemArb, code: fc.constantFrom(...ICD_QUERY_CODES) });
const diagnoseTermCodeArb = fc.oneof(
  { weight: 4, arbitrary: icdTermCodeArb },
  { weight: 1, arbitrary: codingArb(fc.constant(SYSTEMS.snomed), SNOMED_DIAGNOSES) },
);
const diagnoseCriterionArb = fc
  .record({
    context: present(fc.constant(miiContext('Diagnose')), 85),
    termCodes: fc.array(diagnoseTermCodeArb, { minLength: 1, maxLength: 2 }),
    timeRestriction: optionalTimeArb,
  })
  .map(compact);

const labCriterionArb = fc
  .constantFrom('4548-4', '2339-0', '94500-6')
  .chain((code) =>
    fc.record({
      context: fc.constant(miiContext('Laboruntersuchung')),
      termCodes: fc.constant([{ system: SYSTEMS.loinc, code }]),
      valueFilter: fc.option<Record<string, unknown>>(
        code === '94500-6'
          ? fc.subarray(['260373001', '260415000'], { minLength: 1 }).map((codes) => ({
              type: 'concept',
              selectedConcepts: codes.map((c) => ({ system: SYSTEMS.snomed, code: c })),
            }))
          : labQuantityFilterArb(code === '4548-4' ? HBA1C_VALUES : GLUCOSE_VALUES),
        { freq: 6 },
      ),
      timeRestriction: optionalTimeArb,
    }),
  )
  .map(compact);

const procedureCriterionArb = fc
  .record({
    context: fc.constantFrom(miiContext('Procedure'), miiContext('Procedure'), miiContext('Procedure Category')),
    termCodes: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: codingArb(fc.constantFrom(SYSTEMS.ops, LEGACY.ops), OPS_QUERY_CODES) },
        { weight: 1, arbitrary: codingArb(fc.constant(SYSTEMS.snomed), SNOMED_PROCEDURES) },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    timeRestriction: optionalTimeArb,
  })
  .map(compact);

const medicationCriterionArb = fc
  .record({
    context: fc
      .constantFrom('Medikamentenverabreichung', 'Medikamentenanordnung', 'Medikamentenverordnung')
      .map(miiContext),
    termCodes: fc.array(codingArb(fc.constantFrom(SYSTEMS.atc, SYSTEMS.atc, LEGACY.atc), ATC_CODES), {
      minLength: 1,
      maxLength: 2,
    }),
    timeRestriction: optionalTimeArb,
  })
  .map(compact);

const nestedDiagnoseArb = fc
  .record({
    context: fc.constant(miiContext('Diagnose')),
    termCodes: fc.array(icdTermCodeArb, { minLength: 1, maxLength: 2 }),
    timeRestriction: present(timeRestrictionArb, 40),
  })
  .map(compact);

const specimenCriterionArb = fc
  .record({
    context: fc.constant(miiContext('Specimen')),
    termCodes: fc.array(codingArb(fc.constant(SYSTEMS.snomed), SPECIMEN_TYPES), { minLength: 1, maxLength: 2 }),
    diagnosis: present(fc.array(nestedDiagnoseArb, { minLength: 1, maxLength: 2 }), 60),
    bodySite: present(fc.subarray(['C50.9', 'C44.6'], { minLength: 1 }), 20),
    timeRestriction: optionalTimeArb,
  })
  .map(({ diagnosis, bodySite, ...rest }) => {
    const attributeFilters: unknown[] = [];
    if (diagnosis !== null) {
      attributeFilters.push({
        type: 'reference',
        attributeCode: attribute('festgestellteDiagnose'),
        criteria: diagnosis,
      });
    }
    if (bodySite !== null) {
      attributeFilters.push({
        type: 'concept',
        attributeCode: attribute('icd-o-3'),
        selectedConcepts: bodySite.map((code) => ({ system: SYSTEMS.icdO3, code })),
      });
    }
    return compact({ ...rest, attributeFilters: attributeFilters.length > 0 ? attributeFilters : null });
  });

const consentCriterionArb = fc.oneof(
  fc
    .record({
      context: fc.constant(miiContext('Einwilligung')),
      termCodes: fc.array(
        fc
          .constantFrom(...POLICY_SUFFIXES)
          .map((suffix) => ({ system: SYSTEMS.consentPolicy, code: policyCode(suffix) })),
        { minLength: 1, maxLength: 2 },
      ),
      timeRestriction: present(timeRestrictionArb, 8),
    })
    .map(compact),
  fc
    .record({
      context: fc.constant(miiContext('Einwilligung')),
      termCodes: fc
        .constantFrom(
          'yes-yes-no-no',
          'no-yes-no-no',
          'yes-no-no-no',
          'no-no-no-no',
          ...COMBINED_CONSENT_CODES,
          'maybe-yes-no-no',
        )
        .map((code) => [{ system: SYSTEMS.consentCombined, code }]),
      timeRestriction: optionalTimeArb,
    })
    .map(compact),
);

const fallCriterionArb = fc
  .record({
    context: fc.constant(miiContext('Fall')),
    termCodes: fc
      .subarray(ENCOUNTER_CLASSES, { minLength: 1, maxLength: 2 })
      .map((codes) => codes.map((code) => ({ system: SYSTEMS.actCode, code }))),
    kontaktebene: present(fc.subarray(KONTAKTEBENE, { minLength: 1, maxLength: 2 }), 50),
    fachabteilung: present(fc.subarray(FACHABTEILUNG, { minLength: 1, maxLength: 2 }), 35),
    unknownAttribute: present(fc.constant('Unbekannt'), 8),
    timeRestriction: optionalTimeArb,
  })
  .map(({ kontaktebene, fachabteilung, unknownAttribute, ...rest }) => {
    const attributeFilters: unknown[] = [];
    if (kontaktebene !== null) {
      attributeFilters.push({
        type: 'concept',
        attributeCode: attribute('Kontaktebene'),
        selectedConcepts: kontaktebene.map((code) => ({ system: SYSTEMS.kontaktebene, code })),
      });
    }
    if (fachabteilung !== null) {
      attributeFilters.push({
        type: 'concept',
        attributeCode: attribute('Fachabteilungsschluessel'),
        selectedConcepts: fachabteilung.map((code) => ({ system: SYSTEMS.fachabteilung, code })),
      });
    }
    if (unknownAttribute !== null) {
      attributeFilters.push({
        type: 'concept',
        attributeCode: attribute(unknownAttribute),
        selectedConcepts: [{ system: SYSTEMS.kontaktebene, code: 'einrichtungskontakt' }],
      });
    }
    return compact({ ...rest, attributeFilters: attributeFilters.length > 0 ? attributeFilters : null });
  });

const vitalstatusCriterionArb = fc
  .record({
    context: fc.constant(miiContext('Vitalstatus')),
    termCodes: fc.constant([{ system: SYSTEMS.loinc, code: '67162-8' }]),
    valueFilter: fc.option(
      fc.subarray(['L', 'T', 'X'], { minLength: 1, maxLength: 2 }).map((codes) => ({
        type: 'concept',
        selectedConcepts: codes.map((code) => ({ system: SYSTEMS.vitalstatus, code })),
      })),
      { freq: 5 },
    ),
    timeRestriction: present(timeRestrictionArb, 40),
  })
  .map(compact);

const vitaldatenCriterionArb = fc.oneof(
  fc
    .record({
      context: fc.constant(miiContext('Vitaldaten')),
      termCodes: fc.constant([{ system: SYSTEMS.loinc, code: '85354-9' }]),
      component: fc.constantFrom({ code: '8480-6', values: SYSTOLIC }, { code: '8462-4', values: DIASTOLIC }),
      unit: fc.constantFrom<string | undefined>('mm[Hg]', 'mm[Hg]', 'kPa', undefined),
      timeRestriction: optionalTimeArb,
    })
    .chain(({ component: { code, values }, unit, ...rest }) =>
      present(
        quantityFilterArb(unit === 'kPa' ? values.map((v) => Math.round(v * 13.3322) / 100) : values, [unit]),
        85,
      ).map((filter) =>
        compact({
          ...rest,
          attributeFilters: filter === null ? null : [{ ...filter, attributeCode: { system: SYSTEMS.loinc, code } }],
        }),
      ),
    ),
  fc
    .record({
      context: fc.constant(miiContext('Vitaldaten')),
      termCodes: fc.constant([{ system: SYSTEMS.loinc, code: '29463-7' }]),
      valueFilter: present(labQuantityFilterArb({ kg: [70, 90], g: [70000, 90000] }), 85),
      timeRestriction: optionalTimeArb,
    })
    .map(compact),
);

const causeOfDeathCriterionArb = fc
  .record({
    context: fc.constant(miiContext('Todesursache')),
    termCodes: fc.constantFrom(
      [{ system: SYSTEMS.snomed, code: '16100001' }],
      [{ system: SYSTEMS.loinc, code: '79378-6' }],
    ),
    cause: present(fc.subarray(['I21.9', 'C50.9', 'J45.0', 'I21'], { minLength: 1, maxLength: 2 }), 70),
    timeRestriction: optionalTimeArb,
  })
  .map(({ cause, ...rest }) =>
    compact({
      ...rest,
      attributeFilters:
        cause === null
          ? null
          : [
              {
                type: 'concept',
                attributeCode: attribute('icd10-who'),
                selectedConcepts: cause.map((code) => ({ system: SYSTEMS.icd10who, code })),
              },
            ],
    }),
  );

const molGenCriterionArb = fc
  .record({
    context: fc.constant(miiContext('Molekulargenetischer Befundbericht')),
    termCodes: fc.constant([{ system: SYSTEMS.loinc, code: '51969-4' }]),
    timeRestriction: optionalTimeArb,
  })
  .map(compact);

// Criteria a site cannot fully evaluate: unknown codes, filters the entry cannot read, a time on a timeless entry.
const oddCriterionArb = fc.constantFrom<Record<string, unknown>>(
  { context: miiContext('Diagnose'), termCodes: [{ system: UNKNOWN_SYSTEM, code: 'X1' }] },
  { context: miiContext('Unbekannt'), termCodes: [{ system: SYSTEMS.icd10gm, code: 'E11' }] },
  {
    context: miiContext('Diagnose'),
    termCodes: [
      { system: UNKNOWN_SYSTEM, code: 'X1' },
      { system: SYSTEMS.icd10gm, code: 'E11' },
    ],
  },
  {
    context: miiContext('Diagnose'),
    termCodes: [{ system: SYSTEMS.icd10gm, code: 'E11' }],
    valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 1 },
  },
  {
    context: miiContext('Patient'),
    termCodes: [{ system: SYSTEMS.snomed, code: '263495000' }],
    valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 1, unit: { code: 'a' } },
  },
  {
    context: miiContext('Patient'),
    termCodes: [
      { system: SYSTEMS.snomed, code: '263495000' },
      { system: SYSTEMS.snomed, code: '424144002' },
    ],
    valueFilter: { type: 'quantity-comparator', comparator: 'ge', value: 18, unit: { code: 'a' } },
  },
  {
    context: miiContext('Patient'),
    termCodes: [{ system: SYSTEMS.snomed, code: '424144002' }],
    timeRestriction: { afterDate: '2000-01-01' },
  },
  {
    context: miiContext('Einwilligung'),
    termCodes: [
      { system: SYSTEMS.consentPolicy, code: policyCode(8) },
      { system: SYSTEMS.consentCombined, code: 'yes-yes-no-no' },
    ],
    timeRestriction: { afterDate: '2018-01-01' },
  },
  {
    context: miiContext('Specimen'),
    termCodes: [{ system: SYSTEMS.snomed, code: '122555007' }],
    attributeFilters: [
      {
        type: 'reference',
        attributeCode: attribute('festgestellteDiagnose'),
        criteria: [
          {
            context: miiContext('Diagnose'),
            termCodes: [{ system: SYSTEMS.icd10gm, code: 'E11' }],
            valueFilter: { type: 'quantity-comparator', comparator: 'gt', value: 1 },
          },
          { context: miiContext('Diagnose'), termCodes: [{ system: SYSTEMS.icd10gm, code: 'C50' }] },
        ],
      },
    ],
  },
  {
    context: miiContext('Specimen'),
    termCodes: [{ system: SYSTEMS.snomed, code: '122555007' }],
    attributeFilters: [
      {
        type: 'concept',
        attributeCode: attribute('festgestellteDiagnose'),
        selectedConcepts: [{ system: SYSTEMS.icd10gm, code: 'C50.9' }],
      },
    ],
  },
  {
    context: miiContext('Fall'),
    termCodes: [{ system: SYSTEMS.actCode, code: 'IMP' }],
    attributeFilters: [
      { type: 'quantity-comparator', attributeCode: attribute('Kontaktebene'), comparator: 'gt', value: 1 },
    ],
  },
);

/** One criterion of any MII context, sometimes with unknown codes or filters the mapping cannot read. */
export const criterionArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: genderCriterionArb },
  { weight: 3, arbitrary: ageCriterionArb },
  { weight: 4, arbitrary: diagnoseCriterionArb },
  { weight: 3, arbitrary: labCriterionArb },
  { weight: 2, arbitrary: procedureCriterionArb },
  { weight: 3, arbitrary: medicationCriterionArb },
  { weight: 2, arbitrary: specimenCriterionArb },
  { weight: 3, arbitrary: consentCriterionArb },
  { weight: 2, arbitrary: fallCriterionArb },
  { weight: 1, arbitrary: vitalstatusCriterionArb },
  { weight: 2, arbitrary: vitaldatenCriterionArb },
  { weight: 1, arbitrary: causeOfDeathCriterionArb },
  { weight: 1, arbitrary: molGenCriterionArb },
  { weight: 2, arbitrary: oddCriterionArb },
);

/** A CCDL query over the data pools above; it throws if a generated query does not pass parseStructuredQuery. */
export const miiQueryArb: fc.Arbitrary<StructuredQuery> = fc
  .record({
    inclusionCriteria: fc.array(fc.array(criterionArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    exclusionCriteria: present(
      fc.array(fc.array(criterionArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }),
      50,
    ),
  })
  .map((raw) => {
    const parsed = parseStructuredQuery({ version: 'http://to_be_decided.com/draft-2/schema#', ...compact(raw) });
    if (!parsed.ok) {
      throw new Error(`the query arbitrary produced an invalid query: ${JSON.stringify(parsed.error.issues)}`);
    }
    return parsed.value;
  });

/** Concept trees that override the built-in ICD-10 and (for Specimen) exact-match rules, or none. */
export const conceptTreesArb: fc.Arbitrary<ConceptTree[]> = fc.constantFrom<ConceptTree[]>(
  [],
  [],
  [
    {
      context: { system: SYSTEMS.mii, code: 'Diagnose' },
      system: SYSTEMS.icd10gm,
      children: new Map([
        ['E10-E14', ['E10', 'E11']],
        ['E11', ['E11.9']],
        ['E11.9', ['E11.90']],
      ]),
    },
    {
      context: { system: SYSTEMS.mii, code: 'Specimen' },
      system: SYSTEMS.snomed,
      children: new Map([['119297000', ['122555007', '258580003']]]),
    },
  ],
);
