import { z } from 'zod';
import type { BrokerError } from '../broker.errors';

// Any UUID form the broker ever issued; lower-cased, as ids are stored.
const IdParameter = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  .transform((id) => id.toLowerCase());

/**
 * Reads an `{id}` path parameter as an id in lower case. Text that is no id names nothing, so it gets the same 404 as
 * an id that is not there: `notFound()`.
 */
export function parseIdParameter(value: unknown, notFound: () => BrokerError): string {
  const parsed = IdParameter.safeParse(value);
  if (!parsed.success) {
    throw notFound();
  }
  return parsed.data;
}
