export * from './ccdl.schema';
export * from './canonical.schema';
export { canonicalizeQuery, hashQuery, serializeCanonicalQuery } from './canonical';
export { listCriteria, type LocatedCriterion } from './criteria';
export { type CcdlError, type CcdlIssue, CcdlIssueCode, CcdlJsonError, CcdlValidationError } from './errors';
export {
  type ParsedQuery,
  parseStructuredQuery,
  parseStructuredQueryJson,
  parseStructuredQueryWithWarnings,
} from './parse';
