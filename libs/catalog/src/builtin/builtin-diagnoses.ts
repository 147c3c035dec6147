import { SYSTEMS } from '@fq/engine';
import { CAUSES_OF_DEATH, DIAGNOSES } from '@fq/synthetic';
import type { CatalogBuilder } from './catalog-builder';
import { ICD10GM_BLOCKS, ICD10GM_CATEGORY_TITLES, ICD10GM_CHAPTERS, icdRangeCovers } from './icd10gm-groups';
import { miiContext, plainFilters } from './mii-contexts';

const NOT_FURTHER_SPECIFIED = /,\s*nicht näher bezeichnet$/;

/** A category's title from its codes' displays: their common leading words, cut before a trailing qualification. */
function categoryTitle(category: string, displays: readonly string[]): string {
  const known = ICD10GM_CATEGORY_TITLES[category];
  if (known !== undefined) {
    return known;
  }
  const split = displays.map((d) => d.split(' '));
  const common: string[] = [];
  for (let i = 0; split.every((words) => i < words.length && words[i] === split[0][i]); i += 1) {
    common.push(split[0][i]);
  }
  const text = (common.length > 0 ? common.join(' ') : displays[0]).replace(/[,:;]$/, '');
  const withoutNos = text.replace(NOT_FURTHER_SPECIFIED, '');
  const comma = withoutNos.indexOf(', ');
  return comma > 0 ? withoutNos.slice(0, comma) : withoutNos;
}

/**
 * ICD-10-GM diagnoses (context Diagnose): the codes the synthetic sites record, their three-character categories,
 * the blocks (selectable: the engine matches a block against every category in it) and the chapters (grouping only).
 */
export function addDiagnoses(builder: CatalogBuilder): void {
  const context = miiContext('Diagnose');
  const filters = plainFilters('Diagnose', { system: SYSTEMS.icd10gm, code: 'E11' });
  const icd = (code: string, display: string, selectable = true): string =>
    builder.add(context, { system: SYSTEMS.icd10gm, code, display }, { selectable, filters });

  const chapterIds = new Map(
    ICD10GM_CHAPTERS.map((chapter) => [chapter.numeral, icd(chapter.numeral, chapter.display, false)] as const),
  );
  const chapterOf = (category: string): string | undefined =>
    chapterIds.get(ICD10GM_CHAPTERS.find((c) => icdRangeCovers(c.from, c.to, category))?.numeral ?? '');
  const blocks = ICD10GM_BLOCKS.map(([range, display]) => {
    const [from, to] = range.split('-');
    return { from, to, id: icd(range, display) };
  });
  /** The narrowest block holding a range, or undefined. */
  const blockOf = (from: string, to: string, self?: string): (typeof blocks)[number] | undefined =>
    blocks
      .filter((b) => b.id !== self && icdRangeCovers(b.from, b.to, from) && icdRangeCovers(b.from, b.to, to))
      .reduce<(typeof blocks)[number] | undefined>(
        (best, b) => (best === undefined || (b.from >= best.from && b.to <= best.to) ? b : best),
        undefined,
      );
  for (const block of blocks) {
    const parent = blockOf(block.from, block.to, block.id)?.id ?? chapterOf(block.from);
    if (parent !== undefined) {
      builder.link(parent, block.id);
    }
  }

  const byCategory = new Map<string, Array<{ code: string; display: string }>>();
  for (const dx of DIAGNOSES) {
    const category = dx.code.slice(0, 3);
    byCategory.set(category, [...(byCategory.get(category) ?? []), dx]);
  }
  for (const [category, codes] of byCategory) {
    const own = codes.find((c) => c.code === category);
    const categoryId = icd(
      category,
      own?.display ??
        categoryTitle(
          category,
          codes.map((c) => c.display),
        ),
    );
    const parent = blockOf(category, category)?.id ?? chapterOf(category);
    if (parent !== undefined) {
      builder.link(parent, categoryId);
    }
    const ids = new Map(codes.map((c) => [c.code, icd(c.code, c.display)] as const));
    for (const [code, id] of ids) {
      if (code === category) {
        continue;
      }
      // E11.90 hangs below E11.9 when the catalog has it, otherwise below E11.
      const fourChar = code.length > 5 ? ids.get(code.slice(0, 5)) : undefined;
      builder.link(fourChar ?? categoryId, id);
    }
  }
}

/** Cause of death (context Todesursache): one criterion, the WHO ICD-10 code as its attribute. */
export function addCauseOfDeath(builder: CatalogBuilder): void {
  const context = miiContext('Todesursache');
  const termCode = { system: SYSTEMS.snomed, code: '16100001', display: 'Todesursache' };
  builder.add(context, termCode, {
    synonyms: ['Death diagnosis', 'verstorben an'],
    filters: {
      ...plainFilters('Todesursache', termCode),
      attributeFilters: [
        {
          type: 'concept',
          attributeCode: {
            system: SYSTEMS.structureDefinition,
            code: 'icd10-who',
            display: 'Todesursache (ICD-10-WHO)',
          },
          allowedConcepts: CAUSES_OF_DEATH.map((c) => ({ system: SYSTEMS.icd10who, code: c.code, display: c.display })),
          optional: true,
        },
      ],
    },
  });
}
