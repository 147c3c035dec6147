import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import { type SyntheticResource } from './fhir-shapes';
import { generatePatientResources } from './patient-resources.generator';
import { hashSeed } from './seeded-random';
import { generateSiteResources } from './site-resources.generator';
import { EXTENSION, SYSTEM } from './systems';

const SEED = hashSeed('patient-spec');
const PATIENTS = 400;

function patientsOf(count: number, seed = SEED): SyntheticResource[] {
  const all: SyntheticResource[] = [];
  for (let n = 1; n <= count; n++) {
    all.push(...generatePatientResources(seed, n));
  }
  return all;
}

const compiled = new Map<string, (resource: unknown) => unknown[]>();

/** Evaluates FHIRPath with the R4 model, as the engine does, so choice elements such as `effective` resolve. */
function evaluate(resource: SyntheticResource, expression: string): unknown[] {
  let fn = compiled.get(expression);
  if (fn === undefined) {
    const compiledExpression = fhirpath.compile(expression, r4Model);
    fn = (value: unknown): unknown[] => compiledExpression(value) as unknown[];
    compiled.set(expression, fn);
  }
  return fn(resource);
}

function codingsOf(resource: SyntheticResource, expression: string): { system?: string; code?: string }[] {
  return evaluate(resource, expression).filter(
    (c): c is { system?: string; code?: string } => typeof c === 'object' && c !== null,
  );
}

function hasCoding(resource: SyntheticResource, expression: string, system: string, code?: string): boolean {
  return codingsOf(resource, expression).some((c) => c.system === system && (code === undefined || c.code === code));
}

const all = patientsOf(PATIENTS);
const ofType = (type: string): SyntheticResource[] => all.filter((r) => r.resourceType === type);
const isTodesursache = (r: SyntheticResource): boolean => hasCoding(r, 'category.coding', SYSTEM.snomed, '16100001');
const isVitalstatus = (r: SyntheticResource): boolean => hasCoding(r, 'code.coding', SYSTEM.loinc, '67162-8');
const VITAL_CODES = ['85354-9', '9279-1', '8867-4', '29463-7', '8302-2'];
const isVitalSign = (r: SyntheticResource): boolean =>
  codingsOf(r, 'code.coding').some((c) => c.system === SYSTEM.loinc && VITAL_CODES.includes(c.code ?? ''));

describe('generatePatientResources', () => {
  it('returns identical resources for the same seed and patient number', () => {
    expect(generatePatientResources(SEED, 17)).toEqual(generatePatientResources(SEED, 17));
  });

  it('returns different patients for different seeds', () => {
    const a = JSON.stringify(generatePatientResources(hashSeed(1), 5));
    const b = JSON.stringify(generatePatientResources(hashSeed(2), 5));
    expect(a).not.toEqual(b);
  });

  it('gives patient k the same data however many patients a site has', () => {
    const ofPatient7 = (patients: number): string[] =>
      [...generateSiteResources(SEED, patients)]
        .filter((r) => r.id === 'p7' || r.id.startsWith('p7-'))
        .map((r) => JSON.stringify(r));
    expect(ofPatient7(8)).toEqual(ofPatient7(30));
    expect(ofPatient7(8).length).toBeGreaterThan(0);
  });

  it('rejects a patient number below 1 or not whole', () => {
    expect(() => generatePatientResources(SEED, 0)).toThrow(RangeError);
    expect(() => generatePatientResources(SEED, 1.5)).toThrow(RangeError);
  });

  it('gives every resource a type and an id that is unique and names its patient', () => {
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const resource of all) {
      const key = `${resource.resourceType}/${resource.id}`;
      if (!/^[A-Z][A-Za-z]+$/.test(resource.resourceType) || !/^p\d+(-[a-z]+(-\d+)?(-icu)?)?$/.test(resource.id)) {
        problems.push(`malformed ${key}`);
      }
      if (ids.has(key)) {
        problems.push(`duplicate ${key}`);
      }
      ids.add(key);
    }
    expect(problems).toEqual([]);
  });

  it('links every clinical resource to its own Patient through subject (Consent through patient)', () => {
    const problems = all
      .filter((resource) => resource.resourceType !== 'Patient')
      .filter((resource) => {
        const link = resource.resourceType === 'Consent' ? 'patient.reference' : 'subject.reference';
        const [target] = evaluate(resource, link);
        return target !== `Patient/${resource.id.split('-')[0]}`;
      })
      .map((resource) => `${resource.resourceType}/${resource.id}`);
    expect(problems).toEqual([]);
  });

  it('writes no narrative text', () => {
    expect(all.some((r) => 'text' in r)).toBe(false);
  });
});

describe('the elements the default mapping reads', () => {
  it('fills Patient.gender always and Patient.birthDate for nearly everyone', () => {
    const patients = ofType('Patient');
    expect(patients).toHaveLength(PATIENTS);
    for (const patient of patients) {
      expect(['female', 'male', 'other']).toContain(evaluate(patient, 'gender')[0]);
    }
    const withBirthDate = patients.filter((p) => evaluate(p, 'birthDate').length === 1);
    expect(withBirthDate.length / PATIENTS).toBeGreaterThan(0.97);
  });

  it('codes each diagnosis with ICD-10-GM in Condition.code.coding and dates it with recordedDate', () => {
    const diagnoses = ofType('Condition').filter((c) => !isTodesursache(c));
    expect(diagnoses.length).toBeGreaterThan(PATIENTS);
    for (const condition of diagnoses) {
      expect(hasCoding(condition, 'code.coding', SYSTEM.icd10gm)).toBe(true);
      expect(evaluate(condition, 'recordedDate')).toHaveLength(1);
    }
    expect(diagnoses.some((c) => hasCoding(c, 'code.coding', SYSTEM.snomed))).toBe(true);
    expect(diagnoses.some((c) => evaluate(c, 'onset').length === 1)).toBe(true);
  });

  it('marks causes of death by category and codes them in WHO ICD-10 with an onset', () => {
    const causes = ofType('Condition').filter(isTodesursache);
    expect(causes.length).toBeGreaterThan(0);
    for (const cause of causes) {
      expect(hasCoding(cause, 'category.coding', SYSTEM.loinc, '79378-6')).toBe(true);
      expect(hasCoding(cause, 'code.coding', SYSTEM.icd10who)).toBe(true);
      expect(evaluate(cause, 'onset')).toHaveLength(1);
    }
  });

  it('gives the vital status as an L or T code with an effective time', () => {
    const statuses = ofType('Observation').filter(isVitalstatus);
    expect(statuses.length).toBeGreaterThan(PATIENTS / 2);
    for (const status of statuses) {
      const codes = codingsOf(status, 'value.ofType(CodeableConcept).coding').map((c) => `${c.system}|${c.code}`);
      expect([`${SYSTEM.vitalstatus}|L`, `${SYSTEM.vitalstatus}|T`]).toContain(codes[0]);
      expect(evaluate(status, 'effective')).toHaveLength(1);
    }
  });

  it('codes lab results in LOINC with an effective time and a quantity or coded value', () => {
    const labs = ofType('Observation').filter((o) => !isVitalstatus(o) && !isVitalSign(o));
    expect(labs.length).toBeGreaterThan(PATIENTS * 2);
    for (const lab of labs) {
      expect(hasCoding(lab, 'code.coding', SYSTEM.loinc)).toBe(true);
      expect(evaluate(lab, 'effective')).toHaveLength(1);
      const quantity = evaluate(lab, 'value.ofType(Quantity)');
      const concept = codingsOf(lab, 'value.ofType(CodeableConcept).coding');
      expect(quantity.length + concept.length).toBe(1);
    }
    const units = new Set(labs.flatMap((l) => evaluate(l, 'value.ofType(Quantity).code')));
    expect([...units]).toEqual(expect.arrayContaining(['%', 'g/dL', 'mg/dL', 'mmol/L']));
  });

  it('gives vital signs a quantity, and blood pressure its systolic and diastolic components', () => {
    const vitals = ofType('Observation').filter(isVitalSign);
    expect(vitals.length).toBeGreaterThan(0);
    const components = ['8480-6', '8462-4'].map(
      (code) =>
        `component.where(code.coding.exists(system = '${SYSTEM.loinc}' and code = '${code}')).value.ofType(Quantity)`,
    );
    const incomplete = vitals.filter((vital) => {
      const values = hasCoding(vital, 'code.coding', SYSTEM.loinc, '85354-9')
        ? components.map((path) => evaluate(vital, path).length)
        : [evaluate(vital, 'value.ofType(Quantity)').length];
      return evaluate(vital, 'effective').length !== 1 || values.some((n) => n !== 1);
    });
    expect(incomplete.map((v) => v.id)).toEqual([]);
  });

  it('codes procedures in OPS with a SNOMED category and a performed time', () => {
    const procedures = ofType('Procedure');
    expect(procedures.length).toBeGreaterThan(0);
    for (const procedure of procedures) {
      expect(hasCoding(procedure, 'code.coding', SYSTEM.ops)).toBe(true);
      expect(hasCoding(procedure, 'category.coding', SYSTEM.snomed)).toBe(true);
      expect(evaluate(procedure, 'performed')).toHaveLength(1);
    }
    expect(procedures.some((p) => evaluate(p, 'performed.ofType(Period)').length === 1)).toBe(true);
  });

  it('names each medication by a Medication reference or, rarely, an inline ATC coding', () => {
    const times: Record<string, string> = {
      MedicationAdministration: 'effective',
      MedicationRequest: 'authoredOn',
      MedicationStatement: 'effective',
    };
    let inline = 0;
    let referenced = 0;
    const problems: string[] = [];
    for (const [type, time] of Object.entries(times)) {
      const resources = ofType(type);
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        const [reference] = evaluate(resource, 'medication.ofType(Reference).reference');
        const atc = codingsOf(resource, 'medication.ofType(CodeableConcept).coding').some(
          (c) => c.system === SYSTEM.atc,
        );
        if (typeof reference === 'string' && /^Medication\/med-[a-z0-9]+$/.test(reference)) {
          referenced++;
        } else if (atc) {
          inline++;
        } else {
          problems.push(`${type}/${resource.id} names no medication`);
        }
        if (evaluate(resource, time).length !== 1) {
          problems.push(`${type}/${resource.id} has no ${time}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(inline).toBeGreaterThan(0);
    expect(inline / (inline + referenced)).toBeLessThan(0.15);
    const openEnded = ofType('MedicationStatement').filter(
      (s) =>
        evaluate(s, 'effective.ofType(Period)').length === 1 &&
        evaluate(s, 'effective.ofType(Period).end').length === 0,
    );
    expect(openEnded.length).toBeGreaterThan(0);
  });

  it('types specimens in SNOMED and points most of them to a Condition of the same patient', () => {
    const specimens = ofType('Specimen');
    expect(specimens.length).toBeGreaterThan(0);
    const conditionIds = new Set(ofType('Condition').map((c) => `Condition/${c.id}`));
    let linked = 0;
    for (const specimen of specimens) {
      expect(hasCoding(specimen, 'type.coding', SYSTEM.snomed)).toBe(true);
      expect(evaluate(specimen, 'collection.collected')).toHaveLength(1);
      const diagnoses = evaluate(
        specimen,
        `extension.where(url = '${EXTENSION.specimenDiagnose}').value.ofType(Reference).reference`,
      );
      for (const diagnosis of diagnoses) {
        linked++;
        expect(conditionIds.has(String(diagnosis))).toBe(true);
        expect(String(diagnosis).startsWith(`Condition/${specimen.id.split('-')[0]}-cond-`)).toBe(true);
      }
    }
    expect(linked / specimens.length).toBeGreaterThan(0.6);
  });

  it('lists consent policy codes in nested permit provisions and dates the consent', () => {
    const consents = ofType('Consent');
    expect(consents.length).toBeGreaterThan(0);
    for (const consent of consents) {
      expect(evaluate(consent, 'provision.type')).toEqual(['deny']);
      const permitted = codingsOf(consent, "provision.provision.where(type = 'permit').code.coding");
      expect(permitted.every((c) => c.system === SYSTEM.consentPolicy)).toBe(true);
      expect(evaluate(consent, 'dateTime')).toHaveLength(1);
      expect(evaluate(consent, 'provision.provision.period.start').length).toBeGreaterThan(0);
    }
    const codes = new Set(
      consents.flatMap((c) =>
        codingsOf(c, "provision.provision.where(type = 'permit').code.coding").map((x) => x.code),
      ),
    );
    expect(codes.has('2.16.840.1.113883.3.1937.777.24.5.3.8')).toBe(true);
    expect(consents.some((c) => evaluate(c, "provision.provision.where(type = 'deny')").length > 0)).toBe(true);
  });

  it('gives each encounter a v3-ActCode class, a period, a department and a contact level and type', () => {
    const encounters = ofType('Encounter');
    const incomplete = encounters.filter((encounter) => {
      const [klass] = codingsOf(encounter, 'class');
      return (
        klass.system !== SYSTEM.actCode ||
        !['IMP', 'AMB', 'SS', 'EMER'].includes(klass.code ?? '') ||
        evaluate(encounter, 'period.start').length !== 1 ||
        !hasCoding(encounter, 'serviceType.coding', SYSTEM.fachabteilung) ||
        !hasCoding(encounter, 'type.coding', SYSTEM.kontaktebene) ||
        !hasCoding(encounter, 'type.coding', SYSTEM.kontaktart)
      );
    });
    expect(incomplete.map((e) => e.id)).toEqual([]);
    expect(encounters.some((e) => hasCoding(e, 'type.coding', SYSTEM.kontaktebene, 'abteilungskontakt'))).toBe(true);
  });

  it('issues molecular genetic reports with LOINC 51969-4', () => {
    // Rare by design: look at more patients than the other tests.
    const reports = patientsOf(1500, hashSeed('reports')).filter((r) => r.resourceType === 'DiagnosticReport');
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) {
      expect(hasCoding(report, 'code.coding', SYSTEM.loinc, '51969-4')).toBe(true);
      expect(evaluate(report, 'issued')).toHaveLength(1);
    }
  });
});
