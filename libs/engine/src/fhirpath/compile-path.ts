import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4';
import { FhirPathInvalidError } from '../errors';
import type { FhirResource } from './fhir-resource';

/** A FHIRPath expression compiled once; `evaluate` never throws on odd data, it returns what it can. */
export interface CompiledPath {
  readonly expression: string;
  /** True when a direct accessor serves the expression instead of fhirpath.js (results are identical). */
  readonly fast: boolean;
  evaluate(resource: FhirResource): unknown[];
}

type Step =
  | { kind: 'child'; key: string }
  // fhirpath.js reads only the first variant present (value or `_` sibling); `want` keeps it only if it is that one.
  | { kind: 'choice'; keys: string[]; want?: string }
  | { kind: 'where'; conditions: Condition[] };

/** `a.b = 'literal'`, or `a.b.exists(c = 'x' and d = 'y')`: some item of a.b meets every inner equality. */
type Condition =
  | { kind: 'equals'; keys: string[]; literal: string }
  | { kind: 'exists'; keys: string[]; conditions: Array<Extract<Condition, { kind: 'equals' }>> };

const choiceTypePaths = r4Model.choiceTypePaths as Record<string, string[]>;
const path2Type = r4Model.path2Type as Record<string, string>;
const pathsDefinedElsewhere = r4Model.pathsDefinedElsewhere as Record<string, string>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OF_TYPE = /^ofType\(([A-Za-z]+)\)$/;
const WHERE = /^where\((.+)\)$/;
const CONDITION = /^([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*'([^'\\]*)'$/;
const EXISTS = /^([A-Za-z_][A-Za-z0-9_.]*)\.exists\((.+)\)$/;
// Words FHIRPath reads as literals or operators, never as member names.
const RESERVED = new Set(['true', 'false', 'and', 'or', 'xor', 'implies', 'div', 'mod']);
// Element types whose `=` against a string literal is plain string equality in fhirpath.js (dates and numbers are not).
const STRING_TYPES = new Set([
  'string',
  'code',
  'uri',
  'url',
  'canonical',
  'id',
  'oid',
  'uuid',
  'markdown',
  'System.String',
]);

/** Splits on dots that are outside parentheses and quotes. */
function splitSteps(expression: string): string[] | null {
  const steps: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of expression) {
    if (ch === "'") {
      quoted = !quoted;
    } else if (!quoted && ch === '(') {
      depth++;
    } else if (!quoted && ch === ')') {
      depth--;
    }
    if (ch === '.' && depth === 0 && !quoted) {
      steps.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  steps.push(current.trim());
  return depth === 0 && !quoted && steps.every((s) => s.length > 0) ? steps : null;
}

/** The model path of element `name` below `typePath`, after content references (as fhirpath.js resolves it). */
function elementPath(typePath: string, name: string): string {
  const full = `${typePath}.${name}`;
  return pathsDefinedElsewhere[full] ?? full;
}

/** The model type path reached by navigating `name` from `typePath`, following type and content references. */
function childTypePath(typePath: string, name: string): string {
  if (name === 'extension') {
    return 'Extension';
  }
  const full = elementPath(typePath, name);
  if (full !== `${typePath}.${name}`) {
    return full;
  }
  const type = path2Type[full];
  return type === undefined || type === 'BackboneElement' || type === 'Element' ? full : type;
}

const PRIMITIVE_TYPES = new Set([
  'base64Binary',
  'boolean',
  'canonical',
  'code',
  'date',
  'dateTime',
  'decimal',
  'id',
  'instant',
  'integer',
  'markdown',
  'oid',
  'positiveInt',
  'string',
  'time',
  'unsignedInt',
  'uri',
  'url',
  'uuid',
]);

/** Whether a type path is a FHIR primitive, whose children fhirpath.js reads from the `_name` sibling. */
function isPrimitiveType(typePath: string): boolean {
  return PRIMITIVE_TYPES.has(typePath) || typePath === 'xhtml' || typePath.startsWith('System.');
}

/** The FHIR type name behind a choice suffix ("DateTime" → "dateTime", "Period" stays). */
function choiceSuffixToType(suffix: string): string {
  const lower = suffix[0].toLowerCase() + suffix.slice(1);
  return PRIMITIVE_TYPES.has(lower) ? lower : suffix;
}

/** Compiles the simple subset (members, choice elements, ofType, where(path = 'literal')) or returns null. */
function compileFast(expression: string, resourceType: string): { steps: Step[]; typed: boolean } | null {
  const parts = splitSteps(expression);
  if (parts === null) {
    return null;
  }
  const typed = parts[0] === resourceType;
  if (typed) {
    parts.shift();
  } else if (/^[A-Z]/.test(parts[0])) {
    return null;
  }
  const steps: Step[] = [];
  let typePath = resourceType;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (isPrimitiveType(typePath)) {
      return null;
    }
    if (IDENTIFIER.test(part)) {
      if (RESERVED.has(part)) {
        return null;
      }
      const choiceTypes = choiceTypePaths[elementPath(typePath, part)];
      if (choiceTypes === undefined) {
        steps.push({ kind: 'child', key: part });
        typePath = childTypePath(typePath, part);
        continue;
      }
      const keys = choiceTypes.map((t) => part + t);
      const ofType = i + 1 < parts.length ? OF_TYPE.exec(parts[i + 1]) : null;
      if (ofType !== null) {
        const suffix = ofType[1][0].toUpperCase() + ofType[1].slice(1);
        // fhirpath.js knows `dateTime` and `DateTime`, but `quantity` is no type name.
        if (!choiceTypes.includes(suffix) || (suffix !== ofType[1] && !PRIMITIVE_TYPES.has(ofType[1]))) {
          return null;
        }
        steps.push({ kind: 'choice', keys, want: part + suffix });
        typePath = choiceSuffixToType(suffix);
        i++;
        continue;
      }
      if (i + 1 < parts.length) {
        return null; // navigating past an untyped choice needs the model's type information
      }
      steps.push({ kind: 'choice', keys });
      continue;
    }
    const where = WHERE.exec(part);
    if (where === null) {
      return null;
    }
    const exists = EXISTS.exec(where[1].trim());
    let conditions: Condition[] | null;
    if (exists === null) {
      conditions = equalityConditions(where[1], typePath);
    } else {
      const keys = exists[1].split('.');
      const itemType = navigableType(typePath, keys);
      const inner = itemType === null ? null : equalityConditions(exists[2], itemType);
      conditions = inner === null ? null : [{ kind: 'exists', keys, conditions: inner }];
    }
    if (conditions === null) {
      return null;
    }
    steps.push({ kind: 'where', conditions });
  }
  return { steps, typed };
}

/** The type reached by following `keys` from `typePath` without choices, primitives or keywords; else null. */
function navigableType(typePath: string, keys: readonly string[]): string | null {
  let type = typePath;
  for (const key of keys) {
    if (key === '' || RESERVED.has(key) || isPrimitiveType(type)) {
      return null;
    }
    if (choiceTypePaths[elementPath(type, key)] !== undefined) {
      return null;
    }
    type = childTypePath(type, key);
  }
  return type;
}

/** `x = 'a' and y.z = 'b'` on string-like elements of `typePath`, or null outside that subset. */
function equalityConditions(body: string, typePath: string): Array<Extract<Condition, { kind: 'equals' }>> | null {
  const conditions: Array<Extract<Condition, { kind: 'equals' }>> = [];
  for (const clause of body.split(/\s+and\s+/)) {
    const condition = CONDITION.exec(clause.trim());
    if (condition === null) {
      return null;
    }
    const keys = condition[1].split('.');
    const type = navigableType(typePath, keys);
    if (type === null || !STRING_TYPES.has(type)) {
      return null;
    }
    conditions.push({ kind: 'equals', keys, literal: condition[2] });
  }
  return conditions;
}

/** Appends the value(s) of `node[key]` to `out`, flattening arrays and dropping nulls as FHIRPath does. */
function pushChild(out: unknown[], node: unknown, key: string): void {
  if (typeof node !== 'object' || node === null) {
    return;
  }
  const value = (node as Record<string, unknown>)[key];
  if (value === undefined || value === null) {
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && item !== undefined) {
        out.push(item);
      }
    }
  } else {
    out.push(value);
  }
}

/**
 * The items fhirpath.js makes for `node[key]`, nulls included: an array entry, or a `_key` entry beyond the
 * values, without a value is an item too (it only vanishes from final results).
 */
function childItems(node: unknown, key: string): unknown[] {
  if (typeof node !== 'object' || node === null) {
    return [];
  }
  const value = (node as Record<string, unknown>)[key];
  const sibling = (node as Record<string, unknown>)[`_${key}`];
  if ((value === undefined || value === null) && (sibling === undefined || sibling === null)) {
    return [];
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    const extra = Array.isArray(sibling) ? Math.max(0, sibling.length - items.length) : 0;
    return [...items, ...new Array<null>(extra).fill(null)];
  }
  if ((value === undefined || value === null) && Array.isArray(sibling)) {
    return sibling.map(() => null);
  }
  return [value ?? null];
}

/** FHIRPath `=` between a collection and a string literal: true only for a single equal item. */
function conditionHolds(node: unknown, keys: string[], literal: string): boolean {
  if (keys.length === 1 && typeof node === 'object' && node !== null) {
    // The common shape `type = 'permit'`: one non-array value is one item, whatever its `_` sibling holds.
    const value = (node as Record<string, unknown>)[keys[0]];
    if (value !== undefined && value !== null && !Array.isArray(value)) {
      return value === literal;
    }
  }
  let current: unknown[] = [node];
  for (let k = 0; k < keys.length - 1; k++) {
    const next: unknown[] = [];
    for (const item of current) {
      pushChild(next, item, keys[k]);
    }
    current = next;
  }
  const items = current.flatMap((item) => childItems(item, keys[keys.length - 1]));
  return items.length === 1 && items[0] === literal;
}

/** Whether a where() condition holds on one node. */
function conditionMet(node: unknown, condition: Condition): boolean {
  if (condition.kind === 'equals') {
    return conditionHolds(node, condition.keys, condition.literal);
  }
  let items: unknown[] = [node];
  for (const key of condition.keys) {
    const next: unknown[] = [];
    for (const item of items) {
      pushChild(next, item, key);
    }
    items = next;
  }
  return items.some((item) => condition.conditions.every((c) => conditionHolds(item, c.keys, c.literal)));
}

/** The choice variant fhirpath.js reads: the first, in model order, whose value or `_` sibling is present. */
function presentVariant(node: unknown, keys: readonly string[]): string | undefined {
  if (typeof node !== 'object' || node === null) {
    return undefined;
  }
  const record = node as Record<string, unknown>;
  return keys.find((key) => record[key] !== undefined || record[`_${key}`] !== undefined);
}

function runSteps(steps: Step[], resource: FhirResource): unknown[] {
  let current: unknown[] = [resource];
  for (const step of steps) {
    const next: unknown[] = [];
    switch (step.kind) {
      case 'child':
        for (const node of current) {
          pushChild(next, node, step.key);
        }
        break;
      case 'choice':
        for (const node of current) {
          const key = presentVariant(node, step.keys);
          if (key !== undefined && (step.want === undefined || step.want === key)) {
            pushChild(next, node, key);
          }
        }
        break;
      case 'where':
        for (const node of current) {
          if (step.conditions.every((c) => conditionMet(node, c))) {
            next.push(node);
          }
        }
        break;
    }
    if (next.length === 0) {
      return next;
    }
    current = next;
  }
  return current;
}

/**
 * Compiles a FHIRPath expression evaluated on resources of `resourceType` with the R4 model.
 * Simple paths get a direct accessor; everything else goes through fhirpath.js.
 */
export function compilePath(expression: string, resourceType: string): CompiledPath {
  // fhirpath.js validates every expression, so the fast subset never accepts what fhirpath.js rejects.
  const reference = compileWithFhirPath(expression, resourceType);
  const fast = compileFast(expression, resourceType);
  if (fast === null) {
    return reference;
  }
  const { steps, typed } = fast;
  return {
    expression,
    fast: true,
    evaluate: (resource) => (typed && resource.resourceType !== resourceType ? [] : runSteps(steps, resource)),
  };
}

/** Compiles with fhirpath.js only; used for everything outside the fast subset and as the reference. */
export function compileWithFhirPath(expression: string, resourceType: string): CompiledPath {
  let fn: (resource: unknown) => unknown[];
  try {
    fn = fhirpath.compile({ expression, base: resourceType }, r4Model, { resolveInternalTypes: true }) as (
      resource: unknown,
    ) => unknown[];
  } catch (cause) {
    throw new FhirPathInvalidError(expression, `cannot compile FHIRPath "${expression}": ${String(cause)}`, { cause });
  }
  return {
    expression,
    fast: false,
    evaluate: (resource) => {
      try {
        return fn(resource);
      } catch {
        return [];
      }
    },
  };
}
