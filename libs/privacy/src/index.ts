export { budgetStanding, budgetWindowMs, decideCohortCharge, parseBudgetPolicy } from './budget';
export {
  type BudgetEntry,
  BudgetPolicy,
  type BudgetPolicyInput,
  type BudgetStanding,
  type CohortCharge,
  DEFAULT_BUDGET_POLICY,
  MAX_BUDGET_COHORTS,
  MAX_BUDGET_WINDOW_DAYS,
} from './budget.schema';
export {
  type PrivacyError,
  PrivacyInputError,
  type PrivacyIssue,
  PrivacyIssueCode,
  PrivacyPolicyError,
  PrivacySecretError,
} from './errors';
export { createCohortKeyer, createRecordKeyDeriver, isCohortKey, numberingCheckOf, RECORD_KEY_BYTES } from './cell-key';
export { PatientNumbering } from './patient-numbering';
export {
  DEFAULT_PROTECTION_POLICY,
  Epsilon,
  EpsilonFraction,
  type EpsilonInput,
  EpsilonText,
  MAX_EPSILON,
  MAX_EPSILON_TERM,
  MAX_ROUNDING,
  ProtectedCount,
  ProtectionPolicy,
  type ProtectionPolicyInput,
} from './policy.schema';
export { parseProtectionPolicy } from './policy';
export { type CountProtectorInput, createCountProtector, type ProtectCountInput, protectCount } from './protect-count';
export { decodeSiteSecret, encodeSiteSecret, generateSiteSecret, SITE_SECRET_BYTES } from './site-secret';
