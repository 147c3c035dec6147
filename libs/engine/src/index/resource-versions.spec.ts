import fc from 'fast-check';
import { ResourceVersions } from './resource-versions';

describe('ResourceVersions', () => {
  it('answers as a Map of Type/id to the last ordinal and outcome would, through every growth', () => {
    const key = fc.tuple(fc.constantFrom('Patient', 'Condition', 'Observation'), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 3 })), { maxLength: 400 }), (puts) => {
        const versions = new ResourceVersions(16);
        const expected = new Map<string, [number, number]>();
        puts.forEach(([[type, id], outcome], ordinal) => {
          const name = `${type}/${id}`;
          const previous = expected.get(name) ?? null;
          const replaced = versions.put(type, id, ordinal, outcome);
          expect(replaced ? [versions.previousOrdinal, versions.previousOutcome] : null).toEqual(previous);
          expected.set(name, [ordinal, outcome]);
        });
        expect(versions.size).toBe(expected.size);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the type apart from the id: Patient/a.b is not Patient.a/b', () => {
    const versions = new ResourceVersions();
    expect(versions.put('Patient', 'a.b', 0, 0)).toBe(false);
    expect(versions.put('Patient.a', 'b', 1, 0)).toBe(false);
    expect(versions.put('Condition', 'a.b', 2, 0)).toBe(false);
    expect(versions.put('Patient', 'a.b', 3, 1)).toBe(true);
    expect([versions.previousOrdinal, versions.previousOutcome]).toEqual([0, 0]);
  });

  it('holds 200,000 distinct uuid-like ids without taking two for one', () => {
    const versions = new ResourceVersions();
    let replaced = 0;
    for (let i = 0; i < 200_000; i++) {
      const id = `${(i * 2654435761) >>> 0}`.padStart(10, '0') + `-4000-8000-${i.toString(16).padStart(12, '0')}`;
      if (versions.put('Observation', id, i, 0)) {
        replaced++;
      }
    }
    expect(replaced).toBe(0);
    expect(versions.size).toBe(200_000);
  });
});
