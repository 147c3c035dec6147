import {
  type AddOutcome,
  DEFAULT_MAPPING,
  type DayRange,
  type FhirResource,
  parseFhirDate,
  parseReference,
  SPECIMEN_DIAGNOSIS_EXTENSION,
  toDayRange,
} from '@fq/engine';
import type { CellValue, ChunkedTableAppender, FlatTableName } from './duckdb-tables';

// Each reader below mirrors one element path of DEFAULT_MAPPING (libs/engine/src/mapping/default-mapping.ts);
// the path is named in the comment so the two can be compared line by line.

/** Interns strings to dense integers, so the flat tables join on INTEGER keys. */
class KeyInterner {
  private readonly keys = new Map<string, number>();

  key(value: string): number {
    let key = this.keys.get(value);
    if (key === undefined) {
      key = this.keys.size;
      this.keys.set(value, key);
    }
    return key;
  }
}

interface FlatCoding {
  system: string;
  code: string;
}

/** The values of `node[key]` as FHIRPath navigation yields them: arrays flattened, nulls dropped. */
function children(node: unknown, key: string): unknown[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    return [];
  }
  const value: unknown = Reflect.get(node, key);
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value.filter((item) => item !== null && item !== undefined) : [value];
}

/** Follows a dotted element path from `node`. */
function elements(node: unknown, path: string): unknown[] {
  let current: unknown[] = [node];
  for (const key of path.split('.')) {
    current = current.flatMap((item) => children(item, key));
  }
  return current;
}

/** The first value of the first choice element present (FHIRPath `effective` = effectiveDateTime | …, in model order). */
function firstChoice(node: unknown, keys: readonly string[]): unknown {
  for (const key of keys) {
    const values = children(node, key);
    if (values.length > 0) {
      return values[0];
    }
  }
  return undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

const aliases: Readonly<Record<string, string>> = DEFAULT_MAPPING.systemAliases;

/** Codings with a code, their system normalised as the mapping's `systemAliases` do. */
function codings(values: unknown[]): FlatCoding[] {
  const result: FlatCoding[] = [];
  for (const value of values) {
    const code = stringOrNull(children(value, 'code')[0]);
    if (code !== null) {
      const system = stringOrNull(children(value, 'system')[0]) ?? '';
      result.push({ system: aliases[system] ?? system, code });
    }
  }
  return result;
}

const OBSERVATION_EFFECTIVE = ['effectiveDateTime', 'effectivePeriod', 'effectiveTiming', 'effectiveInstant'];
const MEDICATION_EFFECTIVE = ['effectiveDateTime', 'effectivePeriod'];
const SPECIMEN_COLLECTED = ['collectedDateTime', 'collectedPeriod'];

/** A clinical time as [start, end] day numbers, or [NULL, NULL] when unreadable (it then never overlaps). */
function timeCells(value: unknown): [CellValue, CellValue] {
  const range: DayRange | null = toDayRange(value);
  return range === null ? [null, null] : [range.start, range.end];
}

const MEDICATION_USE_TIME: Readonly<Record<string, (resource: FhirResource) => unknown>> = {
  // Medikamentenverabreichung `effective`, Medikamentenanordnung `authoredOn`, Medikamentenverordnung `effective`.
  MedicationAdministration: (resource) => firstChoice(resource, MEDICATION_EFFECTIVE),
  MedicationRequest: (resource) => children(resource, 'authoredOn')[0],
  MedicationStatement: (resource) => firstChoice(resource, MEDICATION_EFFECTIVE),
};

/**
 * Flattens FHIR resources into the DuckDB baseline's tables (see FLAT_TABLES); a resource sink for `ingestFhir`.
 * Only the elements the benchmark queries read are kept.
 */
export class FhirFlattener {
  private readonly patients = new KeyInterner();
  private readonly conditions = new KeyInterner();
  private readonly medications = new KeyInterner();

  constructor(private readonly tables: Readonly<Record<FlatTableName, ChunkedTableAppender>>) {}

  addResource(resource: FhirResource): AddOutcome {
    switch (resource.resourceType) {
      case 'Patient':
        return this.addPatient(resource);
      case 'Condition':
        return this.addCondition(resource);
      case 'Observation':
        return this.addObservation(resource);
      case 'Medication':
        return this.addMedication(resource);
      case 'MedicationAdministration':
      case 'MedicationRequest':
      case 'MedicationStatement':
        return this.addMedicationUse(resource);
      case 'Specimen':
        return this.addSpecimen(resource);
      default:
        return 'type-not-mapped';
    }
  }

  /** Rows per table so far. */
  rowCounts(): Record<FlatTableName, number> {
    const t = this.tables;
    return {
      patients: t.patients.rows,
      conditions: t.conditions.rows,
      observations: t.observations.rows,
      medications: t.medications.rows,
      medicationUses: t.medicationUses.rows,
      specimens: t.specimens.rows,
    };
  }

  /** `subject.reference` (or another patient link) → patient key, when it is a `Patient/<id>` reference. */
  private patientOf(resource: FhirResource, link: string): number | null {
    const reference = parseReference(elements(resource, link)[0]);
    return reference === null || reference[0] !== 'Patient' ? null : this.patients.key(reference[1]);
  }

  private addPatient(resource: FhirResource): AddOutcome {
    if (typeof resource.id !== 'string') {
      return 'no-patient';
    }
    // Gender: `gender`; Age: `birthDate`, a partial date covering a range of birth days.
    const birth = parseFhirDate(stringOrNull(children(resource, 'birthDate')[0]) ?? '');
    this.tables.patients.append(
      this.patients.key(resource.id),
      stringOrNull(children(resource, 'gender')[0]),
      birth?.start ?? null,
      birth?.end ?? null,
    );
    return 'indexed';
  }

  private addCondition(resource: FhirResource): AddOutcome {
    // Diagnose: code `code.coding`, time `recordedDate`, patient `subject.reference`.
    const patient = this.patientOf(resource, 'subject.reference');
    if (patient === null) {
      return 'no-patient';
    }
    const condition = typeof resource.id === 'string' ? this.conditions.key(resource.id) : null;
    const [start, end] = timeCells(children(resource, 'recordedDate')[0]);
    const codes = codings(elements(resource, 'code.coding'));
    for (const { system, code } of codes) {
      this.tables.conditions.append(condition, patient, system, code, start, end);
    }
    return codes.length > 0 ? 'indexed' : 'code-not-mapped';
  }

  private addObservation(resource: FhirResource): AddOutcome {
    // Laboruntersuchung: code `code.coding`, value `value.ofType(Quantity)` (first), time `effective`.
    const patient = this.patientOf(resource, 'subject.reference');
    if (patient === null) {
      return 'no-patient';
    }
    const quantity = children(resource, 'valueQuantity')[0];
    const rawValue = children(quantity, 'value')[0];
    const value = typeof rawValue === 'number' ? rawValue : null;
    // The unit is the UCUM `code`, else the display `unit`, as the engine's quantity column reads it.
    const unit =
      value === null
        ? null
        : (stringOrNull(children(quantity, 'code')[0]) ?? stringOrNull(children(quantity, 'unit')[0]));
    const [start, end] = timeCells(firstChoice(resource, OBSERVATION_EFFECTIVE));
    const codes = codings(elements(resource, 'code.coding'));
    for (const { system, code } of codes) {
      this.tables.observations.append(patient, system, code, value, unit, start, end);
    }
    return codes.length > 0 ? 'indexed' : 'code-not-mapped';
  }

  private addMedication(resource: FhirResource): AddOutcome {
    // The codes behind a medication reference: Medication `code.coding`.
    if (typeof resource.id !== 'string') {
      return 'code-not-mapped';
    }
    const medication = this.medications.key(resource.id);
    const codes = codings(elements(resource, 'code.coding'));
    for (const { system, code } of codes) {
      this.tables.medications.append(medication, system, code);
    }
    return codes.length > 0 ? 'indexed' : 'code-not-mapped';
  }

  private addMedicationUse(resource: FhirResource): AddOutcome {
    // Medication contexts: inline `medication.ofType(CodeableConcept).coding` and
    // `medication.ofType(Reference).reference` → Medication `code.coding`.
    const patient = this.patientOf(resource, 'subject.reference');
    if (patient === null) {
      return 'no-patient';
    }
    const reference = parseReference(elements(resource, 'medicationReference.reference')[0]);
    const medication = reference === null || reference[0] !== 'Medication' ? null : this.medications.key(reference[1]);
    const [start, end] = timeCells(MEDICATION_USE_TIME[resource.resourceType](resource));
    const inline = codings(elements(resource, 'medicationCodeableConcept.coding'));
    const kind = resource.resourceType;
    if (inline.length === 0) {
      this.tables.medicationUses.append(patient, kind, medication, null, null, start, end);
    }
    for (const { system, code } of inline) {
      this.tables.medicationUses.append(patient, kind, medication, system, code, start, end);
    }
    return 'indexed';
  }

  private addSpecimen(resource: FhirResource): AddOutcome {
    // Specimen: code `type.coding`, time `collection.collected`, festgestellteDiagnose
    // `extension.where(url = …Diagnose).value.ofType(Reference).reference` → Condition.
    const patient = this.patientOf(resource, 'subject.reference');
    if (patient === null) {
      return 'no-patient';
    }
    const [start, end] = timeCells(firstChoice(children(resource, 'collection')[0], SPECIMEN_COLLECTED));
    const diagnoses: CellValue[] = [];
    for (const extension of children(resource, 'extension')) {
      const url = children(extension, 'url');
      if (url.length !== 1 || url[0] !== SPECIMEN_DIAGNOSIS_EXTENSION) {
        continue;
      }
      for (const value of elements(extension, 'valueReference.reference')) {
        const reference = parseReference(value);
        if (reference !== null && reference[0] === 'Condition') {
          diagnoses.push(this.conditions.key(reference[1]));
        }
      }
    }
    if (diagnoses.length === 0) {
      diagnoses.push(null);
    }
    const codes = codings(elements(resource, 'type.coding'));
    for (const { system, code } of codes) {
      for (const diagnosis of diagnoses) {
        this.tables.specimens.append(patient, system, code, start, end, diagnosis);
      }
    }
    return codes.length > 0 ? 'indexed' : 'code-not-mapped';
  }
}
