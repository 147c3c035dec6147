// The broker's bodies as the page sees them: types only, inferred from the zod schemas in @fq/contracts and @fq/ccdl,
// so the page and the broker never drift. Nothing here reaches the bundle.
export type {
  CatalogTermCode,
  CriterionFilters,
  AttributeFilterDefinition,
  BlacklistEntry,
  BlacklistList,
  CreateSavedQueryRequestInput,
  DevSignInRequest,
  DevSignInResponse,
  ProblemIssue,
  QueryList,
  QueryListEntry,
  QueryResult,
  QuerySiteResult,
  QueryStatus,
  QuotaLimit,
  QueryWarning,
  QuotaUsage,
  SavedQuery,
  SavedQueryList,
  SavedQuerySummary,
  SiteResultEvent,
  SiteState,
  SiteStateList,
  SubmitQueryResponse,
  TerminologyEntry,
  TerminologyEntrySummary,
  TerminologySearchResponse,
  UpdateSavedQueryRequestInput,
  UserRole,
  ValueFilterDefinition,
  WebConfig,
  WebOidcSettings,
} from '@fq/contracts';
export type { AttributeFilter, Criterion, StructuredQuery, TermCode, TimeRestriction, ValueFilter } from '@fq/ccdl';

import type { StructuredQuery } from '@fq/ccdl';

/** What the page submits: a structured query (CCDL keeps unknown keys, so an imported file passes as it is). */
export type StructuredQueryLike = StructuredQuery;
