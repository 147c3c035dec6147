import { Injectable, type PipeTransform } from '@nestjs/common';
import { BrokerError } from '../broker.errors';
import { parseIdParameter } from '../http/id-parameter';

/** The answer for a query the caller may not see: another researcher's query is as unknown as a missing one. */
export function queryNotFoundError(): BrokerError {
  return new BrokerError('BROKER_QUERY_NOT_FOUND', 'there is no query with this id for this caller');
}

/** Reads the `{id}` path parameter as a query id in lower case; text that is no id names no query, so it is a 404. */
@Injectable()
export class QueryIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return parseIdParameter(value, queryNotFoundError);
  }
}
