import { err, ok, type Result } from '@fq/result';
import type { ConceptTree } from '../../codes/code-hierarchy';
import { MappingInvalidError } from '../../errors';
import { toMappingIssues } from './mapping-issues';
import { MappingTreeFile } from './upstream-mapping.schema';

/**
 * Parses an upstream `mapping_tree.json` (MII-CONTEXTS.md §8.3) into one concept tree per root, listing every
 * shape problem with its JSON path. A child that is not itself an entry is a leaf (upstream readers crash on it);
 * `parents` and `version` are ignored, as both upstream engines do.
 */
export function parseConceptTrees(json: unknown): Result<ConceptTree[], MappingInvalidError> {
  const parsed = MappingTreeFile.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issues = toMappingIssues(parsed.error.issues);
    return err(
      new MappingInvalidError(
        `mapping_tree.json is invalid: ${issues.length} issue${issues.length === 1 ? '' : 's'}`,
        issues,
        {
          cause: parsed.error,
        },
      ),
    );
  }
  return ok(
    parsed.data.map((root) => {
      const children = new Map<string, string[]>();
      for (const entry of root.entries) {
        // A key listed twice keeps the union of its children.
        const known = children.get(entry.key) ?? [];
        children.set(entry.key, [...new Set([...known, ...(entry.children ?? [])])]);
      }
      return { context: { system: root.context.system, code: root.context.code }, system: root.system, children };
    }),
  );
}
