import { Injectable, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { savedQueryNotFoundError } from './saved-queries.service';

// Any UUID form; lower-cased, as ids are stored.
const SavedQueryIdParameter = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  .transform((id) => id.toLowerCase());

/** Reads the `{id}` path parameter as a saved query id; text that is no id names no saved query, so it is a 404. */
@Injectable()
export class SavedQueryIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const parsed = SavedQueryIdParameter.safeParse(value);
    if (!parsed.success) {
      throw savedQueryNotFoundError();
    }
    return parsed.data;
  }
}
