import { readFileSync } from 'node:fs';
import { CodeHierarchy } from '../../codes/code-hierarchy';
import { MappingInvalidError } from '../../errors';
import { parseConceptTrees } from './concept-tree.loader';

const SAMPLE = '/work/shared/fixtures/mii-mapping-samples/mapping_tree.json';
const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const DIAGNOSE = { system: 'fdpg.mii.cds', code: 'Diagnose' };

function expectParsed(json: unknown) {
  const result = parseConceptTrees(json);
  if (!result.ok) {
    throw new Error(`expected a valid tree, got ${JSON.stringify(result.error.issues)}`);
  }
  return result.value;
}

function expectIssues(json: unknown) {
  const result = parseConceptTrees(json);
  if (result.ok) {
    throw new Error('expected issues');
  }
  expect(result.error).toBeInstanceOf(MappingInvalidError);
  expect(result.error.code).toBe('ENGINE_MAPPING_INVALID');
  return result.error.issues;
}

describe('parseConceptTrees', () => {
  it('reads the FLARE sample tree with every entry and its context', () => {
    const raw = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Array<{
      context: { system: string; code: string };
      system: string;
      entries: Array<{ key: string }>;
    }>;
    const trees = expectParsed(raw);
    expect(trees).toHaveLength(raw.length);
    trees.forEach((tree, i) => {
      expect(tree.context).toEqual({ system: raw[i].context.system, code: raw[i].context.code });
      expect(tree.system).toBe(raw[i].system);
      expect([...tree.children.keys()]).toEqual(raw[i].entries.map((entry) => entry.key));
      expect([...tree.children.values()].every((children) => children.length === 0)).toBe(true);
    });
  });

  it('treats children that are no entries, and omitted children, as leaves', () => {
    const trees = expectParsed([
      {
        context: { ...DIAGNOSE, display: 'Diagnose', version: '1.0.0' },
        system: ICD,
        version: '2024',
        entries: [
          { key: 'E10-E14', parents: [], children: ['E11', 'E12'] },
          { key: 'E11', parents: ['E10-E14'], children: ['E11.9'] },
          { key: 'E12' },
        ],
      },
    ]);
    const hierarchy = new CodeHierarchy({}, trees);
    expect(hierarchy.covers(DIAGNOSE, ICD, 'E10-E14', 'E11.9')).toBe(true);
    expect(hierarchy.covers(DIAGNOSE, ICD, 'E11.9', 'E11.9')).toBe(true);
    expect(hierarchy.covers(DIAGNOSE, ICD, 'E12', 'E12.1')).toBe(false);
    expect(hierarchy.covers({ system: 'fdpg.mii.cds', code: 'Specimen' }, ICD, 'E10-E14', 'E11')).toBe(false);
  });

  it('merges the children of a key listed twice', () => {
    const [tree] = expectParsed([
      {
        context: DIAGNOSE,
        system: ICD,
        entries: [
          { key: 'A', children: ['B'] },
          { key: 'A', children: ['C', 'B'] },
        ],
      },
    ]);
    expect(tree.children.get('A')).toEqual(['B', 'C']);
  });

  it('lists every shape problem with its JSON path', () => {
    const issues = expectIssues([
      {
        context: { system: 'fdpg.mii.cds' },
        system: ICD,
        entries: [
          { key: 'A', children: [] },
          { key: 'B', children: [7] },
        ],
      },
      { context: DIAGNOSE, entries: 'none' },
    ]);
    expect(issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['$[0].context.code', 'ENGINE_MAPPING_REQUIRED'],
      ['$[0].entries[1].children[0]', 'ENGINE_MAPPING_INVALID_TYPE'],
      ['$[1].system', 'ENGINE_MAPPING_REQUIRED'],
      ['$[1].entries', 'ENGINE_MAPPING_INVALID_TYPE'],
    ]);
    expect(issues.map((issue) => issue.message)).toEqual([
      'required (string)',
      expect.stringContaining('expected string'),
      'required (string)',
      expect.stringContaining('expected array'),
    ]);
  });

  it('rejects a document that is not an array of roots', () => {
    const issues = expectIssues({ entries: [] });
    expect(issues.map((issue) => [issue.path, issue.code])).toEqual([['$', 'ENGINE_MAPPING_INVALID_TYPE']]);
    expect(issues[0].message).toContain('expected array');
  });
});
