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
