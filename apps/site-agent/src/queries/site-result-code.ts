/** Stable codes of what a site sends back or writes to its audit log. */
export const SiteResultCode = {
  PolicyRefused: 'SITE_POLICY_REFUSED',
  RateLimited: 'SITE_RATE_LIMITED',
  ApprovalRejected: 'SITE_APPROVAL_REJECTED',
  QueryHashMismatch: 'SITE_QUERY_HASH_MISMATCH',
  EvaluationFailed: 'SITE_EVALUATION_FAILED',
  ProtectionFailed: 'SITE_PROTECTION_FAILED',
  PrivacyBudgetExhausted: 'SITE_PRIVACY_BUDGET_EXHAUSTED',
} as const;
