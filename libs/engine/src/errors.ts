export interface EngineIssue {
  path: string;
  code: string;
  message: string;
}

/** Base of every engine error; `code` is stable and machine-readable. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** A mapping or concept-tree file that does not have the expected shape; lists every issue. */
export class MappingInvalidError extends EngineError {
  constructor(
    message: string,
    readonly issues: EngineIssue[],
    options?: { cause?: unknown },
  ) {
    super('ENGINE_MAPPING_INVALID', message, options);
    this.name = 'MappingInvalidError';
  }
}

/** A FHIRPath expression in a mapping that fhirpath.js cannot compile. */
export class FhirPathInvalidError extends EngineError {
  constructor(
    readonly expression: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ENGINE_FHIRPATH_INVALID', message, options);
    this.name = 'FhirPathInvalidError';
  }
}

/** An input path that cannot be read as FHIR data at all (missing, unreadable). */
export class FhirInputError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENGINE_INPUT_UNREADABLE', message, options);
    this.name = 'FhirInputError';
  }
}

/** Why a saved index snapshot was not used; the caller rebuilds the index from the data. */
export type IndexSnapshotErrorCode =
  | 'ENGINE_SNAPSHOT_MISSING'
  | 'ENGINE_SNAPSHOT_UNREADABLE'
  | 'ENGINE_SNAPSHOT_CORRUPT'
  | 'ENGINE_SNAPSHOT_VERSION'
  | 'ENGINE_SNAPSHOT_OTHER_CONFIG'
  | 'ENGINE_SNAPSHOT_OTHER_DATA'
  | 'ENGINE_SNAPSHOT_OTHER_NUMBERS'
  | 'ENGINE_SNAPSHOT_WRITE_FAILED';

/** An index snapshot that cannot be written, or cannot be used (corrupt, another format, other data or numbers). */
export class IndexSnapshotError extends EngineError {
  constructor(
    override readonly code: IndexSnapshotErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'IndexSnapshotError';
  }
}
