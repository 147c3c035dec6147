import { z } from 'zod';

/** The criteria catalog's environment: a catalog file (`broker catalog import` writes one) instead of the built-in. */
export const CatalogEnv = z.object({
  BROKER_CATALOG_FILE: z.string().min(1).optional(),
});

/** The catalog part of the broker's configuration: the file to load at start, or null for the built-in catalog. */
export function toCatalogConfig(env: z.output<typeof CatalogEnv>): { catalogFile: string | null } {
  return { catalogFile: env.BROKER_CATALOG_FILE ?? null };
}
