import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** The environment of the browser app the broker serves at `/`; merged into BrokerEnv. */
export const WebEnv = z.object({
  /** The built web app (index.html and assets/); default: dist/apps/web of the checkout the broker runs from. */
  BROKER_WEB_DIR: z.string().trim().min(1).optional(),
  /** The OIDC client the browser app signs in as; default: BROKER_AUTH_AUDIENCE. */
  BROKER_WEB_OIDC_CLIENT_ID: z.string().trim().min(1).max(256).optional(),
  /** Space-separated scopes the browser app asks for; `openid` is always added. */
  BROKER_WEB_OIDC_SCOPES: z
    .string()
    .trim()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, {
      error: 'BROKER_WEB_OIDC_SCOPES must be scope tokens separated by single spaces',
    })
    .default('openid profile'),
});
export type WebEnv = z.output<typeof WebEnv>;

/** What the broker needs to serve the browser app and to tell it how to sign in. */
export interface WebAppConfig {
  dir: string;
  oidcClientId: string | null;
  oidcScopes: string[];
}

/**
 * The nearest folder above `from` with a package.json: the checkout (or the image's /app), whose dist/apps/web the
 * build writes. Both the compiled broker (dist/apps/broker/…) and its sources find the same one.
 */
export function findPackageRoot(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      return null;
    }
    dir = parent;
  }
}

/** The typed web part of the broker configuration. */
export function toWebConfig(env: WebEnv, audience: string | undefined): { web: WebAppConfig } {
  const root = findPackageRoot(__dirname) ?? process.cwd();
  const scopes = env.BROKER_WEB_OIDC_SCOPES.split(' ');
  return {
    web: {
      dir: resolve(env.BROKER_WEB_DIR ?? join(root, 'dist', 'apps', 'web')),
      oidcClientId: env.BROKER_WEB_OIDC_CLIENT_ID ?? audience ?? null,
      oidcScopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    },
  };
}
