import fc from 'fast-check';

// Small value pools make duplicates (and so de-duplication) likely; fc.string adds the unexpected.
const system = fc.constantFrom(
  'http://snomed.info/sct',
  'http://loinc.org',
  'http://fhir.de/CodeSystem/bfarm/icd-10-gm',
);
const code = fc.oneof(fc.constantFrom('E11', 'C50', '4548-4', 'female'), fc.string({ minLength: 1, maxLength: 6 }));
const informative = fc.string({ maxLength: 8 });
const comparator = fc.constantFrom('gt', 'ge', 'lt', 'le', 'eq', 'ne');
const number = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const unit = fc.record(
  { code: fc.constantFrom('%', 'mg/dL', 'a', 'Cel'), display: informative },
  { requiredKeys: ['code'] },
);

const DAY_MS = 86_400_000;
const EPOCH_1990 = Date.UTC(1990, 0, 1);
// toISOString is always UTC, so the generated dates do not depend on the local time zone.
const isoDate = fc
  .integer({ min: 0, max: 15_000 })
  .map((day) => new Date(EPOCH_1990 + day * DAY_MS).toISOString().slice(0, 10));

export const termCodeArb = fc.record(
  { system, code, version: informative, display: informative },
  { requiredKeys: ['system', 'code'] },
);

const timeRestrictionArb = fc.oneof(
  isoDate.map((afterDate) => ({ afterDate })),
  isoDate.map((beforeDate) => ({ beforeDate })),
  fc
    .tuple(isoDate, isoDate)
    .map(([a, b]) => (a <= b ? { afterDate: a, beforeDate: b } : { afterDate: b, beforeDate: a })),
);

const valueFilterArb = fc.oneof(
  fc.record({ type: fc.constant('concept'), selectedConcepts: fc.array(termCodeArb, { minLength: 1, maxLength: 3 }) }),
  fc.record(
    { type: fc.constant('quantity-comparator'), comparator, value: number, unit },
    { requiredKeys: ['type', 'comparator', 'value'] },
  ),
  fc
    .record(
      { type: fc.constant('quantity-range'), bounds: fc.tuple(number, number), unit },
      { requiredKeys: ['type', 'bounds'] },
    )
    .map(({ bounds: [a, b], ...rest }) => ({ ...rest, minValue: Math.min(a, b), maxValue: Math.max(a, b) })),
);

const plainAttributeFilterArb = fc
  .tuple(termCodeArb, valueFilterArb)
  .map(([attributeCode, filter]) => ({ attributeCode, ...filter }));

const referencedCriterionArb = fc.record(
  {
    context: termCodeArb,
    termCodes: fc.array(termCodeArb, { minLength: 1, maxLength: 3 }),
    valueFilter: valueFilterArb,
    attributeFilters: fc.array(plainAttributeFilterArb, { maxLength: 2 }),
    timeRestriction: timeRestrictionArb,
  },
  { requiredKeys: ['termCodes'] },
);

const referenceFilterArb = fc.record({
  type: fc.constant('reference'),
  attributeCode: termCodeArb,
  criteria: fc.array(referencedCriterionArb, { minLength: 1, maxLength: 2 }),
});

export const criterionArb = fc.record(
  {
    context: termCodeArb,
    termCodes: fc.array(termCodeArb, { minLength: 1, maxLength: 3 }),
    valueFilter: valueFilterArb,
    attributeFilters: fc.array(fc.oneof(plainAttributeFilterArb, referenceFilterArb), { maxLength: 2 }),
    timeRestriction: timeRestrictionArb,
  },
  { requiredKeys: ['termCodes'] },
);

const groupsArb = fc.array(fc.array(criterionArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });

/** A valid CCDL structured query as plain JSON (not yet parsed). */
export const queryArb = fc.record(
  { version: informative, display: informative, inclusionCriteria: groupsArb, exclusionCriteria: groupsArb },
  { requiredKeys: ['inclusionCriteria'] },
);

/** A deterministic pseudo-random generator (mulberry32), so a failing scramble replays from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rewrites a valid query without changing what it asks: every CCDL array is a set, so arrays are shuffled and gain
 * duplicates; objects get their keys reordered, fresh display/version strings and junk unknown properties.
 */
export function scrambleQuery(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = value.map((item) => scrambleQuery(item, random));
    if (value.length > 0 && random() < 0.3) {
      items.push(scrambleQuery(value[Math.floor(random() * value.length)], random));
    }
    return shuffle(items, random);
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]): [string, unknown] => [key, scrambleQuery(item, random)]);
    const kept = entries.filter(([key]) => key !== 'display' && key !== 'version');
    if (random() < 0.5) {
      kept.push(['display', `display ${random()}`]);
    }
    if (random() < 0.5) {
      kept.push(['version', `${Math.floor(random() * 10)}`]);
    }
    if (random() < 0.3) {
      kept.push(['x-junk', { note: `junk ${random()}`, list: [random()] }]);
    }
    return Object.fromEntries(shuffle(kept, random));
  }
  return value;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Paths (as key lists) of every object in `value` that looks like a term code (has `system` and `code`). */
export function termCodePaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => termCodePaths(item, [...path, index]));
  }
  if (typeof value === 'object' && value !== null) {
    const own = 'system' in value && 'code' in value ? [path] : [];
    return [...own, ...Object.entries(value).flatMap(([key, item]) => termCodePaths(item, [...path, key]))];
  }
  return [];
}

/** Every path in a JSON value, including the root (`[]`). */
export function allPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return [path, ...value.flatMap((item, index) => allPaths(item, [...path, index]))];
  }
  if (typeof value === 'object' && value !== null) {
    return [path, ...Object.entries(value).flatMap(([key, item]) => allPaths(item, [...path, key]))];
  }
  return [path];
}

/** A deep copy of `value` with the node at `path` replaced by `replacement` (the root if `path` is empty). */
export function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) {
    return replacement;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, key === head ? replaceAt(item, rest, replacement) : item]),
    );
  }
  return value;
}
