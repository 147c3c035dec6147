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

  constructor(readonly mapping: EngineMapping) {
    for (const entry of mapping.criteria) {
      const ctx = entry.context;
      for (const termCode of entry.termCodes ?? []) {
        const system = this.normalizeSystem(termCode.system);
        this.byCode.set(key(ctx.system, ctx.code, system, termCode.code), entry);
        push(this.byCodeAnyContext, key(system, termCode.code), entry);
      }
      for (const rawSystem of entry.termCodeSystems ?? []) {
        const system = this.normalizeSystem(rawSystem);
        this.bySystem.set(key(ctx.system, ctx.code, system), entry);
        push(this.bySystemAnyContext, system, entry);
      }
    }
  }

  /** The system URL the mapping and the index use for `system`. */
  normalizeSystem(system: string): string {
    return this.mapping.systemAliases[system] ?? system;
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
    if (found.codeConjunctions !== undefined && found.codeConjunctions[termCode.code] === undefined) {
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

function push<K, V>(map: Map<K, V[]>, k: K, value: V): void {
  const list = map.get(k);
  if (list === undefined) {
    map.set(k, [value]);
  } else {
    list.push(value);
  }
}
