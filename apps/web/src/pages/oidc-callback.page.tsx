import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useAuth } from '../auth/auth.context';

/** Where the identity provider returns: exchanges the code, then replaces the URL so the code leaves the address bar. */
export function OidcCallbackPage() {
  const { completeOidc } = useAuth();
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const callbackUrl = new URL(window.location.href);
    // Out of the address bar and the history at once, whatever happens next.
    window.history.replaceState(null, '', '/auth/callback');
    completeOidc(callbackUrl).then(
      (returnTo) => route(returnTo, true),
      (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)),
    );
  }, []);

  return (
    <section class="panel" aria-labelledby="callback-title">
      <h2 id="callback-title">Signing in…</h2>
      {error !== null && (
        <p role="alert">
          Sign-in failed: {error}. <a href="/">Start again</a>
        </p>
      )}
    </section>
  );
}
