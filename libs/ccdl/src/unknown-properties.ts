import { formatIssuePath } from '@fq/result';
import type { z } from 'zod';
import { StructuredQuery } from './ccdl.schema';
import { type CcdlIssue, CcdlIssueCode } from './errors';
import { isRecord } from './is-record';

type Segment = string | number;

/** Unknown properties of a query: near-misses of a known name (an error) and the others (a warning). */
export interface UnknownProperties {
  misspelled: CcdlIssue[];
  unknown: CcdlIssue[];
}

const CRTDL_KEYS = ['cohortDefinition', 'dataExtraction', 'version', 'display'];
// A plain query whose `cohortDefinition` is misspelled is a CRTDL document gone wrong.
const ROOT_NEAR_MISS_TARGETS = ['cohortDefinition'];

/**
 * Finds every property of a CCDL query (or CRTDL document) that its schema object does not define; one that differs
 * from a defined name only by case or a small typo is `misspelled`, the rest are `unknown`. Never throws; walks only
 * where the input has the shape the schema expects, so its depth is bounded by the schema's.
 */
export function findUnknownProperties(input: unknown): UnknownProperties {
  const found: UnknownProperties = { misspelled: [], unknown: [] };
  if (isRecord(input) && Object.hasOwn(input, 'cohortDefinition')) {
    classifyKeys(input, CRTDL_KEYS, [], [], found);
    walk(StructuredQuery, input.cohortDefinition, ['cohortDefinition'], found);
  } else {
    walk(StructuredQuery, input, [], found, ROOT_NEAR_MISS_TARGETS);
  }
  return found;
}

function walk(
  schema: z.core.$ZodType,
  value: unknown,
  path: Segment[],
  found: UnknownProperties,
  extraTargets: readonly string[] = [],
): void {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  // Only the kinds StructuredQuery is built from lead further; every other kind is a leaf here.
  if (def.type === 'optional' || def.type === 'nullable') {
    walk(def.innerType, value, path, found);
  } else if (def.type === 'array' && Array.isArray(value)) {
    value.forEach((item, index) => walk(def.element, item, [...path, index], found));
  } else if (def.type === 'object' && isRecord(value)) {
    const shape = def.shape;
    classifyKeys(value, Object.keys(shape), extraTargets, path, found);
    for (const key of Object.keys(value).filter((k) => Object.hasOwn(shape, k))) {
      walk(shape[key], value[key], [...path, key], found);
    }
  } else if (def.type === 'union') {
    const option = pickOption(def, value);
    if (option !== undefined) {
      walk(option, value, path, found);
    }
  }
}

/** The member of a discriminated union the value names; undefined when it names none (a schema issue reports that). */
function pickOption(def: z.core.$ZodUnionDef, value: unknown): z.core.$ZodType | undefined {
  const discriminator = (def as Partial<z.core.$ZodDiscriminatedUnionDef>).discriminator;
  if (discriminator === undefined || !isRecord(value)) {
    return undefined;
  }
  const given = value[discriminator];
  return def.options.find((option) => {
    const optionDef = (option as z.core.$ZodTypes)._zod.def;
    if (optionDef.type !== 'object') {
      return false;
    }
    const tag = (optionDef.shape[discriminator] as z.core.$ZodTypes | undefined)?._zod.def;
    return tag?.type === 'literal' && tag.values.includes(given as z.core.util.Literal);
  });
}

function classifyKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  extraTargets: readonly string[],
  path: Segment[],
  found: UnknownProperties,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) {
      continue;
    }
    const where = formatIssuePath(path);
    const keyPath = formatIssuePath([...path, key]);
    const meant = closestNearMiss(key, [...known, ...extraTargets]);
    if (meant !== undefined) {
      found.misspelled.push({
        path: keyPath,
        code: CcdlIssueCode.PropertyMisspelled,
        message: `unknown property ${key} at ${where}: did you mean ${meant}?`,
      });
    } else {
      found.unknown.push({
        path: keyPath,
        code: CcdlIssueCode.UnknownProperty,
        message: `unknown property ${key} at ${where}: CCDL does not define it, so no site evaluates it`,
      });
    }
  }
}

/** The known name `key` is closest to, if it is a near-miss of one. */
export function closestNearMiss(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = nearMissDistance(key, name);
    if (distance !== undefined && (best === undefined || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

/**
 * How far `key` is from the known `name` if it is a near-miss: equal ignoring case (0), or at most 2 edits apart
 * (insert, delete, substitute, swap two neighbours), 1 for names of up to 4 characters, where 2 edits turn one
 * ordinary word into another (`note` is 2 from `code`). Undefined when it is no near-miss.
 */
export function nearMissDistance(key: string, name: string): number | undefined {
  if (key === name) {
    return undefined;
  }
  const a = key.toLowerCase();
  const b = name.toLowerCase();
  const limit = name.length <= 4 ? 1 : 2;
  if (Math.abs(a.length - b.length) > limit) {
    return undefined;
  }
  const distance = editDistance(a, b);
  return distance <= limit ? distance : undefined;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters as one edit. */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, beforePrevious[j - 2] + 1);
      }
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}
