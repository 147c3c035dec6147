import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { BrokerApi } from '../api/broker-api.client';
import type { UserRole, WebConfig } from '../api/api-types';
import { beginOidcSignIn, completeOidcSignIn } from './oidc.client';
import { type Session, sessionStore } from './session.store';

/** Who is signed in, as the broker sees the token. */
export interface SignedInUser {
  userId: string;
  role: UserRole;
}

/** The one auth state of the page: how to sign in, who is signed in, and the API client that carries the token. */
export interface AuthState {
  api: BrokerApi;
  config: WebConfig | null;
  /** Loading the configuration or checking a stored token. */
  checking: boolean;
  user: SignedInUser | null;
  error: string | null;
  signInAsDemo: (role: 'researcher' | 'admin') => Promise<void>;
  signInWithOidc: (returnTo: string) => Promise<void>;
  completeOidc: (callbackUrl: URL) => Promise<string>;
  signOut: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

/** The auth state for the pages below it. */
export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (state === null) {
    throw new Error('useAuth outside AuthProvider');
  }
  return state;
}

/** Holds the session in memory (and sessionStorage, for reloads) and gives every page the same API client. */
export function AuthProvider({ children }: { children: ComponentChildren }) {
  const [session, setSession] = useState<Session | null>(() => sessionStore.read());
  const [config, setConfig] = useState<WebConfig | null>(null);
  const [user, setUser] = useState<SignedInUser | null>(null);
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const api = useMemo(
    () =>
      new BrokerApi(
        () => session?.token ?? null,
        '',
        () => {
          sessionStore.clear();
          setSession(null);
          setError('Your sign-in has expired or was revoked: sign in again.');
        },
      ),
    [session],
  );

  useEffect(() => {
    new BrokerApi(() => null).webConfig().then(setConfig, (failure: unknown) => setError(String(failure)));
  }, []);

  useEffect(() => {
    if (session === null) {
      setUser(null);
      setChecking(false);
      return;
    }
    setChecking(true);
    api.quota().then(
      (quota) => {
        setUser({ userId: quota.userId, role: quota.role });
        setChecking(false);
      },
      (failure: unknown) => {
        sessionStore.clear();
        setSession(null);
        setError(`the stored sign-in no longer works: ${failure instanceof Error ? failure.message : String(failure)}`);
        setChecking(false);
      },
    );
  }, [api, session]);

  const start = useCallback((next: Session) => {
    sessionStore.write(next);
    setError(null);
    setSession(next);
  }, []);

  const signInAsDemo = useCallback(
    async (role: 'researcher' | 'admin') => {
      try {
        const answer = await api.devSignIn({ user: role === 'admin' ? 'demo-admin' : 'demo-researcher', role });
        start({ token: answer.token, expiresAt: answer.expiresAt, method: 'dev' });
      } catch (failure) {
        setError(`sign-in failed: ${failure instanceof Error ? failure.message : String(failure)}`);
      }
    },
    [api, start],
  );

  const signInWithOidc = useCallback(
    async (returnTo: string) => {
      if (config === null || config.oidc === null) {
        setError('no identity provider is configured');
        return;
      }
      try {
        await beginOidcSignIn(config.oidc, returnTo);
      } catch (failure) {
        setError(`sign-in failed: ${failure instanceof Error ? failure.message : String(failure)}`);
      }
    },
    [config],
  );

  const completeOidc = useCallback(
    async (callbackUrl: URL) => {
      const settings = config?.oidc ?? (await new BrokerApi(() => null).webConfig()).oidc;
      if (settings === null) {
        throw new Error('no identity provider is configured');
      }
      const { session: next, returnTo } = await completeOidcSignIn(settings, callbackUrl);
      start(next);
      return returnTo;
    },
    [config, start],
  );

  const signOut = useCallback(() => {
    sessionStore.clear();
    setSession(null);
  }, []);

  const state: AuthState = {
    api,
    config,
    checking: checking || config === null,
    user: session === null ? null : user,
    error,
    signInAsDemo,
    signInWithOidc,
    completeOidc,
    signOut,
  };
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}
