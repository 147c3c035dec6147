import { z } from 'zod';
import { QueryResult, QueryStatus } from './http.schema';

// The query history: `GET /api/v1/queries` lists the caller's queries, or for an admin with `all=true` every user's.

/** The most characters (UTF-16 code units) of a query's title the history shows. */
export const QUERY_TITLE_MAX_LENGTH = 200;

/** An opaque position in the history, as `nextCursor` gave it; clients pass it back unchanged. */
export const QueryListCursor = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'the cursor must be a value that nextCursor gave');
export type QueryListCursor = z.infer<typeof QueryListCursor>;

/** Query parameters of `GET /api/v1/queries`. */
export const QueryListParams = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Continue after the last entry of the previous page. */
    cursor: QueryListCursor.optional(),
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
export type QueryListParams = z.infer<typeof QueryListParams>;
export type QueryListParamsInput = z.input<typeof QueryListParams>;

/** One query's status and total, as the history shows them (the result without its breakdown and criteria). */
export const QuerySummary = QueryResult.pick({
  id: true,
  status: true,
  createdAt: true,
  expiresAt: true,
  finishedAt: true,
  total: true,
  totalHidden: true,
  reportedSites: true,
  totalSites: true,
});
export type QuerySummary = z.infer<typeof QuerySummary>;

/** One entry of the history: the query's title (its CCDL `display`), when it was submitted, its status and total. */
export const QueryListEntry = QuerySummary.extend({
  /** The query's CCDL top-level `display`, trimmed, its first 200 characters; null when the query has none. */
  title: z.string().min(1).max(QUERY_TITLE_MAX_LENGTH).nullable(),
  /** Who submitted it; only in an admin's `all=true` list. */
  submitter: z.string().min(1).optional(),
});
export type QueryListEntry = z.infer<typeof QueryListEntry>;

/**
 * `GET /api/v1/queries`: one page of the history, newest first; `nextCursor` is null on the last page, `totalItems`
 * counts every entry the filters match.
 */
export const QueryList = z.strictObject({
  items: z.array(QueryListEntry),
  limit: z.number().int().min(1),
  nextCursor: QueryListCursor.nullable(),
  totalItems: z.number().int().min(0),
});
export type QueryList = z.infer<typeof QueryList>;
