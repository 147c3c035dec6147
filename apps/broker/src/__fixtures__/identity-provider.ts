import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type KeyLike } from 'jose';

/**
 * A stand-in OIDC provider for the broker's unit specs: a discovery document and the JWKS of one RS256 key (`kid` k1),
 * with the private key handed to the spec. It stays hand-written on purpose: the specs sign arbitrary and hostile
 * claims (wrong issuer or audience, expired, future `iat`, bad subject, missing roles) that a real provider would never
 * issue. The browser sign-in runs against the real oidc-provider (test/support/oidc-provider/, decision 0019).
 */
export interface TestIdentityProvider {
  issuer: string;
  key: KeyLike;
  close(): Promise<void>;
}

/** Starts the stand-in provider on a free local port. */
export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
    } else if (req.url === '/certs') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, key: privateKey, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
