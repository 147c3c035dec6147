import type { IncomingMessage } from 'node:http';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { from, type Observable, switchMap } from 'rxjs';
import { BrokerError } from '../broker.errors';
import type { Caller } from '../identity/caller';

/** Request bodies above this size are refused unread: a CCDL query with its criteria fits easily. */
export const MAX_BODY_BYTES = 256 * 1024;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A request inside a handler: `caller` as AuthGuard verified it, `body` the parsed JSON. */
export type JsonRequest = IncomingMessage & { body?: unknown; caller?: Caller };

/**
 * Reads a request body as strict `application/json` (UTF-8) up to `limit` bytes, with precise errors.
 *
 * Exported for tests; the interceptor below wraps it.
 */
export async function readJsonBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  assertJsonContentType(request.headers['content-type']);
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    throw new BrokerError('BROKER_BODY_TOO_LARGE', `the body has ${declared} bytes; the limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.byteLength;
    if (size > limit) {
      throw new BrokerError('BROKER_BODY_TOO_LARGE', `the body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw new BrokerError('BROKER_BODY_INVALID_JSON', 'the body is not valid UTF-8', { cause: error });
  }
  try {
    // A byte-order mark is legal UTF-8 but not JSON; editors add it.
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown;
  } catch (error) {
    const reason = error instanceof SyntaxError ? `: ${error.message}` : '';
    throw new BrokerError('BROKER_BODY_INVALID_JSON', `the body is not valid JSON${reason}`, { cause: error });
  }
}

function assertJsonContentType(header: string | undefined): void {
  const [mediaType = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') {
    throw new BrokerError(
      'BROKER_UNSUPPORTED_MEDIA_TYPE',
      header === undefined ? 'send the body as application/json' : `expected application/json, got ${header}`,
    );
  }
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length);
  if (charset !== undefined && charset.replace(/"/g, '') !== 'utf-8') {
    throw new BrokerError('BROKER_UNSUPPORTED_MEDIA_TYPE', `expected UTF-8, got charset ${charset}`);
  }
}

/**
 * Parses JSON bodies of POST, PUT and PATCH requests; Nest's own body parser is off so every error is ours. An
 * interceptor rather than a middleware: it runs after AuthGuard, so an unauthenticated body is never read.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<JsonRequest>();
    if (!METHODS_WITH_BODY.has(request.method ?? '')) {
      return next.handle();
    }
    return from(readJsonBody(request)).pipe(
      switchMap((body) => {
        request.body = body;
        return next.handle();
      }),
    );
  }
}
