import { Injectable, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { BrokerError } from '../broker.errors';

// Any UUID form the broker ever issued; lower-cased, as ids are stored.
const QueryIdParameter = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  .transform((id) => id.toLowerCase());

/** The answer for a query the caller may not see: another researcher's query is as unknown as a missing one. */
export function queryNotFoundError(): BrokerError {
  return new BrokerError('BROKER_QUERY_NOT_FOUND', 'there is no query with this id for this caller');
}

/** Reads the `{id}` path parameter as a query id in lower case; text that is no id names no query, so it is a 404. */
@Injectable()
export class QueryIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const parsed = QueryIdParameter.safeParse(value);
    if (!parsed.success) {
      throw queryNotFoundError();
    }
    return parsed.data;
  }
}
