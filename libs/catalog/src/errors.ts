/** One problem with a catalog or an upstream ontology file: where (`$`-rooted JSON path), what, and why. */
export interface CatalogIssue {
  /** The file the issue is in, when it came from one. */
  file?: string;
  path: string;
  code: string;
  message: string;
}

/** Stable codes of the catalog's errors and issues. */
export const CatalogErrorCode = {
  FileInvalid: 'CATALOG_FILE_INVALID',
  FileUnreadable: 'CATALOG_FILE_UNREADABLE',
  JsonInvalid: 'CATALOG_JSON_INVALID',
  EntryDuplicate: 'CATALOG_ENTRY_DUPLICATE',
  LinkUnknown: 'CATALOG_LINK_UNKNOWN',
  ImportEmpty: 'CATALOG_IMPORT_EMPTY',
} as const;
export type CatalogErrorCode = (typeof CatalogErrorCode)[keyof typeof CatalogErrorCode];

/** Base of every catalog error; `code` is stable and machine-readable, `issues` lists every problem found. */
export class CatalogError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
    readonly issues: CatalogIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CatalogError';
  }
}
