import type { Criterion } from '../api/api-types';
import { type DraftCriterion, newCriterionKey, type QueryDraft } from './query-draft';

/** One reason a file cannot be loaded into the builder, at a `$`-rooted JSON path. */
export interface ImportIssue {
  path: string;
  message: string;
}

export type ImportResult = { ok: true; value: QueryDraft } | { ok: false; error: ImportIssue[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function readTermCode(value: unknown, path: string, issues: ImportIssue[]): void {
  if (!isRecord(value)) {
    issues.push({ path, message: `a term code is an object with system and code, not ${describe(value)}` });
    return;
  }
  if (typeof value.system !== 'string') {
    issues.push({ path: `${path}.system`, message: 'system must be a string' });
  }
  if (typeof value.code !== 'string' || value.code === '') {
    issues.push({ path: `${path}.code`, message: 'code must be a non-empty string' });
  }
}

function readCriterion(value: unknown, path: string, issues: ImportIssue[]): Criterion | null {
  if (!isRecord(value)) {
    issues.push({ path, message: `a criterion is an object, not ${describe(value)}` });
    return null;
  }
  const before = issues.length;
  if (!Array.isArray(value.termCodes) || value.termCodes.length === 0) {
    issues.push({ path: `${path}.termCodes`, message: 'termCodes must be a non-empty array of term codes' });
  } else {
    value.termCodes.forEach((code, index) => readTermCode(code, `${path}.termCodes[${index}]`, issues));
  }
  if (value.context !== undefined) {
    readTermCode(value.context, `${path}.context`, issues);
  }
  for (const key of ['valueFilter', 'timeRestriction'] as const) {
    if (value[key] !== undefined && !isRecord(value[key])) {
      issues.push({ path: `${path}.${key}`, message: `${key} must be an object, not ${describe(value[key])}` });
    }
  }
  if (value.attributeFilters !== undefined && !Array.isArray(value.attributeFilters)) {
    issues.push({ path: `${path}.attributeFilters`, message: 'attributeFilters must be an array' });
  }
  // The broker checks the rest (filters, dates, near-miss keys) on submit and names every problem.
  return issues.length === before ? (value as Criterion) : null;
}

function readGroups(value: unknown, path: string, issues: ImportIssue[]): DraftCriterion[][] {
  if (!Array.isArray(value) || value.length === 0) {
    issues.push({ path, message: 'must be a non-empty array of criterion groups (arrays)' });
    return [];
  }
  return value.map((group, groupIndex) => {
    const groupPath = `${path}[${groupIndex}]`;
    if (!Array.isArray(group) || group.length === 0) {
      issues.push({ path: groupPath, message: 'a criterion group is a non-empty array of criteria' });
      return [];
    }
    return group.flatMap((item, index) => {
      const criterion = readCriterion(item, `${groupPath}[${index}]`, issues);
      return criterion === null ? [] : [{ key: newCriterionKey(), entryId: null, filters: null, criterion }];
    });
  });
}

/**
 * Reads a CCDL file (a structured query, or a CRTDL document with one under `cohortDefinition`) into a builder draft,
 * or lists every structural problem with its JSON path. Filter details are the broker's to judge on submit.
 */
export function importCcdl(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: [{ path: '$', message: `not JSON: ${error instanceof Error ? error.message : ''}` }] };
  }
  const issues: ImportIssue[] = [];
  const root = isRecord(json) && isRecord(json.cohortDefinition) ? json.cohortDefinition : json;
  const rootPath = root === json ? '$' : '$.cohortDefinition';
  if (!isRecord(root)) {
    return { ok: false, error: [{ path: '$', message: `a CCDL query is an object, not ${describe(root)}` }] };
  }
  const inclusion = readGroups(root.inclusionCriteria, `${rootPath}.inclusionCriteria`, issues);
  const exclusion =
    root.exclusionCriteria === undefined
      ? []
      : readGroups(root.exclusionCriteria, `${rootPath}.exclusionCriteria`, issues);
  if (root.display !== undefined && typeof root.display !== 'string') {
    issues.push({ path: `${rootPath}.display`, message: 'display must be a string' });
  }
  if (issues.length > 0) {
    return { ok: false, error: issues };
  }
  return { ok: true, value: { display: typeof root.display === 'string' ? root.display : '', inclusion, exclusion } };
}
