// @ts-check
/**
 * A real OpenID provider for the end-to-end suites: `oidc-provider` (OpenID certified), run as its own Node process
 * because it is ESM-only and the suites run under Jest as CommonJS (decision 0019).
 *
 * Configured by environment:
 *   OP_CLIENT_ID     the public client the web app signs in as (authorization code + PKCE S256, no secret)
 *   OP_AUDIENCE      the broker's audience: every authorization gets it as resource indicator, so the access token
 *                    is a JWT with that `aud`, signed with the key the provider publishes in its JWKS
 *   OP_ACCOUNT       the one account's id (the tokens' `sub` and `preferred_username`)
 *   OP_ROLES         its roles, comma-separated, put into the access token at `realm_access.roles` (Keycloak's claim)
 *
 * Protocol on stdout and stdin, one line each:
 *   1. it listens on a free loopback port and prints `LISTENING <issuer>` (requests get 503 until step 3);
 *   2. it reads one line from stdin: the client's redirect URIs as a JSON array (the web app's origin is known only
 *      once the broker, configured with this issuer, listens);
 *   3. it prints `READY <issuer>` and serves the provider, with its development login and consent pages;
 *   then for each finished authorization `AUTHORIZED <json>` (the request's parameters) and for each token response
 *   `TOKEN <json>` (the token request's parameters and the access token issued), so a test can check what was asked.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import Provider from 'oidc-provider';

/** @param {string} name */
function required(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`oidc-provider: ${name} is required\n`);
    process.exit(2);
  }
  return value;
}

const clientId = required('OP_CLIENT_ID');
const audience = required('OP_AUDIENCE');
const accountId = required('OP_ACCOUNT');
const roles = required('OP_ROLES').split(',');

/** @type {((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null} */
let handler = null;
const server = createServer((req, res) => {
  if (handler === null) {
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end('not configured yet');
    return;
  }
  handler(req, res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const address = server.address();
if (address === null || typeof address === 'string') {
  throw new Error('the server has no TCP address');
}
const issuer = `http://127.0.0.1:${address.port}`;
process.stdout.write(`LISTENING ${issuer}\n`);

const lines = createInterface({ input: process.stdin });
const first = await new Promise((resolve) => lines.once('line', resolve));
/** @type {unknown} */
const redirectUris = JSON.parse(String(first));
if (
  !Array.isArray(redirectUris) ||
  redirectUris.length === 0 ||
  !redirectUris.every((uri) => typeof uri === 'string')
) {
  throw new Error('the first stdin line must be a JSON array of redirect URIs');
}
const redirectOrigins = new Set(redirectUris.map((uri) => new URL(uri).origin));

// A fresh signing key per run, made by Node's crypto; the provider publishes its public half at jwks_uri.
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [{ ...signingKey, kid: 'op-1', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  pkce: { required: () => true },
  // The web app reads discovery and calls the token endpoint from the broker's origin.
  clientBasedCORS: (_ctx, origin) => redirectOrigins.has(origin),
  async findAccount(_ctx, sub) {
    if (sub !== accountId) {
      return undefined;
    }
    return {
      accountId,
      claims: () => ({ sub: accountId, preferred_username: accountId, name: accountId }),
    };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // The web app names no resource: every authorization is for the broker.
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== audience) {
          throw new Provider.errors.InvalidTarget(`unknown resource ${resource}`);
        }
        return { scope: '', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  // The broker reads the roles where Keycloak puts them.
  extraTokenClaims: (_ctx, token) =>
    token.kind === 'AccessToken' ? { realm_access: { roles }, preferred_username: token.accountId } : undefined,
});

provider.on('authorization.success', (ctx) => {
  process.stdout.write(`AUTHORIZED ${JSON.stringify(ctx.oidc.params)}\n`);
});
provider.on('grant.success', (ctx) => {
  const body = /** @type {{ access_token?: string }} */ (ctx.body);
  process.stdout.write(`TOKEN ${JSON.stringify({ params: ctx.oidc.params, accessToken: body.access_token })}\n`);
});
provider.on('server_error', (_ctx, error) => {
  process.stderr.write(`oidc-provider server_error: ${String(error)}\n`);
});

handler = provider.callback();
process.stdout.write(`READY ${issuer}\n`);

const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
