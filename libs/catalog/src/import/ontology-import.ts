import { basename, relative, resolve } from 'node:path';
import type {
  AttributeFilterDefinition,
  CatalogTermCode,
  CriterionFilters,
  ReferenceFilterDefinition,
  ValueFilterDefinition,
} from '@fq/contracts';
import { DEFAULT_MAPPING } from '@fq/engine';
import { err, ok, type Result } from '@fq/result';
import { CATALOG_FILE_FORMAT, type CatalogEntry, type CatalogFile } from '../catalog.schema';
import { CriteriaCatalog } from '../criteria-catalog';
import { entryIdOf } from '../entry-id';
import { CatalogError, CatalogErrorCode } from '../errors';
import { foldText } from '../text-folding';
import { kindOfFile, listFiles, type OntologyFileKind, readOntologyFile } from './ontology-files';
import {
  OntologyCriteriaSet,
  type OntologyTermCode,
  OntologyTreeFile,
  type OntologyValueDefinition,
  OntologyValueSet,
  type TermCodeInfo,
  TermCodeInfoFile,
  type UiProfile,
  UiProfileFile,
} from './upstream-ontology.schema';

/** How far an import is: files read, then entries built. */
export type ImportProgress =
  | { phase: 'read'; file: string; files: number; filesTotal: number }
  | { phase: 'build'; entries: number; entriesTotal: number };

export interface ImportOptions {
  /** Called after each file and every 10,000 entries. */
  onProgress?: (progress: ImportProgress) => void;
}

/** What an import did: entries per context, files per kind, and what it left out and why. */
export interface ImportSummary {
  entries: number;
  contexts: Record<string, number>;
  files: Partial<Record<OntologyFileKind, number>>;
  skipped: Array<{ reason: string; count: number; examples: string[] }>;
}

export interface OntologyImport {
  catalog: CatalogFile;
  summary: ImportSummary;
}

const GERMAN = /^de(-|$)/i;

/** The display a researcher reads: a German designation, else the term code's own, else the default designation. */
function displayOf(info: TermCodeInfo): string | undefined {
  const designations = info.designations ?? [];
  const german = designations.find((d) => GERMAN.test(d.language ?? '') && (d.display ?? '') !== '')?.display;
  return (
    german ??
    (info.term_code.display || undefined) ??
    designations.find((d) => (d.display ?? '') !== '')?.display ??
    undefined
  );
}

const termCode = (code: OntologyTermCode, display: string): CatalogTermCode => ({
  system: code.system,
  code: code.code,
  ...(code.version ? { version: code.version } : {}),
  display,
});

const nameKey = (text: string): string => foldText(text).replace(/[\s_-]+/g, '');

class Skips {
  private readonly byReason = new Map<string, { count: number; examples: string[] }>();

  add(reason: string, example: string): void {
    const known = this.byReason.get(reason) ?? { count: 0, examples: [] };
    known.count += 1;
    if (known.examples.length < 3) {
      known.examples.push(example);
    }
    this.byReason.set(reason, known);
  }

  list(): ImportSummary['skipped'] {
    return [...this.byReason].map(([reason, value]) => ({ reason, ...value }));
  }
}

/** What UI profiles refer to: value sets (concepts) and criteria sets (reference targets), by URL. */
interface Referenced {
  valueSets: Map<string, CatalogTermCode[]>;
  criteriaSets: Map<string, CatalogTermCode[]>;
}

const asList = (value: string | string[] | null | undefined): string[] =>
  value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A UI profile's value or attribute definition in the catalog's terms; undefined (with a reason) if unusable. */
function toFilter(
  definition: OntologyValueDefinition,
  referenced: Referenced,
  skips: Skips,
  where: string,
): ValueFilterDefinition | ReferenceFilterDefinition | undefined {
  const optional = definition.optional ?? true;
  switch (definition.type) {
    case 'concept': {
      const concepts = asList(definition.referencedValueSet).flatMap((url) => referenced.valueSets.get(url) ?? []);
      if (concepts.length === 0) {
        skips.add('concept filter without known concepts (its value set is not in the release)', where);
        return undefined;
      }
      return { type: 'concept', allowedConcepts: concepts, optional };
    }
    case 'quantity':
      return {
        type: 'quantity',
        allowedUnits: (definition.allowedUnits ?? []).map((u) => ({ code: u.code, display: u.display || u.code })),
        ...(definition.precision === null || definition.precision === undefined
          ? {}
          : { precision: definition.precision }),
        ...(definition.min === null || definition.min === undefined ? {} : { min: definition.min }),
        ...(definition.max === null || definition.max === undefined ? {} : { max: definition.max }),
        optional,
      };
    case 'reference': {
      const contexts = asList(definition.referencedCriteriaSet).flatMap(
        (url) => referenced.criteriaSets.get(url) ?? [],
      );
      if (contexts.length === 0) {
        skips.add('reference filter without known targets (its criteria set is not in the release)', where);
        return undefined;
      }
      return { type: 'reference', targetContexts: contexts, optional };
    }
    default:
      skips.add(`filter type "${definition.type}" (the catalog has concept, quantity and reference)`, where);
      return undefined;
  }
}

/** The filters of a UI profile; without one, a time restriction where the default mapping knows a clinical time. */
function filtersOf(
  profile: UiProfile | undefined,
  context: string,
  referenced: Referenced,
  skips: Skips,
): CriterionFilters {
  if (profile === undefined) {
    const timed = DEFAULT_MAPPING.criteria.some((m) => m.context.code === context && m.time !== undefined);
    return { valueFilter: null, attributeFilters: [], timeRestrictionAllowed: timed };
  }
  const value =
    profile.valueDefinition === null || profile.valueDefinition === undefined
      ? undefined
      : toFilter(profile.valueDefinition, referenced, skips, `${profile.name} value`);
  const attributeFilters: AttributeFilterDefinition[] = [];
  for (const attribute of profile.attributeDefinitions ?? []) {
    const where = `${profile.name} ${attribute.attributeCode?.code ?? '(no attribute code)'}`;
    if (attribute.attributeCode === null || attribute.attributeCode === undefined) {
      skips.add('attribute definition without attributeCode', where);
      continue;
    }
    const filter = toFilter(attribute, referenced, skips, where);
    if (filter !== undefined) {
      const code = attribute.attributeCode;
      attributeFilters.push({ ...filter, attributeCode: termCode(code, code.display || code.code) });
    }
  }
  return {
    valueFilter: value === undefined || value.type === 'reference' ? null : value,
    attributeFilters,
    timeRestrictionAllowed: profile.timeRestrictionAllowed ?? true,
  };
}

/**
 * Builds a catalog from an MII ontology release folder (fhir-ontology-generator output): entries from the term code
 * info files (German designation preferred), parents and children from the criteria trees and `mapping_tree.json`,
 * filters from the UI profile named like the entry's context or module (with the value and criteria sets it refers
 * to). A malformed file stops the import with every issue and its JSON path; what cannot be used is counted.
 */
export async function importOntology(
  dir: string,
  options: ImportOptions = {},
): Promise<Result<OntologyImport, CatalogError>> {
  const root = resolve(dir);
  const files = await listFiles(root);
  if (!files.ok) {
    return files;
  }
  const skips = new Skips();
  const fileCounts: ImportSummary['files'] = {};
  const trees: OntologyTreeFile = [];
  const infos: TermCodeInfo[] = [];
  const profiles: UiProfile[] = [];
  const referenced: Referenced = { valueSets: new Map(), criteriaSets: new Map() };
  const readable = files.value.filter((path) => kindOfFile(relative(root, path)) !== undefined);
  for (const [i, path] of readable.entries()) {
    const kind = kindOfFile(relative(root, path))!;
    fileCounts[kind] = (fileCounts[kind] ?? 0) + 1;
    const read = await readKind(root, path, kind);
    if (!read.ok) {
      return read;
    }
    switch (read.value.kind) {
      case 'tree':
        trees.push(...read.value.data);
        break;
      case 'term-code-info':
        infos.push(...read.value.data);
        break;
      case 'ui-profile':
        profiles.push(...read.value.data);
        break;
      case 'value-set': {
        const { url, expansion } = read.value.data;
        referenced.valueSets.set(
          url,
          (expansion?.contains ?? []).map((c) => termCode(c, c.display || c.code)),
        );
        break;
      }
      case 'criteria-set': {
        const contexts = new Map<string, CatalogTermCode>();
        for (const [context] of read.value.data.contextualized_term_codes) {
          contexts.set(`${context.system}|${context.code}`, termCode(context, context.display || context.code));
        }
        referenced.criteriaSets.set(read.value.data.url, [...contexts.values()]);
        break;
      }
    }
    options.onProgress?.({ phase: 'read', file: relative(root, path), files: i + 1, filesTotal: readable.length });
  }
  if (infos.length === 0) {
    return err(
      new CatalogError(
        CatalogErrorCode.ImportEmpty,
        `${dir} holds no term code info (term_code_info/*.json or *_term_code_info.json): nothing to import`,
      ),
    );
  }

  const profileByName = new Map(profiles.map((p) => [nameKey(p.name), p] as const));
  const entries = new Map<string, CatalogEntry>();
  for (const [i, info] of infos.entries()) {
    const display = displayOf(info);
    const label = `${info.context.code} ${info.term_code.system}|${info.term_code.code}`;
    const id = entryIdOf(info.context, info.term_code);
    if (display === undefined) {
      skips.add('term code without any display', label);
    } else if (entries.has(id)) {
      skips.add('term code listed twice in one context (first kept)', label);
    } else {
      const profile =
        profileByName.get(nameKey(info.context.code)) ??
        profileByName.get(nameKey(info.context.display ?? '')) ??
        profileByName.get(nameKey(info.module?.display ?? ''));
      entries.set(id, {
        id,
        termCode: termCode(info.term_code, display),
        context: termCode(info.context, info.context.display || info.context.code),
        selectable: true,
        parentIds: [],
        childIds: [],
        filters: filtersOf(profile, info.context.code, referenced, skips),
      });
    }
    if ((i + 1) % 10_000 === 0 || i + 1 === infos.length) {
      options.onProgress?.({ phase: 'build', entries: i + 1, entriesTotal: infos.length });
    }
  }
  linkTrees(trees, entries, skips);

  const catalog: CatalogFile = {
    format: CATALOG_FILE_FORMAT,
    formatVersion: 1,
    name: basename(root),
    entries: [...entries.values()],
  };
  const checked = CriteriaCatalog.fromFile(catalog);
  if (!checked.ok) {
    return checked;
  }
  const contexts: Record<string, number> = {};
  for (const entry of entries.values()) {
    contexts[entry.context.display] = (contexts[entry.context.display] ?? 0) + 1;
  }
  return ok({ catalog, summary: { entries: entries.size, contexts, files: fileCounts, skipped: skips.list() } });
}

/** Adds each tree's parent and child links between entries of the same context and system. */
function linkTrees(trees: OntologyTreeFile, entries: Map<string, CatalogEntry>, skips: Skips): void {
  const link = (parentId: string, childId: string): void => {
    const parent = entries.get(parentId)!;
    const child = entries.get(childId)!;
    if (parentId === childId) {
      return;
    }
    if (!parent.childIds.includes(childId)) {
      parent.childIds.push(childId);
    }
    if (!child.parentIds.includes(parentId)) {
      child.parentIds.push(parentId);
    }
  };
  for (const tree of trees) {
    const idOf = (code: string): string => entryIdOf(tree.context, { system: tree.system, code });
    for (const node of tree.entries) {
      const id = idOf(node.key);
      if (!entries.has(id)) {
        skips.add(
          'tree code without term code info (no display), its links left out',
          `${tree.context.code} ${tree.system}|${node.key}`,
        );
        continue;
      }
      for (const [codes, asParent] of [
        [node.children ?? [], true],
        [node.parents ?? [], false],
      ] as const) {
        for (const code of codes) {
          const other = idOf(code);
          if (!entries.has(other)) {
            skips.add('tree link to a code without term code info', `${tree.system}|${node.key} → ${code}`);
          } else if (asParent) {
            link(id, other);
          } else {
            link(other, id);
          }
        }
      }
    }
  }
}

type Read =
  | { kind: 'tree'; data: OntologyTreeFile }
  | { kind: 'term-code-info'; data: TermCodeInfo[] }
  | { kind: 'ui-profile'; data: UiProfile[] }
  | { kind: 'value-set'; data: ReturnType<typeof OntologyValueSet.parse> }
  | { kind: 'criteria-set'; data: ReturnType<typeof OntologyCriteriaSet.parse> };

async function readKind(root: string, path: string, kind: OntologyFileKind): Promise<Result<Read, CatalogError>> {
  const as = <T extends Read>(result: Result<T['data'], CatalogError>, k: T['kind']): Result<Read, CatalogError> =>
    result.ok ? ok({ kind: k, data: result.value } as Read) : result;
  switch (kind) {
    case 'tree':
      return as(await readOntologyFile(root, path, OntologyTreeFile), 'tree');
    case 'term-code-info':
      return as(await readOntologyFile(root, path, TermCodeInfoFile), 'term-code-info');
    case 'ui-profile':
      return as(await readOntologyFile(root, path, UiProfileFile), 'ui-profile');
    case 'value-set':
      return as(await readOntologyFile(root, path, OntologyValueSet), 'value-set');
    case 'criteria-set':
      return as(await readOntologyFile(root, path, OntologyCriteriaSet), 'criteria-set');
  }
}
