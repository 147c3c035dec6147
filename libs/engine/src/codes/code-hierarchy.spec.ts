import fc from 'fast-check';
import type { HierarchyRule, MappedCode } from '../mapping/mapping.schema';
import { CodeHierarchy, type ConceptTree } from './code-hierarchy';

const ICD = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm';
const OPS = 'http://fhir.de/CodeSystem/bfarm/ops';
const ATC = 'http://fhir.de/CodeSystem/bfarm/atc';
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RULES: Record<string, HierarchyRule> = { [ICD]: 'icd-10', [OPS]: 'prefix', [ATC]: 'prefix' };

const DIAGNOSE: MappedCode = { system: 'fdpg.mii.cds', code: 'Diagnose' };
const SPECIMEN: MappedCode = { system: 'fdpg.mii.cds', code: 'Specimen' };

function tree(context: MappedCode, system: string, edges: Record<string, string[]>): ConceptTree {
  return { context, system, children: new Map(Object.entries(edges)) };
}

describe('CodeHierarchy', () => {
  const rules = new CodeHierarchy(RULES);

  describe('with the ICD-10 rule', () => {
    it('lets a category cover its subcategories and their subcodes', () => {
      expect(rules.covers(DIAGNOSE, ICD, 'E11', 'E11')).toBe(true);
      expect(rules.covers(DIAGNOSE, ICD, 'E11', 'E11.9')).toBe(true);
      expect(rules.covers(DIAGNOSE, ICD, 'E11', 'E11.90')).toBe(true);
      expect(rules.covers(DIAGNOSE, ICD, 'E11.9', 'E11.90')).toBe(true);
    });

    it('does not let a category cover a longer code without the dot or a shorter one', () => {
      expect(rules.covers(DIAGNOSE, ICD, 'E11', 'E110')).toBe(false);
      expect(rules.covers(DIAGNOSE, ICD, 'E11', 'E1')).toBe(false);
      expect(rules.covers(DIAGNOSE, ICD, 'E11.9', 'E11')).toBe(false);
      expect(rules.covers(DIAGNOSE, ICD, 'E11.9', 'E11.1')).toBe(false);
      expect(rules.covers(DIAGNOSE, ICD, 'E11', 'E12.9')).toBe(false);
    });

    it('lets a block cover the categories in its range and their subcodes', () => {
      for (const code of ['E10', 'E11', 'E12.1', 'E13.90', 'E14', 'E14.9', 'E10-E14']) {
        expect([code, rules.covers(DIAGNOSE, ICD, 'E10-E14', code)]).toEqual([code, true]);
      }
    });

    it('does not let a block cover categories outside its range', () => {
      for (const code of ['E15', 'E15.0', 'E09.9', 'D99', 'F10', 'E1']) {
        expect([code, rules.covers(DIAGNOSE, ICD, 'E10-E14', code)]).toEqual([code, false]);
      }
    });

    it('applies the rule without a context', () => {
      expect(rules.covers(undefined, ICD, 'E11', 'E11.9')).toBe(true);
    });
  });

  describe('with the prefix rule', () => {
    it('lets an OPS code cover the codes that extend it', () => {
      expect(rules.covers(DIAGNOSE, OPS, '5-01', '5-010.0')).toBe(true);
      expect(rules.covers(DIAGNOSE, OPS, '5-010', '5-010.00')).toBe(true);
      expect(rules.covers(DIAGNOSE, OPS, '5-010.0', '5-010')).toBe(false);
      expect(rules.covers(DIAGNOSE, OPS, '5-01', '5-02')).toBe(false);
    });

    it('lets an ATC group cover its substances', () => {
      expect(rules.covers(DIAGNOSE, ATC, 'A10', 'A10BA02')).toBe(true);
      expect(rules.covers(DIAGNOSE, ATC, 'A10B', 'A10BA02')).toBe(true);
      expect(rules.covers(DIAGNOSE, ATC, 'A10BA02', 'A10B')).toBe(false);
      expect(rules.covers(DIAGNOSE, ATC, 'A10', 'A11')).toBe(false);
    });
  });

  describe('without a rule', () => {
    it('matches a code only to itself', () => {
      expect(rules.covers(DIAGNOSE, LOINC, '2339-0', '2339-0')).toBe(true);
      expect(rules.covers(DIAGNOSE, LOINC, '2339', '2339-0')).toBe(false);
      expect(rules.covers(DIAGNOSE, SNOMED, '73211009', '7321100')).toBe(false);
      expect(rules.covers(undefined, SNOMED, '73211009', '732110091')).toBe(false);
    });
  });

  describe('with concept trees', () => {
    const hierarchy = new CodeHierarchy(RULES, [
      tree(DIAGNOSE, ICD, { 'E10-E14': ['E11', 'E12'], E11: ['E11.9'], 'E11.9': ['E11.90'] }),
      tree(DIAGNOSE, SNOMED, { root: ['a', 'b'], a: ['a1'], other: ['o1'] }),
      tree(DIAGNOSE, SNOMED, { b: ['b1'], second: ['s1'] }),
      tree(SPECIMEN, SNOMED, { cycle: ['c1'], c1: ['c2'], c2: ['cycle', 'c3'], self: ['self'] }),
    ]);

    it('follows the tree instead of the rule for its context and system', () => {
      expect(hierarchy.covers(DIAGNOSE, ICD, 'E10-E14', 'E11.90')).toBe(true);
      expect(hierarchy.covers(DIAGNOSE, ICD, 'E10-E14', 'E13')).toBe(false);
      expect(hierarchy.covers(DIAGNOSE, ICD, 'E11', 'E11.1')).toBe(false);
      expect(hierarchy.covers(DIAGNOSE, ICD, 'E13', 'E13')).toBe(true);
      expect(hierarchy.covers(DIAGNOSE, ICD, 'E13', 'E13.9')).toBe(false);
    });

    it('keeps the rule in another context and without a context', () => {
      expect(hierarchy.covers(SPECIMEN, ICD, 'E10-E14', 'E13')).toBe(true);
      expect(hierarchy.covers(undefined, ICD, 'E10-E14', 'E13')).toBe(true);
      expect(hierarchy.covers(SPECIMEN, SNOMED, 'root', 'a1')).toBe(false);
      expect(hierarchy.hasTree(DIAGNOSE, ICD)).toBe(true);
      expect(hierarchy.hasTree(SPECIMEN, ICD)).toBe(false);
      expect(hierarchy.hasTree(undefined, SNOMED)).toBe(false);
    });

    it('follows every root and joins trees for the same context and system', () => {
      expect(hierarchy.covers(DIAGNOSE, SNOMED, 'root', 'a1')).toBe(true);
      expect(hierarchy.covers(DIAGNOSE, SNOMED, 'other', 'o1')).toBe(true);
      expect(hierarchy.covers(DIAGNOSE, SNOMED, 'root', 'b1')).toBe(true);
      expect(hierarchy.covers(DIAGNOSE, SNOMED, 'second', 's1')).toBe(true);
      expect(hierarchy.covers(DIAGNOSE, SNOMED, 'root', 'o1')).toBe(false);
    });

    it('terminates on cycles and covers every code on the cycle', () => {
      expect(hierarchy.covers(SPECIMEN, SNOMED, 'cycle', 'c3')).toBe(true);
      expect(hierarchy.covers(SPECIMEN, SNOMED, 'c2', 'c1')).toBe(true);
      expect(hierarchy.covers(SPECIMEN, SNOMED, 'self', 'self')).toBe(true);
      expect(hierarchy.expand(SPECIMEN, SNOMED, 'c1', ['c1', 'c2', 'c3', 'cycle', 'x']).sort()).toEqual([
        'c1',
        'c2',
        'c3',
        'cycle',
      ]);
    });

    it('expands a tree code to the present descendants only', () => {
      expect(hierarchy.expand(DIAGNOSE, ICD, 'E10-E14', ['E11.90', 'E12', 'E13']).sort()).toEqual(['E11.90', 'E12']);
      expect(hierarchy.expand(DIAGNOSE, ICD, 'E11', ['E11.90'])).toEqual(['E11.90']);
    });
  });

  describe('expand', () => {
    it('expands a block and a category over the present codes', () => {
      const present = ['D99', 'E1', 'E10', 'E10-E14', 'E11', 'E11.9', 'E11.90', 'E110', 'E14.9', 'E15'];
      expect(rules.expand(DIAGNOSE, ICD, 'E10-E14', present)).toEqual([
        'E10',
        'E10-E14',
        'E11',
        'E11.9',
        'E11.90',
        'E110',
        'E14.9',
      ]);
      expect(rules.expand(DIAGNOSE, ICD, 'E11', present)).toEqual(['E11', 'E11.9', 'E11.90']);
      expect(rules.expand(DIAGNOSE, LOINC, 'E11', present)).toEqual(['E11']);
      expect(rules.expand(DIAGNOSE, LOINC, 'E12', present)).toEqual([]);
    });

    // Small alphabets make prefixes, dots, blocks and near misses frequent.
    const icdCode = fc.oneof(
      fc
        .tuple(fc.constantFrom('D', 'E', 'F'), fc.constantFrom('0', '1', '9'), fc.constantFrom('0', '1', '4', '5', '9'))
        .chain(([l, a, b]) =>
          fc.constantFrom(
            `${l}${a}${b}`,
            `${l}${a}`,
            `${l}${a}${b}0`,
            `${l}${a}${b}.9`,
            `${l}${a}${b}.90`,
            `${l}${a}${b}.1`,
          ),
        ),
      fc
        .tuple(
          fc.constantFrom('D', 'E'),
          fc.constantFrom('10', '11', '14', '99'),
          fc.constantFrom('D', 'E'),
          fc.constantFrom('10', '14', '15', '99'),
        )
        .map(([l1, n1, l2, n2]) => `${l1}${n1}-${l2}${n2}`),
      fc.stringMatching(/^[DE1.\-49]{1,6}$/),
    );
    const prefixCode = fc.oneof(fc.stringMatching(/^[5\-01.]{1,7}$/), fc.stringMatching(/^[A1B0]{1,7}$/));
    const anyCode = fc.oneof(icdCode, prefixCode);
    const sortedUnique = (codes: string[]) => [...new Set(codes)].sort();

    it.each([
      ['ICD-10', ICD, icdCode],
      ['prefix', OPS, prefixCode],
      ['exact', LOINC, anyCode],
    ])('returns exactly the present codes that covers accepts under the %s rule', (_name, system, code) => {
      fc.assert(
        fc.property(code, fc.array(code, { maxLength: 30 }), (ancestor, codes) => {
          const present = sortedUnique(codes);
          const expected = present.filter((c) => rules.covers(DIAGNOSE, system, ancestor, c));
          const expanded = rules.expand(DIAGNOSE, system, ancestor, present);
          expect(new Set(expanded).size).toBe(expanded.length);
          expect([...expanded].sort()).toEqual(expected);
        }),
        { numRuns: 1000 },
      );
    });

    it('returns exactly the present codes that covers accepts in a concept tree', () => {
      const code = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
      const edges = fc.array(fc.tuple(code, code), { maxLength: 12 });
      fc.assert(
        fc.property(edges, code, fc.array(code, { maxLength: 8 }), (pairs, ancestor, codes) => {
          const children: Record<string, string[]> = {};
          for (const [parent, child] of pairs) {
            (children[parent] ??= []).push(child);
          }
          const hierarchy = new CodeHierarchy(RULES, [tree(DIAGNOSE, SNOMED, children)]);
          const present = sortedUnique(codes);
          const expected = present.filter((c) => hierarchy.covers(DIAGNOSE, SNOMED, ancestor, c));
          const expanded = hierarchy.expand(DIAGNOSE, SNOMED, ancestor, present);
          expect(new Set(expanded).size).toBe(expanded.length);
          expect([...expanded].sort()).toEqual(expected);
          // Reachability by hand: covers follows edges transitively and includes the code itself.
          const reach = new Set<string>([ancestor]);
          for (let changed = true; changed;) {
            changed = false;
            for (const [parent, child] of pairs) {
              if (reach.has(parent) && !reach.has(child)) {
                reach.add(child);
                changed = true;
              }
            }
          }
          expect(expected).toEqual(present.filter((c) => reach.has(c)));
        }),
        { numRuns: 1000 },
      );
    });
  });
});
