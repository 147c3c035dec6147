import { Injectable, type PipeTransform } from '@nestjs/common';
import { parseIdParameter } from '../http/id-parameter';
import { savedQueryNotFoundError } from './saved-queries.service';

/** Reads the `{id}` path parameter as a saved query id; text that is no id names no saved query, so it is a 404. */
@Injectable()
export class SavedQueryIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return parseIdParameter(value, savedQueryNotFoundError);
  }
}
