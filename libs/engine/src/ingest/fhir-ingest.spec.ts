import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FhirResource } from '../fhirpath/fhir-resource';
import type { AddOutcome } from '../index/index-builder';
import { createIndexBuilder } from '../site-engine';
import { type IngestProgress, type ResourceSink, ingestFhir } from './fhir-ingest';
import type { IngestIssue } from './ingest-issues';

const MII_KDS = '/work/shared/fixtures/mii-kds';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fhir-ingest-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

const patient = (id: string): string => JSON.stringify({ resourceType: 'Patient', id });

/** A sink that records what it got and answers by resource type. */
function recordingSink(outcomes: Record<string, AddOutcome> = {}): ResourceSink & { received: FhirResource[] } {
  const received: FhirResource[] = [];
  return {
    received,
    addResource(resource) {
      received.push(resource);
      return outcomes[resource.resourceType] ?? 'indexed';
    },
  };
}

describe('ingestFhir', () => {
  it('indexes every MII KDS test bundle with consistent counts', async () => {
    const names = (await fs.readdir(MII_KDS)).filter((name) => name.endsWith('.json'));
    let resources = 0;
    let bytes = 0;
    const patientIds = new Set<string>();
    for (const name of names) {
      const text = await fs.readFile(path.join(MII_KDS, name), 'utf8');
      bytes += Buffer.byteLength(text);
      const bundle = JSON.parse(text) as { entry: Array<{ resource: FhirResource }> };
      resources += bundle.entry.length;
      for (const { resource } of bundle.entry) {
        if (resource.resourceType === 'Patient' && typeof resource.id === 'string') {
          patientIds.add(resource.id);
        }
      }
    }

    const builder = createIndexBuilder();
    const summary = await ingestFhir([MII_KDS], builder);

    expect(summary).toMatchObject({
      files: names.length,
      skippedFiles: 1,
      bytes,
      resources,
      errors: 0,
      errorSamples: [],
    });
    expect(summary.indexed + summary.typeNotMapped + summary.codeNotMapped + summary.noPatient + summary.replaced).toBe(
      resources,
    );
    expect(summary.indexed).toBeGreaterThan(0);
    expect(summary.typeNotMapped).toBeGreaterThan(0);
    const index = builder.finish();
    expect(index.knownPatientCount).toBe(patientIds.size);
  });

  it('counts the sink outcomes', async () => {
    const file = await write(
      'mixed.ndjson',
      [patient('p1'), '{"resourceType":"Observation"}', '{"resourceType":"Basic"}', patient('p2')].join('\n'),
    );
    const sink = recordingSink({ Observation: 'no-patient', Basic: 'type-not-mapped' });
    const summary = await ingestFhir([file], sink);
    expect(summary).toMatchObject({ files: 1, resources: 4, indexed: 2, noPatient: 1, typeNotMapped: 1, errors: 0 });
    expect(summary.byType).toEqual({
      Basic: { read: 1, indexed: 0, typeNotMapped: 1, codeNotMapped: 0, noPatient: 0, replaced: 0 },
      Observation: { read: 1, indexed: 0, typeNotMapped: 0, codeNotMapped: 0, noPatient: 1, replaced: 0 },
      Patient: { read: 2, indexed: 2, typeNotMapped: 0, codeNotMapped: 0, noPatient: 0, replaced: 0 },
    });
    expect(sink.received.map((r) => r.resourceType)).toEqual(['Patient', 'Observation', 'Basic', 'Patient']);
  });

  it('counts every error but keeps only maxErrorSamples samples, and goes on', async () => {
    const lines = ['oops', patient('p1'), '{', '[]', 'null', '"text"', patient('p2')];
    const file = await write('bad.ndjson', lines.join('\n'));
    const seen: IngestIssue[] = [];
    const summary = await ingestFhir([file, path.join(dir, 'missing.ndjson')], recordingSink(), {
      maxErrorSamples: 2,
      onIssue: (issue) => seen.push(issue),
    });
    expect(summary.resources).toBe(2);
    expect(summary.errors).toBe(6);
    expect(seen).toHaveLength(6);
    expect(summary.errorSamples).toEqual([
      expect.objectContaining({ file: path.join(dir, 'missing.ndjson'), code: 'ENGINE_INPUT_UNREADABLE' }),
      expect.objectContaining({ file, line: 1, code: 'ENGINE_INPUT_JSON_INVALID' }),
    ]);
  });

  it('reports progress in resources and bytes, ending at the totals', async () => {
    const a = await write('a.ndjson', Array.from({ length: 25 }, (_, i) => patient(`a${i}`)).join('\n'));
    const b = await write('b.ndjson', Array.from({ length: 10 }, (_, i) => patient(`b${i}`)).join('\n'));
    const totalBytes = (await fs.stat(a)).size + (await fs.stat(b)).size;
    const reports: IngestProgress[] = [];
    await ingestFhir([dir], recordingSink(), {
      onProgress: (p) => reports.push(p),
      progressEveryResources: 10,
      chunkBytes: 64,
    });

    expect(reports.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i].resources).toBeGreaterThanOrEqual(reports[i - 1].resources);
      expect(reports[i].bytesRead).toBeGreaterThanOrEqual(reports[i - 1].bytesRead);
    }
    expect(reports.every((p) => p.totalFiles === 2 && p.totalBytes === totalBytes && p.errors === 0)).toBe(true);
    expect(reports.at(-1)).toMatchObject({ files: 2, resources: 35, bytesRead: totalBytes });
  });

  it('derives duration and throughput from the injected clock', async () => {
    const file = await write('p.ndjson', [patient('p1'), patient('p2'), patient('p3'), patient('p4')].join('\n'));
    const times = [1000, 3000];
    const summary = await ingestFhir([file], recordingSink(), { now: () => times.shift() ?? 3000 });
    expect(summary.durationMs).toBe(2000);
    expect(summary.resourcesPerSecond).toBe(2);
  });

  it('returns an empty summary for no paths', async () => {
    const summary = await ingestFhir([], recordingSink());
    expect(summary).toMatchObject({ files: 0, resources: 0, errors: 0, bytes: 0 });
  });

  it('lets a failing sink fail the ingestion, since that is a bug and not bad input', async () => {
    const file = await write('p.ndjson', patient('p1'));
    const sink: ResourceSink = {
      addResource() {
        throw new Error('the index was already built');
      },
    };
    await expect(ingestFhir([file], sink)).rejects.toThrow('the index was already built');
  });
});
