import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblemError } from '../api/api-problem';
import type { QuotaUsage } from '../api/api-types';
import { useAuth } from '../auth/auth.context';
import { quotaGate, type QuotaGate } from './quota-words';

/** Rolling windows move on while the page is open: read the quota again this often. */
const REFRESH_MS = 30_000;

/** The signed-in user's quota, whether a submission may go out now, and the clock its countdown runs on. */
export interface QuotaState {
  usage: QuotaUsage | null;
  error: string | null;
  gate: QuotaGate;
  /** The current time (epoch ms), ticking every second while a countdown runs. */
  now: number;
  refresh: () => void;
  /** Tells the quota a submission went out (`null`) or failed (a 429 starts the countdown from Retry-After). */
  noteSubmission: (failure: unknown) => void;
}

const QuotaContext = createContext<QuotaState | null>(null);

/** The quota state for the pages below it. */
export function useQuota(): QuotaState {
  const state = useContext(QuotaContext);
  if (state === null) {
    throw new Error('useQuota outside QuotaProvider');
  }
  return state;
}

/** Reads `GET /api/v1/quota` for the signed-in user, keeps it current and runs the countdown after a 429. */
export function QuotaProvider({ children }: { children: ComponentChildren }) {
  const { api, user } = useAuth();
  const [usage, setUsage] = useState<QuotaUsage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [reads, setReads] = useState(0);
  const refresh = useCallback(() => setReads((count) => count + 1), []);

  useEffect(() => {
    if (user === null) {
      setUsage(null);
      setRetryUntil(null);
      return;
    }
    let current = true;
    api.quota().then(
      (next) => {
        if (current) {
          setUsage(next);
          setError(null);
          setNow(Date.now());
        }
      },
      (failure: unknown) => {
        if (current) {
          setError(failure instanceof Error ? failure.message : String(failure));
        }
      },
    );
    const timer = setTimeout(refresh, REFRESH_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, user, reads, refresh]);

  const gate = quotaGate(usage, retryUntil, now);
  const waiting = gate.state === 'wait';
  useEffect(() => {
    if (!waiting) {
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waiting]);

  // When the countdown ends, ask the broker again rather than trust the page's clock.
  const wasWaiting = useRef(false);
  useEffect(() => {
    if (wasWaiting.current && !waiting) {
      refresh();
    }
    wasWaiting.current = waiting;
  }, [waiting, refresh]);

  const noteSubmission = useCallback(
    (failure: unknown) => {
      if (failure instanceof ApiProblemError && failure.status === 429 && failure.retryAfterSeconds !== null) {
        const at = Date.now();
        setRetryUntil(at + failure.retryAfterSeconds * 1000);
        setNow(at);
      }
      refresh();
    },
    [refresh],
  );

  const state: QuotaState = { usage, error, gate, now, refresh, noteSubmission };
  return <QuotaContext.Provider value={state}>{children}</QuotaContext.Provider>;
}
