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
  | { kind: 'choice'; keys: string[] }
  | { kind: 'where'; conditions: Array<{ keys: string[]; literal: string }> };

const choiceTypePaths = r4Model.choiceTypePaths as Record<string, string[]>;
const path2Type = r4Model.path2Type as Record<string, string>;
const pathsDefinedElsewhere = r4Model.pathsDefinedElsewhere as Record<string, string>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OF_TYPE = /^ofType\(([A-Za-z]+)\)$/;
const WHERE = /^where\((.+)\)$/;
const CONDITION = /^([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*'([^'\\]*)'$/;

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

/** The model type path reached by navigating `name` from `typePath`, following type and content references. */
function childTypePath(typePath: string, name: string): string {
  const full = `${typePath}.${name}`;
  const elsewhere = pathsDefinedElsewhere[full];
  if (elsewhere !== undefined) {
    return elsewhere;
  }
  const type = path2Type[full];
  return type === undefined || type === 'BackboneElement' || type === 'Element' ? full : type;
}

const PRIMITIVE_TYPES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid',
]);

/** The FHIR type name behind a choice suffix ("DateTime" → "dateTime", "Period" stays). */
function choiceSuffixToType(suffix: string): string {
  const lower = suffix[0].toLowerCase() + suffix.slice(1);
  return PRIMITIVE_TYPES.has(lower) ? lower : suffix;
}

/** Compiles the simple subset (members, choice elements, ofType, where(path = 'literal')) or returns null. */
function compileFast(expression: string, resourceType: string): Step[] | null {
  const parts = splitSteps(expression);
  if (parts === null) {
    return null;
  }
  if (parts[0] === resourceType) {
    parts.shift();
  } else if (/^[A-Z]/.test(parts[0])) {
    return null;
  }
  const steps: Step[] = [];
  let typePath = resourceType;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (IDENTIFIER.test(part)) {
      const choiceTypes = choiceTypePaths[`${typePath}.${part}`];
      if (choiceTypes === undefined) {
        steps.push({ kind: 'child', key: part });
        typePath = childTypePath(typePath, part);
        continue;
      }
      const ofType = i + 1 < parts.length ? OF_TYPE.exec(parts[i + 1]) : null;
      if (ofType !== null) {
        const suffix = ofType[1][0].toUpperCase() + ofType[1].slice(1);
        if (!choiceTypes.includes(suffix)) {
          return null;
        }
        steps.push({ kind: 'child', key: part + suffix });
        typePath = choiceSuffixToType(suffix);
        i++;
        continue;
      }
      if (i + 1 < parts.length) {
        return null; // navigating past an untyped choice needs the model's type information
      }
      steps.push({ kind: 'choice', keys: choiceTypes.map((t) => part + t) });
      continue;
    }
    const where = WHERE.exec(part);
    if (where === null) {
      return null;
    }
    const conditions: Array<{ keys: string[]; literal: string }> = [];
    for (const clause of where[1].split(/\s+and\s+/)) {
      const condition = CONDITION.exec(clause.trim());
      if (condition === null) {
        return null;
      }
      const keys = condition[1].split('.');
      let conditionType = typePath;
      for (const key of keys) {
        if (choiceTypePaths[`${conditionType}.${key}`] !== undefined) {
          return null;
        }
        conditionType = childTypePath(conditionType, key);
      }
      conditions.push({ keys, literal: condition[2] });
    }
    steps.push({ kind: 'where', conditions });
  }
  return steps;
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

/** FHIRPath `=` between a collection and a string literal: true only for a single equal item. */
function conditionHolds(node: unknown, keys: string[], literal: string): boolean {
  let current: unknown[] = [node];
  for (const key of keys) {
    const next: unknown[] = [];
    for (const item of current) {
      pushChild(next, item, key);
    }
    current = next;
  }
  return current.length === 1 && current[0] === literal;
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
          for (const key of step.keys) {
            pushChild(next, node, key);
          }
        }
        break;
      case 'where':
        for (const node of current) {
          if (step.conditions.every((c) => conditionHolds(node, c.keys, c.literal))) {
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
  const steps = compileFast(expression, resourceType);
  if (steps !== null) {
    return { expression, fast: true, evaluate: (resource) => runSteps(steps, resource) };
  }
  return compileWithFhirPath(expression, resourceType);
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
