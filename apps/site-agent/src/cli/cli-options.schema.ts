import { z } from 'zod';

const IsoDay = z.iso.date({ error: 'must be a calendar date YYYY-MM-DD' });

/** Options of `site-agent evaluate`, as commander hands them over. */
export const EvaluateOptions = z.strictObject({
  data: z.array(z.string().min(1)).min(1, { error: 'give at least one --data path' }),
  query: z.string().min(1),
  mapping: z.string().min(1).optional(),
  conceptTree: z.array(z.string().min(1)).optional(),
  upstreamCompatible: z.boolean().optional(),
  today: IsoDay.optional(),
  exact: z.boolean().optional(),
  json: z.boolean().optional(),
  stateDir: z.string().min(1).optional(),
  privacyMechanism: z.string().optional(),
  privacyEpsilon: z.string().optional(),
  privacyRounding: z.coerce.number().optional(),
  privacyThreshold: z.coerce.number().optional(),
});
export type EvaluateOptions = z.infer<typeof EvaluateOptions>;

/** Options of `site-agent generate`. */
export const GenerateOptions = z.strictObject({
  patients: z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(100_000_000, { error: 'must be at most 100,000,000' }),
  seed: z.string().min(1),
  out: z.string().min(1),
  gzip: z.boolean().optional(),
});
export type GenerateOptions = z.infer<typeof GenerateOptions>;

/** One line per problem: `--name: message`. */
export function describeOptionIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return name === '' ? issue.message : `--${name}: ${issue.message}`;
  });
}
