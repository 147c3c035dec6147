/** A term code as the diagnostics name it. */
export interface TermCodeRef {
  system: string;
  code: string;
}

/** Something in a criterion the mapping cannot evaluate; the criterion then matches nothing. */
export interface CriterionIssue {
  /** Stable code, e.g. ENGINE_TERM_CODE_UNMAPPED, ENGINE_ATTRIBUTE_UNMAPPED. */
  code: string;
  /** JSON path inside the query, e.g. `$.inclusionCriteria[0][1].attributeFilters[0]`. */
  path: string;
  message: string;
}

/** What the operator learns about one criterion: which codes the mapping did not know and how many patients it matched. */
export interface CriterionDiagnostic {
  /** JSON path of the criterion, e.g. `$.exclusionCriteria[1][0]`. */
  path: string;
  /** The criterion's context code (e.g. `Diagnose`), or null when the query gives none. */
  context: string | null;
  /** Term codes no mapping entry covers: they match nothing. */
  unknownTermCodes: TermCodeRef[];
  issues: CriterionIssue[];
  /** Patients this criterion alone matches; exact, for the site operator only. */
  rawPatientCount: number;
}

/** The exact result of one query on one site's index; never leaves the site unprotected. */
export interface QueryEvaluation {
  rawCount: number;
  /** The cohort's key (`CohortCount`), or null when the index was built without record keys. */
  cohortKey: string | null;
  evaluationDate: string;
  criteria: CriterionDiagnostic[];
}

/** What a site protects: the exact count and the key of the cohort it counts; neither leaves the site. */
export interface CohortCount {
  rawCount: number;
  /** XOR of the matching patients' record keys, 32 lowercase hex digits; the same patients give the same key. */
  cohortKey: string;
}

export interface EvaluateOptions {
  /** `YYYY-MM-DD`; ages are computed relative to it. */
  evaluationDate: string;
}
