// German text is searched folded: lower case, ä → a, ß → ss, other accents dropped, so "Hamo" finds "Hämoglobin"
// and "strasse" finds "Straße" whichever way either side was typed.
const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Folds text for search: lower case, German umlauts and ß spelled out plainly, accents removed. */
export function foldText(text: string): string {
  return text.toLowerCase().replace(/ß/g, 'ss').normalize('NFD').replace(COMBINING_MARKS, '');
}
