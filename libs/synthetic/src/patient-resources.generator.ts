import { REFERENCE_DAY, atMinute, dayNumber, formatDate, formatDateTime, yearOf } from './calendar';
import { type MedicationEntry, medicationId } from './catalogs/atc.catalog';
import { BLOOD_COLLECTION_SITES, SPECIMEN_TYPES, type SpecimenTypeEntry } from './catalogs/biobank.catalog';
import type { ClinicalFlag } from './catalogs/clinical-flags.catalog';
import { CONSENT_DOCUMENT, CONSENT_MODULES } from './catalogs/consent.catalog';
import { KONTAKTART } from './catalogs/encounter.catalog';
import { CAUSES_OF_DEATH, type DiagnosisEntry } from './catalogs/icd10gm.catalog';
import { LAB_TESTS, SARS_COV_2_PCR } from './catalogs/loinc-labs.catalog';
import { procedureCategory } from './catalogs/ops.catalog';
import { type ClinicalPlan, type PlannedEncounter, planClinicalHistory } from './clinical-plan.generator';
import { type Person, completedYears, drawPerson } from './demographics.generator';
import { type SyntheticResource, coding, reference, ucumQuantity } from './fhir-shapes';
import {
  type Build,
  bloodPressure,
  drawBuild,
  heartRate,
  heightAt,
  orderProbability,
  respiratoryRate,
  sampleLab,
  weightAt,
} from './measurement.generator';
import { SeededRandom, type SeedKey, WeightedTable } from './seeded-random';
import { EXTENSION, PATIENT_IDENTIFIER_SYSTEM, PROFILE, SYSTEM, VERSION } from './systems';

const MINUTES_PER_DAY = 1440;
const LAST_MINUTE = atMinute(REFERENCE_DAY, MINUTES_PER_DAY - 1);
const COVID_TESTING_START = dayNumber(2020, 3, 1);
const COVID_SCREENING_END = dayNumber(2023, 4, 7);
const CONSENT_START = dayNumber(2019, 1, 1);
const CONSENT_POLICY_PREFIX = SYSTEM.consentPolicy.slice('urn:oid:'.length);

const SPECIMEN_ALL = new WeightedTable(
  SPECIMEN_TYPES,
  SPECIMEN_TYPES.map((t) => t.weight),
);
const LIQUID_TYPES = SPECIMEN_TYPES.filter((t) => !t.tissue);
const SPECIMEN_LIQUID = new WeightedTable(
  LIQUID_TYPES,
  LIQUID_TYPES.map((t) => t.weight),
);
const CAUSE_TABLE = new WeightedTable(
  CAUSES_OF_DEATH,
  CAUSES_OF_DEATH.map((c) => c.weight),
);
const URINE = '122575003';

const dayOf = (minute: number): number => Math.floor(minute / MINUTES_PER_DAY);
const dateOf = (minute: number): string => formatDate(dayOf(minute));
/** Code-system version of the catalog year in force at a time (ICD-10-GM and OPS are released yearly). */
const catalogVersion = (minute: number): string => String(Math.min(2025, Math.max(2015, yearOf(dayOf(minute)))));

function addYears(dayNo: number, years: number): string {
  const date = formatDate(dayNo);
  const monthDay = date.slice(4) === '-02-29' ? '-02-28' : date.slice(4);
  return `${Number(date.slice(0, 4)) + years}${monthDay}`;
}

interface EmittedCondition {
  id: string;
  entry: DiagnosisEntry;
}

/** Builds every resource of one patient from a finished plan; ids are `p<n>-<kind>-<k>`. */
class PatientEmitter {
  readonly resources: SyntheticResource[] = [];
  readonly patientId: string;
  private readonly subject: { reference: string };
  private readonly counters = new Map<string, number>();
  private readonly conditions: EmittedCondition[] = [];
  /** Flags known by the current encounter: long-term conditions plus every diagnosis so far. */
  private readonly knownFlags: Set<ClinicalFlag>;
  private readonly build: Build;
  private readonly lastMinute: number;

  constructor(
    private readonly random: SeededRandom,
    patientNumber: number,
    private readonly person: Person,
    private readonly plan: ClinicalPlan,
    private readonly deathMinute: number | undefined,
  ) {
    this.patientId = `p${patientNumber}`;
    this.subject = reference('Patient', this.patientId);
    this.build = drawBuild(random, plan.flags);
    this.lastMinute = deathMinute ?? LAST_MINUTE;
    this.knownFlags = new Set(plan.chronicFlags);
  }

  private nextId(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${this.patientId}-${kind}-${n}`;
  }

  /** A random minute in [from, to], never after the patient's last possible minute. */
  private minuteBetween(from: number, to: number): number {
    const upper = Math.min(to, this.lastMinute);
    return upper <= from ? Math.min(from, this.lastMinute) : this.random.int(from, upper);
  }

  private endOf(encounter: PlannedEncounter): number {
    return Math.min(encounter.end ?? LAST_MINUTE, this.lastMinute);
  }

  emitPatient(patientNumber: number): void {
    const { person } = this;
    const patient: SyntheticResource = {
      resourceType: 'Patient',
      id: this.patientId,
      meta: { profile: [PROFILE.patient] },
      identifier: [
        {
          use: 'usual',
          type: { coding: [coding(SYSTEM.identifierType, 'MR')] },
          system: PATIENT_IDENTIFIER_SYSTEM,
          value: String(patientNumber).padStart(8, '0'),
        },
      ],
      gender: person.gender,
    };
    if (person.genderAmtlich !== undefined) {
      const display = person.genderAmtlich === 'D' ? 'divers' : 'unbestimmt';
      patient._gender = {
        extension: [
          { url: EXTENSION.genderAmtlich, valueCoding: coding(SYSTEM.genderAmtlich, person.genderAmtlich, display) },
        ],
      };
    }
    if (person.birthDateText !== undefined) {
      patient.birthDate = person.birthDateText;
    }
    if (this.deathMinute !== undefined) {
      const form = this.random.next();
      if (form < 0.2) {
        patient.deceasedBoolean = true;
      } else {
        patient.deceasedDateTime = form < 0.3 ? dateOf(this.deathMinute) : formatDateTime(this.deathMinute);
      }
    }
    this.resources.push(patient);
  }

  emitEncounter(encounter: PlannedEncounter): void {
    const encounterId = this.nextId('enc');
    const dateOnly = this.random.chance(0.2);
    const stamp = (minute: number): string => (dateOnly ? dateOf(minute) : formatDateTime(minute));
    const period: Record<string, string> = { start: stamp(encounter.start) };
    if (encounter.end !== undefined) {
      period.end = stamp(encounter.end);
    }
    this.resources.push({
      resourceType: 'Encounter',
      id: encounterId,
      meta: { profile: [PROFILE.encounter] },
      status: encounter.end === undefined ? 'in-progress' : 'finished',
      class: coding(SYSTEM.actCode, encounter.kind),
      type: [
        { coding: [coding(SYSTEM.kontaktebene, 'einrichtungskontakt')] },
        { coding: [coding(SYSTEM.kontaktart, KONTAKTART[encounter.kind])] },
      ],
      serviceType: { coding: [coding(SYSTEM.fachabteilung, encounter.department)] },
      subject: this.subject,
      period,
    });

    let icuId: string | undefined;
    if (encounter.icu !== undefined) {
      icuId = `${encounterId}-icu`;
      this.resources.push({
        resourceType: 'Encounter',
        id: icuId,
        meta: { profile: [PROFILE.encounter] },
        status: encounter.end === undefined && encounter.icu.end >= LAST_MINUTE ? 'in-progress' : 'finished',
        class: coding(SYSTEM.actCode, 'IMP'),
        type: [
          { coding: [coding(SYSTEM.kontaktebene, 'abteilungskontakt')] },
          { coding: [coding(SYSTEM.kontaktart, 'intensivstationaer')] },
        ],
        serviceType: { coding: [coding(SYSTEM.fachabteilung, '3600')] },
        subject: this.subject,
        period: { start: formatDateTime(encounter.icu.start), end: formatDateTime(encounter.icu.end) },
        partOf: reference('Encounter', encounterId),
      });
    }

    encounter.flags.forEach((flag) => this.knownFlags.add(flag));
    const encounterConditions = this.emitConditions(encounter, encounterId);
    this.emitProcedures(encounter, encounterId);
    const flags = new Set<ClinicalFlag>([...this.plan.chronicFlags, ...encounter.flags]);
    this.emitLabs(encounter, encounterId, flags);
    this.emitVitalSigns(encounter, encounterId, icuId, flags);
    this.emitMedications(encounter, encounterId);
    const tissueSpecimen = this.emitSpecimens(encounter, encounterId, encounterConditions);
    this.emitMolecularReport(encounter, encounterId, tissueSpecimen);
  }

  private emitConditions(encounter: PlannedEncounter, encounterId: string): EmittedCondition[] {
    const emitted: EmittedCondition[] = [];
    const diagnoses = [encounter.main, ...encounter.secondary];
    for (const entry of diagnoses) {
      const chronic = encounter.chronicCodes.has(entry.code);
      const id = this.nextId('cond');
      const version = catalogVersion(encounter.start);
      const codings = [coding(SYSTEM.icd10gm, entry.code, entry.display, version)];
      if (entry.alphaId !== undefined && this.random.chance(0.7)) {
        codings.push(coding(SYSTEM.alphaId, entry.alphaId, undefined, version));
      }
      if (entry.snomed !== undefined && this.random.chance(0.6)) {
        codings.push(coding(SYSTEM.snomed, entry.snomed));
      }
      const recorded =
        entry === encounter.main ? encounter.start : this.minuteBetween(encounter.start, this.endOf(encounter));
      const condition: SyntheticResource = {
        resourceType: 'Condition',
        id,
        meta: { profile: [PROFILE.diagnose] },
        clinicalStatus: {
          coding: [coding(SYSTEM.conditionClinical, chronic || this.random.chance(0.35) ? 'active' : 'resolved')],
        },
        verificationStatus: { coding: [coding(SYSTEM.conditionVerification, 'confirmed')] },
        code: { coding: codings },
        subject: this.subject,
        encounter: reference('Encounter', encounterId),
      };
      if (this.random.chance(0.35)) {
        const admissionDay = dayOf(encounter.start);
        const onsetDay = chronic
          ? Math.max(this.person.birthDay, admissionDay - this.random.int(30, 3650))
          : Math.max(this.person.birthDay, admissionDay - this.random.int(0, 7));
        condition.onsetDateTime = formatDate(onsetDay);
      }
      condition.recordedDate = this.random.chance(0.7) ? dateOf(recorded) : formatDateTime(recorded);
      this.resources.push(condition);
      const record = { id, entry };
      emitted.push(record);
      this.conditions.push(record);
    }
    return emitted;
  }

  private emitProcedures(encounter: PlannedEncounter, encounterId: string): void {
    const end = this.endOf(encounter);
    for (const entry of encounter.procedures) {
      const category = procedureCategory(entry.code);
      const procedure: SyntheticResource = {
        resourceType: 'Procedure',
        id: this.nextId('proc'),
        meta: { profile: [PROFILE.procedure] },
        status: 'completed',
        category: { coding: [coding(SYSTEM.snomed, category.code, category.display)] },
        code: { coding: [coding(SYSTEM.ops, entry.code, entry.display, catalogVersion(encounter.start))] },
        subject: this.subject,
        encounter: reference('Encounter', encounterId),
      };
      const start = this.minuteBetween(encounter.start, end);
      if (this.random.chance(entry.long === true ? 0.8 : 0.05)) {
        const periodEnd = Math.min(end, start + this.random.int(45, 6 * 60));
        procedure.performedPeriod = { start: formatDateTime(start), end: formatDateTime(Math.max(start, periodEnd)) };
      } else {
        procedure.performedDateTime = formatDateTime(start);
      }
      this.resources.push(procedure);
    }
  }

  private pushLab(encounterId: string, effective: number, code: string, value: Record<string, unknown>): void {
    // No display: lab codes are the bulk of the data and the LOINC code is all a query reads.
    this.resources.push({
      resourceType: 'Observation',
      id: this.nextId('lab'),
      meta: { profile: [PROFILE.observationLab] },
      status: 'final',
      category: [
        {
          coding: [coding(SYSTEM.loinc, '26436-6'), coding(SYSTEM.observationCategory, 'laboratory')],
        },
      ],
      code: { coding: [coding(SYSTEM.loinc, code)] },
      subject: this.subject,
      encounter: reference('Encounter', encounterId),
      effectiveDateTime: formatDateTime(effective),
      issued: formatDateTime(Math.min(LAST_MINUTE, effective + this.random.int(30, 240))),
      ...value,
    });
  }

  private emitLabRound(
    encounter: PlannedEncounter,
    encounterId: string,
    flags: ReadonlySet<ClinicalFlag>,
    at: number,
    inpatient: boolean,
    only?: ReadonlySet<string>,
  ): void {
    const child = encounter.ageYears < 18;
    for (const entry of LAB_TESTS) {
      if (
        only !== undefined
          ? !only.has(entry.code) || !this.random.chance(0.6)
          : !this.random.chance(orderProbability(entry, inpatient, flags))
      ) {
        continue;
      }
      const result = sampleLab(this.random, entry, this.person.gender, child, flags);
      this.pushLab(encounterId, at, result.code, { valueQuantity: ucumQuantity(result.value, result.unit) });
    }
  }

  private emitLabs(encounter: PlannedEncounter, encounterId: string, flags: ReadonlySet<ClinicalFlag>): void {
    const share = { IMP: 0.85, SS: 0.6, EMER: 0.7, AMB: 0.3 }[encounter.kind];
    const end = this.endOf(encounter);
    if (encounter.newborn || !this.random.chance(share)) {
      return;
    }
    const inpatient = encounter.kind !== 'AMB';
    const first = this.minuteBetween(encounter.start + 20, encounter.start + 180);
    this.emitLabRound(encounter, encounterId, flags, Math.min(first, end), inpatient);
    if (encounter.kind === 'IMP' && end - encounter.start >= 3 * MINUTES_PER_DAY && this.random.chance(0.3)) {
      const later = atMinute(
        dayOf(encounter.start) + this.random.int(2, Math.max(2, dayOf(end) - dayOf(encounter.start))),
        6 * 60 + this.random.int(0, 120),
      );
      if (later < end) {
        this.emitLabRound(encounter, encounterId, flags, later, inpatient, FOLLOW_UP_LABS);
      }
    }
    const day = dayOf(encounter.start);
    if (day >= COVID_TESTING_START) {
      const symptomatic = encounter.flags.has('respiratory') && this.random.chance(0.7);
      const screening = encounter.kind === 'IMP' && day < COVID_SCREENING_END && this.random.chance(0.25);
      if (symptomatic || screening) {
        const detected = encounter.flags.has('covid') || this.random.chance(0.03);
        const answer = detected ? SARS_COV_2_PCR.detected : SARS_COV_2_PCR.notDetected;
        this.pushLab(encounterId, Math.min(first, end), SARS_COV_2_PCR.code, {
          valueCodeableConcept: { coding: [coding(SYSTEM.loinc, answer.code, answer.display)] },
        });
      }
    }
  }

  private pushVital(
    profile: string,
    codings: ReturnType<typeof coding>[],
    encounterId: string,
    at: number,
    value: Record<string, unknown>,
  ): void {
    this.resources.push({
      resourceType: 'Observation',
      id: this.nextId('vital'),
      meta: { profile: [profile] },
      status: 'final',
      category: [{ coding: [coding(SYSTEM.observationCategory, 'vital-signs')] }],
      code: { coding: codings },
      subject: this.subject,
      encounter: reference('Encounter', encounterId),
      effectiveDateTime: formatDateTime(at),
      ...value,
    });
  }

  private emitVitalSet(
    encounterId: string,
    at: number,
    ageYears: number,
    flags: ReadonlySet<ClinicalFlag>,
    chances: { hr: number; bp: number; rr: number; weight: number },
    icu: boolean,
  ): void {
    const { random } = this;
    if (random.chance(chances.hr)) {
      this.pushVital(PROFILE.heartRate, HEART_RATE_CODES, encounterId, at, {
        valueQuantity: ucumQuantity(heartRate(random, ageYears, flags, icu), '/min'),
      });
    }
    if (random.chance(chances.bp)) {
      const [systolic, diastolic] = bloodPressure(random, ageYears, flags);
      this.pushVital(PROFILE.bloodPressure, BLOOD_PRESSURE_CODES, encounterId, at, {
        component: [
          { code: { coding: SYSTOLIC_CODES }, valueQuantity: ucumQuantity(systolic, 'mm[Hg]') },
          { code: { coding: DIASTOLIC_CODES }, valueQuantity: ucumQuantity(diastolic, 'mm[Hg]') },
        ],
      });
    }
    if (random.chance(chances.rr)) {
      this.pushVital(PROFILE.respiratoryRate, RESPIRATORY_RATE_CODES, encounterId, at, {
        valueQuantity: ucumQuantity(respiratoryRate(random, ageYears, flags), '/min'),
      });
    }
    if (random.chance(chances.weight)) {
      this.pushVital(PROFILE.bodyWeight, BODY_WEIGHT_CODES, encounterId, at, {
        valueQuantity: ucumQuantity(weightAt(random, this.build, this.person.gender, ageYears), 'kg'),
      });
      if (random.chance(0.6)) {
        this.pushVital(PROFILE.bodyHeight, BODY_HEIGHT_CODES, encounterId, at, {
          valueQuantity: ucumQuantity(heightAt(this.build, this.person.gender, ageYears), 'cm'),
        });
      }
    }
  }

  private emitVitalSigns(
    encounter: PlannedEncounter,
    encounterId: string,
    icuId: string | undefined,
    flags: ReadonlySet<ClinicalFlag>,
  ): void {
    const at = this.minuteBetween(encounter.start + 10, encounter.start + 90);
    if (encounter.newborn) {
      // Birth weight and length, not the first-year medians the growth tables give.
      if (this.random.chance(0.6)) {
        const weight = Math.round((3.4 + 0.5 * this.random.normal()) * 100) / 100;
        this.pushVital(PROFILE.bodyWeight, BODY_WEIGHT_CODES, encounterId, at, {
          valueQuantity: ucumQuantity(Math.max(1.2, weight), 'kg'),
        });
        this.pushVital(PROFILE.bodyHeight, BODY_HEIGHT_CODES, encounterId, at, {
          valueQuantity: ucumQuantity(Math.round(51 + 2.2 * this.random.normal()), 'cm'),
        });
      }
    } else {
      const chances = {
        IMP: { hr: 0.35, bp: 0.4, rr: 0.08, weight: 0.3 },
        SS: { hr: 0.2, bp: 0.3, rr: 0, weight: 0.1 },
        EMER: { hr: 0.5, bp: 0.5, rr: 0.2, weight: 0.05 },
        AMB: { hr: 0.05, bp: 0.12, rr: 0, weight: 0.08 },
      }[encounter.kind];
      this.emitVitalSet(encounterId, at, encounter.ageYears, flags, chances, false);
    }
    if (icuId !== undefined && encounter.icu !== undefined) {
      const icuAt = this.minuteBetween(encounter.icu.start, Math.min(encounter.icu.end, encounter.icu.start + 240));
      const icuChances = { hr: 1, bp: 1, rr: 0.8, weight: 0.4 };
      this.emitVitalSet(icuId, icuAt, encounter.ageYears, flags, icuChances, true);
    }
  }

  private medicationElement(entry: MedicationEntry): Record<string, unknown> {
    // A few resources name the drug inline, which only the default mapping reads.
    return this.random.chance(0.05)
      ? { medicationCodeableConcept: { coding: [coding(SYSTEM.atc, entry.code, entry.display, VERSION.atc)] } }
      : { medicationReference: reference('Medication', medicationId(entry.code)) };
  }

  private emitMedications(encounter: PlannedEncounter, encounterId: string): void {
    const { random } = this;
    // Home medication only for conditions the patient already has, not ones diagnosed years later.
    const chronic = this.plan.chronicMedications.filter((m) => m.indications.some((flag) => this.knownFlags.has(flag)));
    const end = this.endOf(encounter);
    const admissionDay = dayOf(encounter.start);
    if ((encounter.kind === 'IMP' || encounter.kind === 'SS') && chronic.length > 0 && random.chance(0.6)) {
      for (const entry of chronic.slice(0, 4)) {
        const statement: SyntheticResource = {
          resourceType: 'MedicationStatement',
          id: this.nextId('medstat'),
          meta: { profile: [PROFILE.medicationStatement] },
          status: 'active',
          ...this.medicationElement(entry),
          subject: this.subject,
          context: reference('Encounter', encounterId),
        };
        if (random.chance(0.15)) {
          statement.effectiveDateTime = formatDate(admissionDay);
        } else {
          const startDay = Math.max(this.person.birthDay + 1, admissionDay - random.int(30, 2500));
          const period: Record<string, string> = { start: formatDate(startDay) };
          // Long-term medication is often documented without an end.
          if (random.chance(0.45)) {
            period.end = formatDate(Math.min(dayOf(this.lastMinute), admissionDay + random.int(0, 120)));
            statement.status = 'completed';
          }
          statement.effectivePeriod = period;
        }
        if (random.chance(0.005)) {
          statement.status = 'entered-in-error';
        }
        statement.dateAsserted = formatDate(admissionDay);
        this.resources.push(statement);
      }
    }
    if (encounter.kind === 'AMB' && chronic.length > 0 && random.chance(0.25)) {
      this.resources.push({
        resourceType: 'MedicationRequest',
        id: this.nextId('medreq'),
        meta: { profile: [PROFILE.medicationRequest] },
        status: 'active',
        intent: 'order',
        ...this.medicationElement(random.pick(chronic)),
        subject: this.subject,
        encounter: reference('Encounter', encounterId),
        authoredOn: formatDateTime(this.minuteBetween(encounter.start, end)),
      });
    }
    for (const entry of encounter.acuteMedications) {
      const authored = this.minuteBetween(encounter.start + 15, Math.min(end, encounter.start + MINUTES_PER_DAY));
      let requestId: string | undefined;
      if (encounter.kind !== 'EMER') {
        requestId = this.nextId('medreq');
        this.resources.push({
          resourceType: 'MedicationRequest',
          id: requestId,
          meta: { profile: [PROFILE.medicationRequest] },
          status: encounter.end === undefined ? 'active' : 'completed',
          intent: 'order',
          ...this.medicationElement(entry),
          subject: this.subject,
          encounter: reference('Encounter', encounterId),
          authoredOn: formatDateTime(authored),
        });
      }
      if (!random.chance(encounter.kind === 'EMER' ? 0.9 : 0.8)) {
        continue;
      }
      const doses = end - encounter.start > 2 * MINUTES_PER_DAY && random.chance(0.2) ? 2 : 1;
      let at = authored;
      for (let dose = 0; dose < doses; dose++) {
        at = this.minuteBetween(at + 15, Math.min(end, at + (dose === 0 ? 240 : 12 * 60)));
        const administration: SyntheticResource = {
          resourceType: 'MedicationAdministration',
          id: this.nextId('medadm'),
          meta: { profile: [PROFILE.medicationAdministration] },
          status: 'completed',
          ...this.medicationElement(entry),
          subject: this.subject,
          context: reference('Encounter', encounterId),
        };
        if (random.chance(0.4)) {
          administration.effectivePeriod = {
            start: formatDateTime(at),
            end: formatDateTime(Math.min(at + random.int(15, 90), this.lastMinute)),
          };
        } else {
          administration.effectiveDateTime = formatDateTime(at);
        }
        if (requestId !== undefined) {
          administration.request = reference('MedicationRequest', requestId);
        }
        this.resources.push(administration);
      }
    }
  }

  /** Biobank specimens; returns the id of a tissue specimen taken in this encounter, if any. */
  private emitSpecimens(
    encounter: PlannedEncounter,
    encounterId: string,
    encounterConditions: readonly EmittedCondition[],
  ): string | undefined {
    const { random } = this;
    if (encounter.kind !== 'IMP' || encounter.newborn) {
      return undefined;
    }
    const cancer = this.lastCancerCondition();
    if (!random.chance(cancer === undefined ? 0.06 : 0.3)) {
      return undefined;
    }
    let tissueId: string | undefined;
    const count = random.chance(0.35) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const type: SpecimenTypeEntry = cancer === undefined ? SPECIMEN_LIQUID.pick(random) : SPECIMEN_ALL.pick(random);
      const id = this.nextId('spec');
      const collected = this.minuteBetween(
        encounter.start + 30,
        Math.min(this.endOf(encounter), encounter.start + 3 * MINUTES_PER_DAY),
      );
      const collection: Record<string, unknown> = { collectedDateTime: formatDateTime(collected) };
      if (type.tissue && cancer?.entry.topography !== undefined) {
        collection.bodySite = { coding: [coding(SYSTEM.icdO3, cancer.entry.topography)] };
      } else if (!type.tissue && type.code !== URINE) {
        const site = random.pick(BLOOD_COLLECTION_SITES);
        collection.bodySite = { coding: [coding(SYSTEM.snomed, site.code, site.display)] };
      }
      const specimen: SyntheticResource = {
        resourceType: 'Specimen',
        id,
        meta: { profile: [PROFILE.specimen] },
      };
      // Most specimens name the diagnosis they were collected for: one of the same patient's Conditions.
      const diagnosis = type.tissue ? cancer : random.chance(0.85) ? random.pick(encounterConditions) : undefined;
      if (diagnosis !== undefined) {
        specimen.extension = [
          { url: EXTENSION.specimenDiagnose, valueReference: reference('Condition', diagnosis.id) },
        ];
      }
      specimen.status = 'available';
      specimen.type = { coding: [coding(SYSTEM.snomed, type.code, type.display)] };
      specimen.subject = this.subject;
      specimen.collection = collection;
      this.resources.push(specimen);
      if (type.tissue) {
        tissueId = id;
      }
    }
    return tissueId;
  }

  private lastCancerCondition(): EmittedCondition | undefined {
    for (let i = this.conditions.length - 1; i >= 0; i--) {
      if (this.conditions[i].entry.code.startsWith('C')) {
        return this.conditions[i];
      }
    }
    return undefined;
  }

  private emitMolecularReport(encounter: PlannedEncounter, encounterId: string, tissueId: string | undefined): void {
    if (
      encounter.kind !== 'IMP' ||
      this.lastCancerCondition() === undefined ||
      !this.random.chance(tissueId === undefined ? 0.04 : 0.4)
    ) {
      return;
    }
    const effective = this.minuteBetween(encounter.start, this.endOf(encounter));
    const issued = Math.min(LAST_MINUTE, effective + this.random.int(5, 30) * MINUTES_PER_DAY);
    const report: SyntheticResource = {
      resourceType: 'DiagnosticReport',
      id: this.nextId('report'),
      meta: { profile: [PROFILE.molgenReport] },
      status: 'final',
      category: [{ coding: [coding(SYSTEM.diagnosticServiceSection, 'GE', 'Genetics')] }],
      code: { coding: [coding(SYSTEM.loinc, '51969-4', 'Genetic analysis report')] },
      subject: this.subject,
      encounter: reference('Encounter', encounterId),
      effectiveDateTime: formatDateTime(effective),
      issued: formatDateTime(issued),
    };
    if (tissueId !== undefined) {
      report.specimen = [reference('Specimen', tissueId)];
    }
    this.resources.push(report);
  }

  emitConsent(): void {
    const { random } = this;
    const eligible = this.plan.encounters.find(
      (e) => dayOf(e.start) >= CONSENT_START && completedYears(this.person.birthDay, dayOf(e.start)) >= 18,
    );
    if (eligible === undefined || !random.chance(0.45)) {
      return;
    }
    const signed = this.minuteBetween(eligible.start + 60, eligible.start + 8 * 60);
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
    this.resources.push({
      resourceType: 'Consent',
      id: `${this.patientId}-consent`,
      meta: { profile: [PROFILE.consent] },
      status: 'active',
      scope: { coding: [coding(SYSTEM.consentScope, 'research')] },
      category: [
        { coding: [coding(SYSTEM.loinc, CONSENT_DOCUMENT.loincCategory)] },
        { coding: [coding(SYSTEM.consentVersionModules, CONSENT_DOCUMENT.versionModule)] },
      ],
      patient: this.subject,
      dateTime: formatDateTime(signed),
      policy: [{ uri: CONSENT_DOCUMENT.policyUri }],
      provision: {
        type: 'deny',
        period: { start, end: addYears(signedDay, CONSENT_DOCUMENT.validYears) },
        provision: provisions,
      },
    });
  }

  emitVitalStatus(): void {
    const encounters = this.plan.encounters;
    let at: number;
    let code: 'L' | 'T';
    if (this.deathMinute !== undefined) {
      at = this.deathMinute;
      code = 'T';
    } else {
      const last = encounters.at(-1);
      if (last === undefined || !this.random.chance(0.65)) {
        return;
      }
      at = last.end ?? last.start;
      code = 'L';
    }
    this.resources.push({
      resourceType: 'Observation',
      id: `${this.patientId}-vitalstatus`,
      meta: { profile: [PROFILE.vitalstatus] },
      status: 'final',
      category: [{ coding: [coding(SYSTEM.observationCategory, 'survey')] }],
      code: { coding: [coding(SYSTEM.loinc, '67162-8')] },
      subject: this.subject,
      effectiveDateTime: formatDateTime(at),
      valueCodeableConcept: { coding: [coding(SYSTEM.vitalstatus, code)] },
    });
  }

  emitCauseOfDeath(): void {
    const { random } = this;
    if (this.deathMinute === undefined || !random.chance(0.85)) {
      return;
    }
    const categories = new Set(this.conditions.map((c) => c.entry.code.slice(0, 3)));
    const related = CAUSES_OF_DEATH.filter((c) => categories.has(c.code.slice(0, 3)));
    const cause = related.length > 0 && random.chance(0.6) ? random.pick(related) : CAUSE_TABLE.pick(random);
    this.resources.push({
      resourceType: 'Condition',
      id: `${this.patientId}-cod`,
      meta: { profile: [PROFILE.todesursache] },
      clinicalStatus: { coding: [coding(SYSTEM.conditionClinical, 'active')] },
      verificationStatus: { coding: [coding(SYSTEM.conditionVerification, 'confirmed')] },
      category: [
        {
          coding: [
            coding(SYSTEM.snomed, '16100001', 'Death diagnosis'),
            coding(SYSTEM.loinc, '79378-6', 'Cause of death'),
          ],
        },
      ],
      code: { coding: [coding(SYSTEM.icd10who, cause.code, cause.display, VERSION.icd10who)] },
      subject: this.subject,
      onsetDateTime: formatDateTime(this.deathMinute),
      recordedDate: formatDate(Math.min(REFERENCE_DAY, dayOf(this.deathMinute) + random.int(0, 3))),
    });
  }
}

const FOLLOW_UP_LABS: ReadonlySet<string> = new Set(['718-7', '26464-8', '1988-5', '2160-0', '2823-3']);
const HEART_RATE_CODES = [
  coding(SYSTEM.loinc, '8867-4', 'Heart rate'),
  coding(SYSTEM.snomed, '364075005', 'Heart rate'),
];
const BLOOD_PRESSURE_CODES = [
  coding(SYSTEM.loinc, '85354-9', 'Blood pressure panel with all children optional'),
  coding(SYSTEM.snomed, '75367002', 'Blood pressure'),
];
const SYSTOLIC_CODES = [coding(SYSTEM.loinc, '8480-6', 'Systolic blood pressure'), coding(SYSTEM.snomed, '271649006')];
const DIASTOLIC_CODES = [
  coding(SYSTEM.loinc, '8462-4', 'Diastolic blood pressure'),
  coding(SYSTEM.snomed, '271650006'),
];
const RESPIRATORY_RATE_CODES = [
  coding(SYSTEM.loinc, '9279-1', 'Respiratory rate'),
  coding(SYSTEM.snomed, '86290005', 'Respiratory rate'),
];
const BODY_WEIGHT_CODES = [
  coding(SYSTEM.loinc, '29463-7', 'Body weight'),
  coding(SYSTEM.snomed, '27113001', 'Body weight'),
];
const BODY_HEIGHT_CODES = [
  coding(SYSTEM.loinc, '8302-2', 'Body height'),
  coding(SYSTEM.snomed, '1153637007', 'Body height'),
];

/**
 * Generates all resources of patient `patientNumber` (1-based) for a seed: a pure function of its arguments, so a
 * patient's data do not depend on how many patients are generated. Shared Medication resources are not included.
 */
export function generatePatientResources(seedKey: SeedKey, patientNumber: number): SyntheticResource[] {
  if (!Number.isSafeInteger(patientNumber) || patientNumber < 1) {
    throw new RangeError(`patientNumber must be a whole number >= 1, got ${patientNumber}`);
  }
  const random = SeededRandom.forStream(seedKey, patientNumber);
  const person = drawPerson(random);
  const plan = planClinicalHistory(random, person);
  const last = plan.encounters.at(-1);
  let deathMinute: number | undefined;
  if (person.deathDay !== undefined) {
    deathMinute =
      last?.fatal === true && last.end !== undefined
        ? last.end
        : Math.max(atMinute(person.deathDay, random.int(0, MINUTES_PER_DAY - 1)), last?.end ?? 0);
  }
  const emitter = new PatientEmitter(random, patientNumber, person, plan, deathMinute);
  emitter.emitPatient(patientNumber);
  for (const encounter of plan.encounters) {
    emitter.emitEncounter(encounter);
  }
  emitter.emitConsent();
  emitter.emitVitalStatus();
  emitter.emitCauseOfDeath();
  return emitter.resources;
}
