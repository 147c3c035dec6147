import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { ProblemIssue } from '@fq/contracts';
import type { z } from 'zod';
import { BrokerError } from '../broker.errors';

// Where an issue lies, as a client names it: `query:limit`, `path:userId`.
const LOCATION_OF_PARAMETER: Record<ArgumentMetadata['type'], string> = {
  query: 'query',
  param: 'path',
  body: 'body',
  custom: 'request',
};

/**
 * Parses one part of a request (the query string, a path parameter) with a zod schema, so that a handler
 * receives the parsed value; a failure is a 400 `BROKER_PARAMETER_INVALID` problem listing every issue.
 */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  /** @param detail - the problem's `detail`, e.g. `the query parameters are invalid` */
  constructor(
    private readonly schema: Schema,
    private readonly detail: string,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<Schema> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) {
      return parsed.data;
    }
    throw new BrokerError('BROKER_PARAMETER_INVALID', this.detail, {
      issues: parsed.error.issues.map((issue) => toParameterIssue(issue, metadata)),
    });
  }
}

function toParameterIssue(issue: z.core.$ZodIssue, metadata: ArgumentMetadata): ProblemIssue {
  // `@Query()` parses the whole query string (the path starts at the parameter); `@Param('userId')` one value.
  const path = [...(metadata.data === undefined ? [] : [metadata.data]), ...issue.path.map(String)];
  return {
    path: `${LOCATION_OF_PARAMETER[metadata.type]}:${path.join('.')}`,
    code: 'BROKER_PARAMETER_INVALID',
    message: issue.message,
  };
}
