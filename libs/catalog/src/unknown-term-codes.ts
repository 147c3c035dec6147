import { listCriteria, type StructuredQuery } from '@fq/ccdl';
import type { CriteriaCatalog } from './criteria-catalog';

/** A term code of a query that the catalog does not know: accepted (a site may know it), but worth a second look. */
export interface UnknownTermCodeWarning {
  code: 'CCDL_UNKNOWN_TERM_CODE';
  path: string;
  message: string;
}

/**
 * Lists every term code of a query (criteria nested in reference filters included) that no catalog entry has, with
 * its JSON path, e.g. `$.inclusionCriteria[0][1].termCodes[0]`.
 * @param root - where the query sits in the request: `$`, or `$.cohortDefinition` in a CRTDL document
 */
export function listUnknownTermCodes(
  catalog: Pick<CriteriaCatalog, 'knowsTermCode'>,
  query: StructuredQuery,
  root = '$',
): UnknownTermCodeWarning[] {
  const warnings: UnknownTermCodeWarning[] = [];
  for (const { path, criterion } of listCriteria(query, root)) {
    criterion.termCodes.forEach((termCode, i) => {
      if (!catalog.knowsTermCode(termCode)) {
        warnings.push({
          code: 'CCDL_UNKNOWN_TERM_CODE',
          path: `${path}.termCodes[${i}]`,
          message: `the broker's catalog does not know ${termCode.system}|${termCode.code}; a site may still know it`,
        });
      }
    });
  }
  return warnings;
}
