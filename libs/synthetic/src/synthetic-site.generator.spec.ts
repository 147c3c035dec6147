import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type ParsedResource, allReferences, readSiteFiles, referenceOf } from './__fixtures__/site-reader';
import { SyntheticOptionsError, SyntheticOutputError } from './errors';
import { SYNTHETIC_RESOURCE_TYPES } from './fhir-shapes';
import { splitMedicationPool } from './medication-pool.generator';
import { generateSiteResources, siteSeedKey } from './site-resources.generator';
import type { SyntheticProgress } from './synthetic-options.schema';
import { type SyntheticSummary, generateSyntheticSite } from './synthetic-site.generator';
import { SYSTEM } from './systems';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'fq-synthetic-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const outDir = (name: string): string => path.join(root, name);

function icdCodes(conditions: readonly ParsedResource[], patientId: string): string[] {
  return conditions
    .filter((c) => referenceOf(c.subject) === `Patient/${patientId}`)
    .flatMap((c) => {
      const codings = (c.code as { coding: { system: string; code: string }[] }).coding;
      return codings.filter((x) => x.system === SYSTEM.icd10gm).map((x) => x.code);
    });
}

/** Age in whole years at the reference date 2025-12-31 from a full or partial birthDate. */
function ageOf(patient: ParsedResource): number | undefined {
  return typeof patient.birthDate === 'string' ? 2025 - Number(patient.birthDate.slice(0, 4)) : undefined;
}

/** File name → SHA-256 of its bytes (comparing Buffers with toEqual would walk every byte). */
function fileDigests(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir).map((name) => [
      name,
      createHash('sha256')
        .update(readFileSync(path.join(dir, name)))
        .digest('hex'),
    ]),
  );
}

describe('generateSyntheticSite with 2,000 patients', () => {
  const PATIENTS = 2000;
  let summary: SyntheticSummary;
  let files: Map<string, ParsedResource[]>;
  const progress: SyntheticProgress[] = [];
  const byType = (type: string): ParsedResource[] => files.get(`${type}.ndjson`) ?? [];

  beforeAll(async () => {
    summary = await generateSyntheticSite({
      patients: PATIENTS,
      seed: 'site-spec',
      outDir: outDir('site-2000'),
      progressEvery: 500,
      onProgress: (p) => progress.push(p),
    });
    files = readSiteFiles(outDir('site-2000'));
  }, 120_000);

  it('writes one NDJSON file per resource type holding only resources of that type', () => {
    expect([...files.keys()]).toEqual(SYNTHETIC_RESOURCE_TYPES.map((t) => `${t}.ndjson`).sort());
    for (const [name, resources] of files) {
      const type = name.replace('.ndjson', '');
      expect(resources.filter((r) => r.resourceType !== type)).toEqual([]);
    }
  });

  it('counts in the summary exactly what the files hold', () => {
    for (const type of SYNTHETIC_RESOURCE_TYPES) {
      expect(summary.resourcesByType[type]).toBe(byType(type).length);
    }
    const total = [...files.values()].reduce((sum, list) => sum + list.length, 0);
    expect(summary.resources).toBe(total);
    expect(summary.patients).toBe(PATIENTS);
    const onDisk = readdirSync(outDir('site-2000')).reduce(
      (sum, name) => sum + readFileSync(path.join(outDir('site-2000'), name)).length,
      0,
    );
    expect(summary.bytes).toBe(onDisk);
    expect(summary.uncompressedBytes).toBe(onDisk);
  });

  it('reports progress in patient order, ending with every patient and resource', () => {
    expect(progress.map((p) => p.patients)).toEqual([500, 1000, 1500, 2000]);
    expect(progress.every((p) => p.patientsTotal === PATIENTS)).toBe(true);
    const last = progress[progress.length - 1];
    expect(last.resources).toBe(summary.resources);
    expect(last.bytes).toBe(summary.bytes);
    expect(progress[1].resources).toBeGreaterThan(progress[0].resources);
  });

  it('writes 12 to 20 resources per patient on average', () => {
    const perPatient = summary.resources / PATIENTS;
    expect(perPatient).toBeGreaterThanOrEqual(12);
    expect(perPatient).toBeLessThanOrEqual(20);
  });

  it('gives every resource a unique id within its type', () => {
    for (const [name, resources] of files) {
      const ids = resources.map((r) => r.id);
      expect({ name, duplicates: ids.length - new Set(ids).size }).toEqual({ name, duplicates: 0 });
    }
  });

  it('resolves every reference to a resource of the site', () => {
    const resources = [...files.values()].flat();
    const known = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    const references: string[] = [];
    resources.forEach((r) => allReferences(r, references));
    expect(references.filter((ref) => !known.has(ref))).toEqual([]);
    const targets = new Set(references.map((ref) => ref.split('/')[0]));
    expect([...targets]).toEqual(
      expect.arrayContaining(['Patient', 'Encounter', 'Condition', 'Medication', 'MedicationRequest']),
    );
  });

  it('gives type 2 diabetes to 5–14 % of adults, more often to older ones', () => {
    const conditions = byType('Condition');
    const diabetic = new Set(
      conditions
        .filter((c) => (c.code as { coding: { code: string }[] }).coding.some((x) => x.code.startsWith('E11')))
        .map((c) => referenceOf(c.subject)),
    );
    const share = (from: number, to: number): number => {
      const group = byType('Patient').filter((p) => {
        const age = ageOf(p);
        return age !== undefined && age >= from && age < to;
      });
      return group.filter((p) => diabetic.has(`Patient/${p.id}`)).length / group.length;
    };
    expect(share(19, 200)).toBeGreaterThan(0.05);
    expect(share(19, 200)).toBeLessThan(0.14);
    expect(share(66, 200)).toBeGreaterThan(share(19, 50));
    expect(share(0, 17)).toBe(0);
  });

  it('measures higher HbA1c in diabetics, in % and sometimes in mmol/mol', () => {
    const conditions = byType('Condition');
    const hba1c = byType('Observation').filter((o) => {
      const code = (o.code as { coding: { code: string }[] }).coding[0].code;
      return code === '4548-4' || code === '59261-8';
    });
    const percent = (o: ParsedResource): number => {
      const quantity = o.valueQuantity as { value: number; code: string };
      return quantity.code === '%' ? quantity.value : quantity.value / 10.929 + 2.15;
    };
    const isDiabetic = (o: ParsedResource): boolean => {
      const patientId = (referenceOf(o.subject) ?? '').slice('Patient/'.length);
      return icdCodes(conditions, patientId).some((code) => /^E1[0-4]/.test(code));
    };
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const diabetics = hba1c.filter(isDiabetic).map(percent);
    const others = hba1c.filter((o) => !isDiabetic(o)).map(percent);
    expect(diabetics.length).toBeGreaterThan(20);
    expect(others.length).toBeGreaterThan(5);
    expect(mean(diabetics)).toBeGreaterThan(mean(others) + 1);
    const units = new Set(hba1c.map((o) => (o.valueQuantity as { code: string }).code));
    expect(units).toEqual(new Set(['%', 'mmol/mol']));
  });

  it('draws a German age pyramid with a few partial or missing birth dates and other-gender patients', () => {
    const patients = byType('Patient');
    const ages = patients.map(ageOf).filter((a): a is number => a !== undefined);
    const shareOf = (test: (age: number) => boolean): number => ages.filter(test).length / ages.length;
    expect(shareOf((a) => a < 18)).toBeGreaterThan(0.1);
    expect(shareOf((a) => a < 18)).toBeLessThan(0.25);
    expect(shareOf((a) => a >= 65)).toBeGreaterThan(0.15);
    expect(shareOf((a) => a >= 65)).toBeLessThan(0.32);
    const birthDates = patients.map((p) => p.birthDate);
    expect(birthDates.some((b) => typeof b === 'string' && /^\d{4}$/.test(b))).toBe(true);
    expect(birthDates.filter((b) => b === undefined).length).toBeLessThan(PATIENTS * 0.01);
    const others = patients.filter((p) => p.gender === 'other');
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((p) => JSON.stringify(p._gender).includes('gender-amtlich-de'))).toBe(true);
  });

  it('records a death as deceased[x], a T vital status and mostly a cause of death', () => {
    const deceased = byType('Patient').filter((p) => p.deceasedBoolean === true || p.deceasedDateTime !== undefined);
    expect(deceased.length).toBeGreaterThan(PATIENTS * 0.02);
    const statusT = new Set(
      byType('Observation')
        .filter((o) => JSON.stringify(o.valueCodeableConcept ?? {}).includes('"code":"T"'))
        .map((o) => referenceOf(o.subject)),
    );
    expect(deceased.filter((p) => !statusT.has(`Patient/${p.id}`))).toEqual([]);
    const causes = byType('Condition').filter((c) => c.id.endsWith('-cod'));
    expect(causes.length / deceased.length).toBeGreaterThan(0.7);
  });
});

describe('generateSyntheticSite output', () => {
  it('is byte-identical for the same seed and patient count', async () => {
    await generateSyntheticSite({ patients: 300, seed: 7, outDir: outDir('same-a') });
    await generateSyntheticSite({ patients: 300, seed: '7', outDir: outDir('same-b') });
    expect(fileDigests(outDir('same-b'))).toEqual(fileDigests(outDir('same-a')));
  });

  it('differs for another seed and for another site name', async () => {
    await generateSyntheticSite({ patients: 50, seed: 7, outDir: outDir('seed-7') });
    await generateSyntheticSite({ patients: 50, seed: 8, outDir: outDir('seed-8') });
    await generateSyntheticSite({ patients: 50, seed: 7, site: 'uk-north', outDir: outDir('seed-7-north') });
    const patients = (name: string): string => readFileSync(path.join(outDir(name), 'Patient.ndjson'), 'utf8');
    expect(patients('seed-8')).not.toEqual(patients('seed-7'));
    expect(patients('seed-7-north')).not.toEqual(patients('seed-7'));
  });

  it('writes some Medications only after resources that reference them', () => {
    const seedKey = siteSeedKey('late-medications');
    const late = new Set(splitMedicationPool(seedKey).late.map((m) => `Medication/${m.id}`));
    const firstReference = new Map<string, number>();
    const writtenAt = new Map<string, number>();
    let index = 0;
    for (const resource of generateSiteResources(seedKey, 300)) {
      for (const ref of allReferences(resource)) {
        if (ref.startsWith('Medication/') && !firstReference.has(ref)) {
          firstReference.set(ref, index);
        }
      }
      if (resource.resourceType === 'Medication') {
        writtenAt.set(`Medication/${resource.id}`, index);
      }
      index++;
    }
    const writtenLate = [...firstReference].filter(([ref, at]) => (writtenAt.get(ref) ?? -1) > at).map(([ref]) => ref);
    expect(writtenLate.length).toBeGreaterThan(0);
    expect(writtenLate.every((ref) => late.has(ref))).toBe(true);
    expect([...firstReference.keys()].every((ref) => writtenAt.has(ref))).toBe(true);
  });

  it('writes gzip files that zlib decompresses to the plain output', async () => {
    const plain = await generateSyntheticSite({ patients: 200, seed: 'gz', outDir: outDir('plain') });
    const zipped = await generateSyntheticSite({ patients: 200, seed: 'gz', outDir: outDir('zipped'), gzip: true });
    expect(readdirSync(outDir('zipped')).every((name) => name.endsWith('.ndjson.gz'))).toBe(true);
    for (const type of SYNTHETIC_RESOURCE_TYPES) {
      const unzipped = gunzipSync(readFileSync(path.join(outDir('zipped'), `${type}.ndjson.gz`)));
      expect(unzipped.equals(readFileSync(path.join(outDir('plain'), `${type}.ndjson`)))).toBe(true);
    }
    expect(zipped.uncompressedBytes).toBe(plain.bytes);
    expect(zipped.bytes).toBeLessThan(plain.bytes / 4);
    expect(zipped.resources).toBe(plain.resources);
  });

  it('replaces the files of an earlier run, compressed or not', async () => {
    const dir = outDir('rerun');
    await generateSyntheticSite({ patients: 20, seed: 1, outDir: dir, gzip: true });
    await generateSyntheticSite({ patients: 10, seed: 1, outDir: dir });
    const names = readdirSync(dir);
    expect(names.filter((name) => name.endsWith('.gz'))).toEqual([]);
    const patients = readSiteFiles(dir).get('Patient.ndjson') ?? [];
    expect(patients).toHaveLength(10);
  });

  it('rejects invalid options with every issue listed and writes nothing', async () => {
    const dir = outDir('never');
    const attempt = generateSyntheticSite({ patients: 0, seed: '', outDir: dir, colour: 'red' } as never);
    await expect(attempt).rejects.toBeInstanceOf(SyntheticOptionsError);
    const error = await attempt.catch((e: unknown) => e);
    expect(error instanceof SyntheticOptionsError ? error.issues.map((i) => i.path).sort() : []).toEqual([
      '(options)',
      'patients',
      'seed',
    ]);
    expect(() => readdirSync(dir)).toThrow();
  });

  it('rejects with SyntheticOutputError when the output directory cannot be created', async () => {
    const blocker = path.join(root, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const attempt = generateSyntheticSite({ patients: 5, seed: 1, outDir: path.join(blocker, 'site') });
    await expect(attempt).rejects.toBeInstanceOf(SyntheticOutputError);
    await expect(attempt).rejects.toMatchObject({ code: 'SYNTHETIC_OUTPUT_FAILED' });
  });
});
