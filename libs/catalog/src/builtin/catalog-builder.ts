import type { CatalogTermCode, CriterionFilters } from '@fq/contracts';
import { type CatalogEntry, CATALOG_FILE_FORMAT, type CatalogFile } from '../catalog.schema';
import { entryIdOf } from '../entry-id';

/** What an entry needs besides its context and term code. */
export interface EntryOptions {
  selectable?: boolean;
  synonyms?: readonly string[];
  filters: CriterionFilters;
}

/** Collects entries and their hierarchy, each term code once per context, and writes them as a catalog file. */
export class CatalogBuilder {
  private readonly entries = new Map<string, CatalogEntry>();

  /** Adds an entry (or returns the id of the one already there) and gives its id. */
  add(context: CatalogTermCode, termCode: CatalogTermCode, options: EntryOptions): string {
    const id = entryIdOf(context, termCode);
    const known = this.entries.get(id);
    if (known !== undefined) {
      const synonyms = [...new Set([...(known.synonyms ?? []), ...(options.synonyms ?? [])])];
      if (synonyms.length > 0) {
        known.synonyms = synonyms;
      }
      return id;
    }
    const synonyms = [...new Set(options.synonyms ?? [])].filter((s) => s !== termCode.display);
    this.entries.set(id, {
      id,
      termCode,
      context,
      selectable: options.selectable ?? true,
      parentIds: [],
      childIds: [],
      ...(synonyms.length > 0 ? { synonyms } : {}),
      filters: options.filters,
    });
    return id;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Makes `childId` a child of `parentId` (both must have been added). */
  link(parentId: string, childId: string): void {
    const parent = this.entries.get(parentId);
    const child = this.entries.get(childId);
    if (parent === undefined || child === undefined) {
      throw new Error(`cannot link ${parentId} → ${childId}: not added`);
    }
    if (!parent.childIds.includes(childId)) {
      parent.childIds.push(childId);
    }
    if (!child.parentIds.includes(parentId)) {
      child.parentIds.push(parentId);
    }
  }

  build(name: string): CatalogFile {
    return { format: CATALOG_FILE_FORMAT, formatVersion: 1, name, entries: [...this.entries.values()] };
  }
}
