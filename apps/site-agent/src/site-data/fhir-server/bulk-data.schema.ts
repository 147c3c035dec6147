import { formatIssue, err, ok, type Result } from '@fq/result';
import { z } from 'zod';

/** A FHIR resource type name, as a file's `type` must be (it never becomes a path: files are numbered). */
const ResourceTypeName = z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, { error: 'must be a FHIR resource type name' });

/** An absolute http(s) URL; anything else in a manifest is refused. */
const FileUrl = z
  .string()
  .max(4096)
  .refine(
    (text) => {
      try {
        const url = new URL(text);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { error: 'must be an absolute http:// or https:// URL' },
  );

const ManifestFile = z.looseObject({
  type: ResourceTypeName,
  url: FileUrl,
  count: z.number().int().min(0).optional(),
});

/** A file of the `deleted` list: its `type` is Bundle, and some servers leave it out. */
const DeletedFile = z.looseObject({ type: ResourceTypeName.optional(), url: FileUrl });

/** The most files one manifest may list; more is a broken or hostile server. */
export const MAX_MANIFEST_FILES = 100_000;

/**
 * The complete-status body of a Bulk Data `$export` (the manifest). Loose: servers add fields (`extension`,
 * `outputFormat`); what we read is checked strictly. Paged manifests (`link`) are refused by `parseManifest`.
 */
export const BulkDataManifest = z.looseObject({
  transactionTime: z.iso.datetime({ offset: true, error: 'must be a FHIR instant (date, time and zone)' }),
  request: z.string().max(8192).optional(),
  requiresAccessToken: z.boolean(),
  output: z.array(ManifestFile).max(MAX_MANIFEST_FILES),
  error: z.array(ManifestFile).max(MAX_MANIFEST_FILES).default([]),
  deleted: z.array(DeletedFile).max(MAX_MANIFEST_FILES).default([]),
  link: z.array(z.unknown()).optional(),
});
export type BulkDataManifest = z.infer<typeof BulkDataManifest>;

/** Parses a manifest body (already JSON), listing every problem; never throws on hostile input. */
export function parseManifest(value: unknown): Result<BulkDataManifest, string> {
  const parsed = BulkDataManifest.safeParse(value);
  if (!parsed.success) {
    return err(`the export manifest is invalid: ${summarizeIssues(parsed.error.issues)}`);
  }
  if (parsed.data.link !== undefined && parsed.data.link.length > 0) {
    return err('the export manifest is paged (link); paged manifests are not supported, export fewer resource types');
  }
  return ok(parsed.data);
}

const Coding = z.looseObject({ code: z.string().optional(), display: z.string().optional() });

/** Enough of an OperationOutcome to say what went wrong. */
export const OperationOutcome = z.looseObject({
  resourceType: z.literal('OperationOutcome'),
  issue: z
    .array(
      z.looseObject({
        severity: z.string().optional(),
        code: z.string().optional(),
        diagnostics: z.string().optional(),
        details: z.looseObject({ text: z.string().optional(), coding: z.array(Coding).optional() }).optional(),
      }),
    )
    .optional(),
});
export type OperationOutcome = z.infer<typeof OperationOutcome>;

/** One line about an OperationOutcome (its first issues), or null when `value` is none. */
export function describeOperationOutcome(value: unknown): string | null {
  const parsed = OperationOutcome.safeParse(value);
  if (!parsed.success) {
    return null;
  }
  const issues = (parsed.data.issue ?? []).slice(0, 3).map((issue) => {
    const text = issue.diagnostics ?? issue.details?.text ?? issue.details?.coding?.[0]?.display ?? '';
    return [issue.severity, issue.code, text].filter((part) => part !== undefined && part !== '').join(' ');
  });
  return clip(issues.length === 0 ? 'OperationOutcome without issues' : issues.join('; '), 500);
}

/** The access-token response of a SMART Backend Services token endpoint (RFC 6749 §5.1). */
export const TokenResponse = z.looseObject({
  access_token: z.string().min(1).max(16_384),
  token_type: z.string().regex(/^bearer$/i, { error: 'must be bearer' }),
  expires_in: z
    .number()
    .int()
    .min(1)
    .max(86_400 * 365)
    .optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** The part of `.well-known/smart-configuration` a backend client reads. */
export const SmartConfiguration = z.looseObject({ token_endpoint: FileUrl });

/** A searchset Bundle page: its resources and where the next page is. */
export const SearchBundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  type: z.string().optional(),
  link: z.array(z.looseObject({ relation: z.string(), url: z.string() })).optional(),
  entry: z
    .array(
      z.looseObject({
        resource: z.looseObject({ resourceType: z.string() }).optional(),
        search: z.looseObject({ mode: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type SearchBundle = z.infer<typeof SearchBundle>;

export function summarizeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, 5).map(formatIssue).join('; ');
  return issues.length > 5 ? `${listed}; and ${issues.length - 5} more` : listed;
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
