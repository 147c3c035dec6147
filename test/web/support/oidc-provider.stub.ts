import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** What the stand-in provider saw, for assertions. */
export interface OidcExchange {
  authorize: URLSearchParams;
  token: URLSearchParams;
  accessToken: string;
}

/**
 * A stand-in OIDC provider for the browser tests (authorization code flow with PKCE, as Keycloak runs it for a public
 * client): discovery, an authorization endpoint that signs `user` in without a login form, a token endpoint that checks
 * the code, redirect URI and PKCE verifier, and the JWKS. Tokens are RS256 JWTs signed with jose.
 */
export interface OidcProviderStub {
  issuer: string;
  exchanges: OidcExchange[];
  close(): Promise<void>;
}

export async function startOidcProviderStub(options: {
  clientId: string;
  user: string;
  roles: string[];
}): Promise<OidcProviderStub> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'stub-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, URLSearchParams>();
  const exchanges: OidcExchange[] = [];
  let issuer = '';

  const sign = (claims: Record<string, unknown>, audience: string) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'stub-1', typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(options.user)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', issuer);
    // The browser app calls discovery and the token endpoint from the broker's origin.
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Allow-Headers', '*');
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/certs`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    } else if (url.pathname === '/certs') {
      json(response, 200, { keys: [jwk] });
    } else if (url.pathname === '/authorize') {
      const params = url.searchParams;
      const redirect = params.get('redirect_uri');
      if (
        params.get('client_id') !== options.clientId ||
        params.get('response_type') !== 'code' ||
        params.get('code_challenge_method') !== 'S256' ||
        redirect === null
      ) {
        json(response, 400, { error: 'invalid_request' });
        return;
      }
      const code = randomBytes(16).toString('base64url');
      codes.set(code, params);
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      response.writeHead(302, { Location: back.href }).end();
    } else if (url.pathname === '/token' && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) {
        body += String(chunk);
      }
      const form = new URLSearchParams(body);
      const authorize = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        authorize === undefined ||
        form.get('grant_type') !== 'authorization_code' ||
        form.get('redirect_uri') !== authorize.get('redirect_uri') ||
        form.get('client_id') !== options.clientId ||
        challenge !== authorize.get('code_challenge')
      ) {
        json(response, 400, { error: 'invalid_grant' });
        return;
      }
      const accessToken = await sign(
        { realm_access: { roles: options.roles }, preferred_username: options.user },
        options.clientId,
      );
      const idToken = await sign({ nonce: authorize.get('nonce') ?? undefined }, options.clientId);
      exchanges.push({ authorize, token: form, accessToken });
      json(response, 200, { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 600 });
    } else {
      json(response, 404, { error: 'not_found' });
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) {
        json(response, 500, { error: 'server_error' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
