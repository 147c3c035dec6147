import { z } from 'zod';
import { QueryStatus, QuerySummary } from './http.schema';

// The query history: `GET /api/v1/queries` lists the caller's queries, or for an admin with `all=true` every user's.

/** An opaque position in the history, as `nextCursor` gave it; clients pass it back unchanged. */
export const QueryHistoryCursor = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'the cursor must be a value that nextCursor gave');
export type QueryHistoryCursor = z.infer<typeof QueryHistoryCursor>;

/** Query parameters of `GET /api/v1/queries`. */
export const QueryHistoryParams = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Continue after the last entry of the previous page. */
    cursor: QueryHistoryCursor.optional(),
    /** `true`: every user's queries, with their submitter (admins only). */
    all: z
      .enum(['true', 'false'], { message: 'all must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    /** Only this submitter's queries; needs `all=true`. */
    user: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, 'the user must be a user id (1-128 printable ASCII characters)')
      .optional(),
    status: QueryStatus.optional(),
    /** Only queries submitted at or after this instant. */
    since: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((params) => params.user === undefined || params.all, {
    message: 'the user filter needs all=true',
    path: ['user'],
  });
export type QueryHistoryParams = z.infer<typeof QueryHistoryParams>;
export type QueryHistoryParamsInput = z.input<typeof QueryHistoryParams>;

/** One entry of the history: the query's title (its CCDL `display`), when it was submitted, its status and total. */
export const QueryHistoryEntry = QuerySummary.extend({
  /** The query's CCDL `display`, its first 200 characters; null when the query has none. */
  title: z.string().max(200).nullable(),
  /** Who submitted it; only in an admin's `all=true` list. */
  submitter: z.string().min(1).optional(),
});
export type QueryHistoryEntry = z.infer<typeof QueryHistoryEntry>;

/** `GET /api/v1/queries`: one page of the history, newest first; `nextCursor` is null on the last page. */
export const QueryHistoryPage = z.strictObject({
  items: z.array(QueryHistoryEntry),
  limit: z.number().int().min(1),
  nextCursor: QueryHistoryCursor.nullable(),
});
export type QueryHistoryPage = z.infer<typeof QueryHistoryPage>;
