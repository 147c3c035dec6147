import type { HierarchyRule, MappedCode } from '../mapping/mapping.schema';

/** One root of an upstream `mapping_tree.json`: the children of each code, for one context and system. */
export interface ConceptTree {
  context: MappedCode;
  system: string;
  children: ReadonlyMap<string, readonly string[]>;
}

const ICD_BLOCK = /^([A-Z]\d{2})-([A-Z]\d{2})$/;

/** The ICD-10 rule: a block `E10-E14` covers categories in range; `E11` covers `E11.x`, `E11.9` covers `E11.90`. */
function icdCovers(ancestor: string, code: string): boolean {
  if (ancestor === code) {
    return true;
  }
  const block = ICD_BLOCK.exec(ancestor);
  if (block !== null) {
    const category = code.slice(0, 3);
    return category >= block[1] && category <= block[2];
  }
  return code.startsWith(ancestor.length === 3 ? `${ancestor}.` : ancestor);
}

function prefixCovers(ancestor: string, code: string): boolean {
  return code.startsWith(ancestor);
}

/** First index in sorted `codes` whose value is >= `value`. */
function lowerBound(codes: readonly string[], value: string): number {
  let lo = 0;
  let hi = codes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (codes[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Parent codes match their descendants. A concept tree for the criterion's context and system always wins;
 * without one the system's built-in rule applies (ICD-10 blocks and prefixes, OPS/ATC prefixes); otherwise
 * a code matches only itself.
 */
export class CodeHierarchy {
  private readonly trees = new Map<string, ConceptTree[]>();
  private readonly descendantCache = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly rules: Readonly<Record<string, HierarchyRule>>,
    trees: readonly ConceptTree[] = [],
  ) {
    for (const tree of trees) {
      const key = this.treeKey(tree.context, tree.system);
      this.trees.set(key, [...(this.trees.get(key) ?? []), tree]);
    }
  }

  /** Whether a criterion code `ancestor` matches data code `code` (same system) in `context`. */
  covers(context: MappedCode | undefined, system: string, ancestor: string, code: string): boolean {
    const descendants = this.treeDescendants(context, system, ancestor);
    if (descendants !== null) {
      return descendants.has(code);
    }
    switch (this.rules[system]) {
      case 'icd-10':
        return icdCovers(ancestor, code);
      case 'prefix':
        return prefixCovers(ancestor, code);
      case undefined:
        return ancestor === code;
    }
  }

  /** The codes among `present` (sorted ascending) that `ancestor` covers, itself included. */
  expand(context: MappedCode | undefined, system: string, ancestor: string, present: readonly string[]): string[] {
    const descendants = this.treeDescendants(context, system, ancestor);
    if (descendants !== null) {
      return descendants.size < present.length
        ? [...descendants].filter((code) => binaryHas(present, code))
        : present.filter((code) => descendants.has(code));
    }
    const rule = this.rules[system];
    const block = rule === 'icd-10' ? ICD_BLOCK.exec(ancestor) : null;
    if (block !== null) {
      const result: string[] = [];
      for (let i = lowerBound(present, block[1]); i < present.length && present[i].slice(0, 3) <= block[2]; i++) {
        result.push(present[i]);
      }
      return binaryHas(present, ancestor) && !result.includes(ancestor) ? [ancestor, ...result] : result;
    }
    if (rule === undefined) {
      return binaryHas(present, ancestor) ? [ancestor] : [];
    }
    const result: string[] = [];
    for (let i = lowerBound(present, ancestor); i < present.length && present[i].startsWith(ancestor); i++) {
      if (this.covers(context, system, ancestor, present[i])) {
        result.push(present[i]);
      }
    }
    return result;
  }

  /** Whether any concept tree covers this context and system. */
  hasTree(context: MappedCode | undefined, system: string): boolean {
    return context !== undefined && this.trees.has(this.treeKey(context, system));
  }

  private treeKey(context: MappedCode, system: string): string {
    return `${context.system}\u0000${context.code}\u0000${system}`;
  }

  /** The code and every descendant in the trees for (context, system), or null when no tree covers them. */
  private treeDescendants(context: MappedCode | undefined, system: string, code: string): ReadonlySet<string> | null {
    if (context === undefined) {
      return null;
    }
    const key = this.treeKey(context, system);
    const trees = this.trees.get(key);
    if (trees === undefined) {
      return null;
    }
    const cacheKey = `${key}\u0000${code}`;
    const cached = this.descendantCache.get(cacheKey);
    if (cached !== undefined) {
      return cached;
    }
    const result = new Set<string>([code]);
    const pending = [code];
    while (pending.length > 0) {
      const current = pending.pop()!;
      for (const tree of trees) {
        for (const child of tree.children.get(current) ?? []) {
          if (!result.has(child)) {
            result.add(child);
            pending.push(child);
          }
        }
      }
    }
    this.descendantCache.set(cacheKey, result);
    return result;
  }
}

function binaryHas(sorted: readonly string[], value: string): boolean {
  const i = lowerBound(sorted, value);
  return i < sorted.length && sorted[i] === value;
}
