import type { CriterionMapping, EngineMapping, MappedCode } from './mapping.schema';

/** A mapping entry found for a criterion's term code, with the context it was found under. */
export interface ResolvedTermCode {
  entry: CriterionMapping;
  context: MappedCode;
  system: string;
  code: string;
}

const key = (...parts: string[]): string => parts.join('\u0000');

/** Looks up mapping entries by (context, term code), normalising legacy code system URLs. */
export class MappingCatalog {
  private readonly byCode = new Map<string, CriterionMapping>();
  private readonly bySystem = new Map<string, CriterionMapping>();
  private readonly byCodeAnyContext = new Map<string, CriterionMapping[]>();
  private readonly bySystemAnyContext = new Map<string, CriterionMapping[]>();
  // A Map, not the plain object: a system named like an Object.prototype member must not resolve to it.
  private readonly aliases: ReadonlyMap<string, string>;

  constructor(readonly mapping: EngineMapping) {
    this.aliases = new Map(Object.entries(mapping.systemAliases));
    for (const entry of mapping.criteria) {
      const ctx = entry.context;
      for (const termCode of entry.termCodes ?? []) {
        const system = this.normalizeSystem(termCode.system);
        setFirst(this.byCode, key(ctx.system, ctx.code, system, termCode.code), entry);
        push(this.byCodeAnyContext, key(system, termCode.code), entry);
      }
      for (const rawSystem of entry.termCodeSystems ?? []) {
        const system = this.normalizeSystem(rawSystem);
        setFirst(this.bySystem, key(ctx.system, ctx.code, system), entry);
        push(this.bySystemAnyContext, system, entry);
      }
    }
  }

  /** The system URL the mapping and the index use for `system`. */
  normalizeSystem(system: string): string {
    return this.aliases.get(system) ?? system;
  }

  /**
   * The entry that evaluates `termCode` in `context`: an entry listing the code wins over one covering its
   * system. Without a context (pre-context queries) the code must identify exactly one context.
   */
  resolve(context: { system: string; code: string } | undefined, termCode: MappedCode): ResolvedTermCode | null {
    const system = this.normalizeSystem(termCode.system);
    const found =
      context === undefined
        ? this.resolveWithoutContext(system, termCode.code)
        : (this.byCode.get(key(context.system, context.code, system, termCode.code)) ??
          this.bySystem.get(key(context.system, context.code, system)));
    if (found === undefined) {
      return null;
    }
    // Own keys only: `toString` or `__proto__` is no combination even though every object inherits it.
    if (found.codeConjunctions !== undefined && !Object.hasOwn(found.codeConjunctions, termCode.code)) {
      return null;
    }
    return { entry: found, context: found.context, system, code: termCode.code };
  }

  private resolveWithoutContext(system: string, code: string): CriterionMapping | undefined {
    const explicit = this.byCodeAnyContext.get(key(system, code)) ?? [];
    const candidates = explicit.length > 0 ? explicit : (this.bySystemAnyContext.get(system) ?? []);
    const contexts = new Set(candidates.map((entry) => key(entry.context.system, entry.context.code)));
    return contexts.size === 1 ? candidates[0] : undefined;
  }
}

// The first entry wins, as it does in resolveWithoutContext, so a context never changes which entry answers.
function setFirst<K, V>(map: Map<K, V>, k: K, value: V): void {
  if (!map.has(k)) {
    map.set(k, value);
  }
}

function push<K, V>(map: Map<K, V[]>, k: K, value: V): void {
  const list = map.get(k);
  if (list === undefined) {
    map.set(k, [value]);
  } else {
    list.push(value);
  }
}
