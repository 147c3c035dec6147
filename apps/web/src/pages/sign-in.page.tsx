import { useAuth } from '../auth/auth.context';

/** Sign-in: one click as a demo user when the development issuer is on, the configured OIDC provider otherwise. */
export function SignInPage({ returnTo }: { returnTo: string }) {
  const auth = useAuth();
  const { config } = auth;
  return (
    <section class="sign-in panel" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p>
        Ask the research network how many patients match your criteria, without any patient data leaving a hospital.
      </p>
      {config === null ? (
        <p role="status">Loading…</p>
      ) : (
        <div class="sign-in-options">
          {config.oidc !== null && (
            <button type="button" class="primary" onClick={() => void auth.signInWithOidc(returnTo)}>
              Sign in with your institution
            </button>
          )}
          {config.devSignIn && (
            <>
              <button type="button" class="primary" onClick={() => void auth.signInAsDemo('researcher')}>
                Sign in as demo researcher
              </button>
              <button type="button" onClick={() => void auth.signInAsDemo('admin')}>
                Sign in as demo admin
              </button>
              <p class="hint">Demo sign-in: this broker runs its development token issuer.</p>
            </>
          )}
          {config.oidc === null && !config.devSignIn && <p>No sign-in method is configured on this broker.</p>}
        </div>
      )}
      {auth.error !== null && <p role="alert">{auth.error}</p>}
    </section>
  );
}
