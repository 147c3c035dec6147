import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiProblemError } from '../api/api-problem';
import type { StructuredQuery } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { useQuota } from '../quota/quota.context';

/** A failed submission in words, with the Retry-After of a 429. */
export function describeSubmitFailure(failure: unknown): string {
  if (!(failure instanceof ApiProblemError)) {
    return failure instanceof Error ? failure.message : String(failure);
  }
  const issues = failure.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  const wait = failure.retryAfterSeconds !== null ? ` (try again in ${failure.retryAfterSeconds} s)` : '';
  return `${failure.message}${wait}${issues === '' ? '' : ` (${issues})`}`;
}

/**
 * Submits a query again (`POST /api/v1/queries` with its CCDL) and opens the new query's result page; holds back
 * while the quota says to wait.
 */
export function useRerunQuery() {
  const { api } = useAuth();
  const quota = useQuota();
  const { route } = useLocation();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const rerun = async (query: StructuredQuery) => {
    if (quota.gate.state !== 'open') {
      return;
    }
    setRunning(true);
    setError(null);
    try {
      const answer = await api.submitQuery(query);
      quota.noteSubmission(null);
      route(`/queries/${answer.id}`);
    } catch (failure) {
      quota.noteSubmission(failure);
      setError(describeSubmitFailure(failure));
    } finally {
      setRunning(false);
    }
  };
  return { rerun, running, error, blocked: quota.gate.state !== 'open' };
}
