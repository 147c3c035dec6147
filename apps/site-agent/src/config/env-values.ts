import { z } from 'zod';

/** Shows a user-supplied value in an error message without flooding the terminal. */
export function show(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
}

/** An environment variable holding a whole number within [min, max], or `fallback` when unset. */
export function wholeNumber(min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (raw === undefined) {
        return fallback;
      }
      const text = raw.trim();
      const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        ctx.issues.push({
          code: 'custom',
          input: raw,
          message: `must be a whole number from ${min} to ${max}, got ${show(raw)}`,
        });
        return z.NEVER;
      }
      return value;
    });
}
