import { UserId, UserRole } from '@fq/contracts';
import { z } from 'zod';

/** What a caller may do (the contract's UserRole). */
export const CallerRole = UserRole;
export type CallerRole = z.infer<typeof CallerRole>;

/** Who is calling, as a verified bearer token says: the `sub` claim and the strongest role the token carries. */
export const Caller = z.strictObject({
  id: UserId,
  role: CallerRole,
});
export type Caller = z.infer<typeof Caller>;
