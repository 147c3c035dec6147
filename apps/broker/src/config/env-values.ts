import { z } from 'zod';

/** A whole number from the environment within `[min, max]`, `fallback` when unset. */
export function integer(name: string, fallback: number, min: number, max: number) {
  return z.coerce
    .number({ error: `${name} must be a whole number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` })
    .default(fallback);
}

/** A yes/no switch from the environment, off when unset. */
export const Flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
