import { z } from 'zod';
import { UserId, UserRole } from './http.schema';

// Bodies the browser app reads before anybody has signed in: how to sign in, and the development issuer's sign-in.

/** How the browser app signs in with the configured OIDC provider (authorization code flow with PKCE). */
export const WebOidcSettings = z.strictObject({
  /** The issuer URL; its discovery document lies under `/.well-known/openid-configuration`. */
  issuer: z.url(),
  /** The public client the app authenticates as (no client secret: a browser cannot keep one). */
  clientId: z.string().min(1),
  /** Scopes asked for, space-separated in the request; always includes `openid`. */
  scopes: z.array(z.string().min(1)).min(1),
});
export type WebOidcSettings = z.infer<typeof WebOidcSettings>;

/** `GET /api/v1/web-config`: public; null `oidc` when no OIDC provider is configured. */
export const WebConfig = z.strictObject({
  oidc: WebOidcSettings.nullable(),
  /** The development issuer's one-click sign-in is on (BROKER_DEV_ISSUER). */
  devSignIn: z.boolean(),
});
export type WebConfig = z.infer<typeof WebConfig>;

/** `POST /api/v1/dev-issuer/sign-in`: who to sign in as, in which role (development issuer only). */
export const DevSignInRequest = z.strictObject({
  user: UserId,
  role: UserRole,
});
export type DevSignInRequest = z.infer<typeof DevSignInRequest>;

/** The development issuer's answer: a bearer token and when it expires. */
export const DevSignInResponse = z.strictObject({
  token: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type DevSignInResponse = z.infer<typeof DevSignInResponse>;
