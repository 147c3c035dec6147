import { z } from 'zod';

/** Who is calling: a researcher, or an admin who may see real site names. */
export const Caller = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, { error: 'a researcher id is 1-128 printable ASCII characters without spaces' }),
  role: z.enum(['researcher', 'admin']),
});
export type Caller = z.infer<typeof Caller>;

/** The caller when nobody is identified. */
export const ANONYMOUS_CALLER: Caller = { id: 'anonymous', role: 'researcher' };
