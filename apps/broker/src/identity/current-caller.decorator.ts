import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { JsonRequest } from '../http/json-body.interceptor';
import type { Caller } from './caller';

/** The caller AuthGuard verified for this request. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<JsonRequest>().caller;
  if (caller === undefined) {
    // A route marked @Public() asked for a caller: a bug, not a client error.
    throw new Error('no authenticated caller on this request');
  }
  return caller;
});
