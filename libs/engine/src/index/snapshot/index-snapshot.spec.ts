import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ConceptTree } from '../../codes/code-hierarchy';
import {
  conceptTreesArb,
  evaluationDateArb,
  miiDataSetArb,
  miiQueryArb,
} from '../../evaluate/__fixtures__/arbitraries';
import { aQuery, condition, context, icd, patient } from '../../evaluate/__fixtures__/builders';
import { evaluateQueryNaively } from '../../evaluate/__fixtures__/reference-evaluator';
import { evaluateQuery } from '../../evaluate/evaluate-query';
import type { FhirResource } from '../../fhirpath/fhir-resource';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../../mapping/default-mapping';
import type { EngineMapping } from '../../mapping/mapping.schema';
import { createIndexBuilder } from '../../site-engine';
import type { CohortKeying } from '../cohort-keying';
import type { PatientIndex } from '../patient-index';
import { loadIndexSnapshot } from './index-snapshot.reader';
import { saveIndexSnapshot } from './index-snapshot.writer';
import { BYTES_PER_ELEMENT, PREFIX_BYTES, SNAPSHOT_MAGIC, padding } from './snapshot-format';

const MAPPINGS: Record<string, EngineMapping> = { default: DEFAULT_MAPPING, upstream: UPSTREAM_COMPATIBLE_MAPPING };
const IDENTITY = { source: 'files-v1', numbering: 'numbers-v1' };
const SAVED_AT = '2025-06-01T00:00:00.000Z';

/** Numbers in order of first request; the key spells out size and member bytes, so equal keys mean equal cohorts. */
function createKeying(): CohortKeying {
  const numbers = new Map<string, number>();
  return {
    patientNumber(id) {
      let number = numbers.get(id);
      if (number === undefined) {
        number = numbers.size * 2 + 1;
        numbers.set(id, number);
      }
      return number;
    },
    keyOf: (members, size) => `${size}:${Buffer.from(members).toString('hex')}`,
  };
}

function build(
  resources: readonly FhirResource[],
  options: { mapping?: EngineMapping; conceptTrees?: ConceptTree[]; cohortKeying?: CohortKeying } = {},
): PatientIndex {
  const builder = createIndexBuilder(options);
  for (const resource of resources) {
    builder.addResource(resource);
  }
  return builder.finish();
}

const SMALL_DATA: FhirResource[] = [
  patient('p1', { gender: 'female', birthDate: '1970-02-03' }),
  patient('p2', { gender: 'male', birthDate: '1990-12-31' }),
  condition('c1', 'p1', ['E11.9'], '2021-04-05'),
  condition('c2', 'p2', ['I10'], '2022-01-01'),
];
const DIABETES = aQuery([[{ context: context('Diagnose'), termCodes: [icd('E11')] }]]);

describe('index snapshots', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'index-snapshot-'));
    file = join(dir, 'index-snapshot');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function saveSmall(): Promise<Buffer> {
    const saved = await saveIndexSnapshot(file, build(SMALL_DATA), { identity: IDENTITY, savedAt: SAVED_AT });
    expect(saved.ok).toBe(true);
    return readFile(file);
  }

  it('gives back an index that answers every query as the built one and the reference evaluator do', async () => {
    await fc.assert(
      fc.asyncProperty(
        miiDataSetArb,
        fc.array(miiQueryArb, { minLength: 1, maxLength: 3 }),
        evaluationDateArb,
        fc.constantFrom('default', 'upstream'),
        conceptTreesArb,
        async (resources, queries, evaluationDate, mappingName, conceptTrees) => {
          const own = file;
          const engine = { mapping: MAPPINGS[mappingName], conceptTrees, cohortKeying: createKeying() };
          const built = build(resources, engine);
          expect((await saveIndexSnapshot(own, built, { identity: IDENTITY, meta: { files: 3 } })).ok).toBe(true);
          const loaded = await loadIndexSnapshot(own, { ...engine, identity: IDENTITY });
          if (!loaded.ok) {
            throw loaded.error;
          }
          expect(loaded.value.meta).toEqual({ files: 3 });
          for (const query of queries) {
            const fromSnapshot = evaluateQuery(loaded.value.index, query, { evaluationDate });
            expect(fromSnapshot).toEqual(evaluateQuery(built, query, { evaluationDate }));
            const naive = evaluateQueryNaively(resources, query, {
              evaluationDate,
              mapping: MAPPINGS[mappingName],
              conceptTrees,
            });
            expect(fromSnapshot.rawCount).toBe(naive.rawCount);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('writes the same bytes again for a loaded index', async () => {
    const first = await saveSmall();
    const loaded = await loadIndexSnapshot(file, { identity: IDENTITY });
    expect(loaded.ok).toBe(true);
    await rm(file);
    expect(
      (
        await saveIndexSnapshot(file, loaded.ok ? loaded.value.index : build([]), {
          identity: IDENTITY,
          savedAt: SAVED_AT,
        })
      ).ok,
    ).toBe(true);
    expect((await readFile(file)).equals(first)).toBe(true);
  });

  it('writes the file 0600 and leaves no temporary file behind, also when replacing a snapshot', async () => {
    await saveSmall();
    await saveSmall();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['index-snapshot']);
  });

  it('reports a missing snapshot', async () => {
    const loaded = await loadIndexSnapshot(file, { identity: IDENTITY });
    expect(loaded.ok ? null : loaded.error.code).toBe('ENGINE_SNAPSHOT_MISSING');
  });

  /** Every region of a snapshot file (prefix, header, each array, each padding, checksum) as [start, end). */
  function regionsOf(bytes: Buffer): Array<[number, number]> {
    const headerLength = bytes.readUInt32LE(SNAPSHOT_MAGIC.length + 4);
    const header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength)) as {
      arrays: Array<{ kind: keyof typeof BYTES_PER_ELEMENT; length: number }>;
    };
    const regions: Array<[number, number]> = [
      [0, SNAPSHOT_MAGIC.length],
      [SNAPSHOT_MAGIC.length, SNAPSHOT_MAGIC.length + 4],
      [SNAPSHOT_MAGIC.length + 4, PREFIX_BYTES],
      [PREFIX_BYTES, PREFIX_BYTES + headerLength],
      [PREFIX_BYTES + headerLength, PREFIX_BYTES + headerLength + padding(headerLength)],
    ];
    let at = regions[regions.length - 1][1];
    for (const array of header.arrays) {
      const length = array.length * BYTES_PER_ELEMENT[array.kind];
      regions.push([at, at + length], [at + length, at + length + padding(length)]);
      at += length + padding(length);
    }
    regions.push([at, at + 32]);
    expect(at + 32).toBe(bytes.length);
    return regions.filter(([from, to]) => to > from);
  }

  /** The first, middle and last byte of every region, and a seeded sample of the rest. */
  function probesOf(bytes: Buffer): number[] {
    const probes = new Set<number>();
    for (const [from, to] of regionsOf(bytes)) {
      probes
        .add(from)
        .add((from + to) >> 1)
        .add(to - 1);
    }
    for (const at of fc.sample(fc.nat({ max: bytes.length - 1 }), { numRuns: 300, seed: 13 })) {
      probes.add(at);
    }
    return [...probes].sort((a, b) => a - b);
  }

  it('refuses a snapshot with a byte changed in any region of the file', async () => {
    const bytes = await saveSmall();
    const versionAt = SNAPSHOT_MAGIC.length;
    for (const at of probesOf(bytes)) {
      const flipped = Buffer.from(bytes);
      flipped[at] ^= 1 << (at % 8);
      await writeFile(file, flipped);
      const loaded = await loadIndexSnapshot(file, { identity: IDENTITY });
      const expected = at >= versionAt && at < versionAt + 4 ? 'ENGINE_SNAPSHOT_VERSION' : 'ENGINE_SNAPSHOT_CORRUPT';
      expect([at, loaded.ok ? 'used' : loaded.error.code]).toEqual([at, expected]);
    }
  }, 60_000);

  it('refuses a snapshot cut short in any region, or with bytes appended', async () => {
    const bytes = await saveSmall();
    for (const length of probesOf(bytes)) {
      await writeFile(file, bytes.subarray(0, length));
      const loaded = await loadIndexSnapshot(file, { identity: IDENTITY });
      expect([length, loaded.ok ? 'used' : loaded.error.code]).toEqual([length, 'ENGINE_SNAPSHOT_CORRUPT']);
    }
    await writeFile(file, Buffer.concat([bytes, Buffer.from([0])]));
    const appended = await loadIndexSnapshot(file, { identity: IDENTITY });
    expect(appended.ok ? 'used' : appended.error.code).toBe('ENGINE_SNAPSHOT_CORRUPT');
  }, 60_000);

  it('refuses another format version, even with a valid checksum', async () => {
    const bytes = await saveSmall();
    bytes.writeUInt32LE(2, SNAPSHOT_MAGIC.length);
    const body = bytes.subarray(0, bytes.length - 32);
    createHash('sha256')
      .update(body)
      .digest()
      .copy(bytes, bytes.length - 32);
    await writeFile(file, bytes);
    const loaded = await loadIndexSnapshot(file, { identity: IDENTITY });
    expect(loaded.ok ? null : loaded.error.code).toBe('ENGINE_SNAPSHOT_VERSION');
    expect(loaded.ok ? null : loaded.error.message).toContain('format version 2');
  });

  it('refuses a snapshot of other data, other patient numbers or another mapping', async () => {
    await saveSmall();
    const codeOf = async (options: Parameters<typeof loadIndexSnapshot>[1]) => {
      const loaded = await loadIndexSnapshot(file, options);
      return loaded.ok ? 'used' : loaded.error.code;
    };
    expect(await codeOf({ identity: IDENTITY })).toBe('used');
    expect(await codeOf({ identity: { ...IDENTITY, source: 'files-v2' } })).toBe('ENGINE_SNAPSHOT_OTHER_DATA');
    expect(await codeOf({ identity: { ...IDENTITY, numbering: 'numbers-v2' } })).toBe('ENGINE_SNAPSHOT_OTHER_NUMBERS');
    expect(await codeOf({ identity: IDENTITY, mapping: UPSTREAM_COMPATIBLE_MAPPING })).toBe(
      'ENGINE_SNAPSHOT_OTHER_CONFIG',
    );
    const tree: ConceptTree = {
      context: context('Diagnose'),
      system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm',
      children: new Map([['E11', ['E11.9']]]),
    };
    expect(await codeOf({ identity: IDENTITY, conceptTrees: [tree] })).toBe('ENGINE_SNAPSHOT_OTHER_CONFIG');
  });

  it('answers from a loaded snapshot with the cohort keying the loader gives', async () => {
    const keying = createKeying();
    const built = build(SMALL_DATA, { cohortKeying: keying });
    expect((await saveIndexSnapshot(file, built, { identity: IDENTITY })).ok).toBe(true);
    const loaded = await loadIndexSnapshot(file, { identity: IDENTITY, cohortKeying: keying });
    expect(loaded.ok && evaluateQuery(loaded.value.index, DIABETES, { evaluationDate: '2025-01-01' })).toMatchObject({
      rawCount: 1,
      cohortKey: evaluateQuery(built, DIABETES, { evaluationDate: '2025-01-01' }).cohortKey,
    });
  });
});
