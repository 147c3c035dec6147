import { StructuredQuery } from '@fq/ccdl';
import { z } from 'zod';
import { SubmitQueryRequest } from './http.schema';

// Saved queries: a researcher's named CCDL queries, kept per user in the broker's database. Re-running one is
// submitting its `query` through `POST /api/v1/queries`.

const Timestamp = z.iso.datetime({ offset: true });

/** The longest name a saved query may have, in characters after trimming. */
export const SAVED_QUERY_NAME_MAX_LENGTH = 120;
/** The longest comment a saved query may have, in characters. */
export const SAVED_QUERY_COMMENT_MAX_LENGTH = 2000;
/** How many saved queries one user may keep. */
export const MAX_SAVED_QUERIES_PER_USER = 200;

// Control characters would garble a terminal listing; a comment may still span lines.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
const NO_CONTROL_EXCEPT_LINES = /^(?:[^\p{Cc}]|[\t\n\r])*$/u;

/** A saved query's name: trimmed, 1 to 120 characters, no control characters; unique per user. */
export const SavedQueryName = z
  .string()
  .trim()
  .min(1, 'the name must not be blank')
  .max(SAVED_QUERY_NAME_MAX_LENGTH, `the name must have at most ${SAVED_QUERY_NAME_MAX_LENGTH} characters`)
  .regex(NO_CONTROL_CHARACTERS, 'the name must not contain control characters');
export type SavedQueryName = z.infer<typeof SavedQueryName>;

/** A saved query's comment: up to 2000 characters, line breaks and tabs allowed, no other control characters. */
export const SavedQueryComment = z
  .string()
  .max(SAVED_QUERY_COMMENT_MAX_LENGTH, `the comment must have at most ${SAVED_QUERY_COMMENT_MAX_LENGTH} characters`)
  .regex(NO_CONTROL_EXCEPT_LINES, 'the comment must not contain control characters other than line breaks and tabs');
export type SavedQueryComment = z.infer<typeof SavedQueryComment>;

/**
 * `POST /api/v1/saved-queries`: a name, an optional comment and the query, validated as `POST /api/v1/queries`
 * validates its body (a CCDL structured query, or a CRTDL document carrying one in `cohortDefinition`).
 */
export const CreateSavedQueryRequest = z.strictObject({
  name: SavedQueryName,
  comment: SavedQueryComment.optional(),
  query: SubmitQueryRequest,
});
export type CreateSavedQueryRequest = z.infer<typeof CreateSavedQueryRequest>;
export type CreateSavedQueryRequestInput = z.input<typeof CreateSavedQueryRequest>;

/** `PATCH /api/v1/saved-queries/{id}`: a new name, a new comment (null removes it), or both; the query never changes. */
export const UpdateSavedQueryRequest = z
  .strictObject({ name: SavedQueryName.optional(), comment: SavedQueryComment.nullable().optional() })
  .refine((body) => body.name !== undefined || body.comment !== undefined, {
    message: 'give a name, a comment, or both',
  });
export type UpdateSavedQueryRequest = z.infer<typeof UpdateSavedQueryRequest>;
export type UpdateSavedQueryRequestInput = z.input<typeof UpdateSavedQueryRequest>;

/** `GET /api/v1/saved-queries/{id}` and the answer to a create or update: one saved query with its CCDL. */
export const SavedQuery = z.strictObject({
  id: z.uuid(),
  name: z.string().min(1).max(SAVED_QUERY_NAME_MAX_LENGTH),
  comment: z.string().max(SAVED_QUERY_COMMENT_MAX_LENGTH).nullable(),
  /** The structured query as saved (the cohort definition when a CRTDL document was saved). */
  query: StructuredQuery,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type SavedQuery = z.infer<typeof SavedQuery>;

/** A saved query without its CCDL, as the list shows it. */
export const SavedQuerySummary = SavedQuery.omit({ query: true });
export type SavedQuerySummary = z.infer<typeof SavedQuerySummary>;

/** `GET /api/v1/saved-queries`: the caller's saved queries, most recently changed first, and how many fit. */
export const SavedQueryList = z.strictObject({
  items: z.array(SavedQuerySummary),
  /** How many saved queries the caller may keep in all. */
  maxItems: z.number().int().min(1),
});
export type SavedQueryList = z.infer<typeof SavedQueryList>;
