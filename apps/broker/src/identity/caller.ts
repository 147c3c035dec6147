import { UserRole } from '@fq/contracts';
import { z } from 'zod';

/** What a caller may do (the contract's UserRole). */
export const CallerRole = UserRole;
export type CallerRole = z.infer<typeof CallerRole>;

/** Who is calling, as a verified bearer token says: the `sub` claim and the strongest role the token carries. */
export const Caller = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, { error: 'a user id is 1-128 printable ASCII characters without spaces' }),
  role: CallerRole,
});
export type Caller = z.infer<typeof Caller>;
