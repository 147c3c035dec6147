import * as oauth from 'oauth4webapi';
import type { WebOidcSettings } from '../api/api-types';
import type { Session } from './session.store';

/** Where the provider sends the browser back with the authorization code. */
export const CALLBACK_PATH = '/auth/callback';

const PENDING_KEY = 'fq.oidc.pending';

interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

// A provider on this machine (a developer's Keycloak, the browser tests' oidc-provider) may speak plain http; any other
// must use https, as oauth4webapi insists.
function requestOptions(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(settings: WebOidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

function redirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

/**
 * Starts the authorization code flow with PKCE: keeps the verifier, state and nonce in sessionStorage and sends the
 * browser to the provider's authorization endpoint.
 */
export async function beginOidcSignIn(settings: WebOidcSettings, returnTo: string): Promise<void> {
  const server = await discover(settings);
  if (server.authorization_endpoint === undefined) {
    throw new Error(`the provider ${settings.issuer} names no authorization endpoint`);
  }
  const pending: PendingSignIn = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scopes.join(' '));
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  window.location.assign(url.href);
}

/**
 * Finishes the flow on the callback page: checks the state, exchanges the code (with the PKCE verifier) for tokens,
 * checks the ID token's nonce, and returns the session and where to go next. The caller replaces the URL, so the code
 * does not stay in the address bar or the history.
 */
export async function completeOidcSignIn(
  settings: WebOidcSettings,
  callbackUrl: URL,
): Promise<{ session: Session; returnTo: string }> {
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (stored === null) {
    throw new Error('no sign-in was started in this tab: start it again');
  }
  const pending = JSON.parse(stored) as PendingSignIn;
  const server = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const params = oauth.validateAuthResponse(server, client, callbackUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    requestOptions(new URL(settings.issuer)),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  const lifetime = typeof tokens.expires_in === 'number' ? tokens.expires_in : 300;
  return {
    session: {
      token: tokens.access_token,
      expiresAt: new Date(Date.now() + lifetime * 1000).toISOString(),
      method: 'oidc',
    },
    returnTo: pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/',
  };
}
