import { QUERY_TITLE_MAX_LENGTH } from '@fq/contracts';

/**
 * A query's title: its CCDL top-level `display`, trimmed, cut to 200 characters without splitting a character; null
 * when the query has none or only blanks.
 */
export function queryTitleOf(query: unknown): string | null {
  if (typeof query !== 'object' || query === null || !('display' in query) || typeof query.display !== 'string') {
    return null;
  }
  const trimmed = query.display.trim();
  if (trimmed === '') {
    return null;
  }
  let title = '';
  for (const character of trimmed) {
    if (title.length + character.length > QUERY_TITLE_MAX_LENGTH) {
      break;
    }
    title += character;
  }
  return title;
}
