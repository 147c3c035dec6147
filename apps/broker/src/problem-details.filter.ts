import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ProblemDetails } from '@fq/contracts';
import { BROKER_ERROR_STATUS, BrokerError, type BrokerErrorCode } from './broker.errors';

const TITLES: Record<BrokerErrorCode | 'BROKER_INTERNAL', string> = {
  BROKER_QUERY_INVALID: 'Invalid query',
  BROKER_BODY_INVALID_JSON: 'Body is not JSON',
  BROKER_PARAMETER_INVALID: 'Invalid parameter',
  BROKER_QUERY_TOO_COMPLEX: 'Query too complex',
  BROKER_QUERY_ABOVE_SITE_LIMIT: 'Query above the sites’ limit',
  BROKER_AUTH_REQUIRED: 'Authentication required',
  BROKER_TOKEN_INVALID: 'Invalid token',
  BROKER_TOKEN_EXPIRED: 'Token expired',
  BROKER_TOKEN_NOT_YET_VALID: 'Token not valid yet',
  BROKER_TOKEN_ISSUED_IN_FUTURE: 'Token issued in the future',
  BROKER_TOKEN_CLAIM_INVALID: 'Token claim invalid',
  BROKER_TOKEN_SUBJECT_INVALID: 'Token subject invalid',
  BROKER_ROLE_FORBIDDEN: 'Forbidden',
  BROKER_USER_BLACKLISTED: 'User blacklisted',
  BROKER_BLACKLIST_ENTRY_NOT_FOUND: 'Not blacklisted',
  BROKER_QUOTA_EXCEEDED: 'Quota exceeded',
  BROKER_POLLING_LIMIT_EXCEEDED: 'Polling too often',
  BROKER_AUTH_UNAVAILABLE: 'Identity provider unavailable',
  BROKER_BAD_REQUEST: 'Bad request',
  BROKER_SAVED_QUERY_INVALID: 'Invalid saved query',
  BROKER_SAVED_QUERY_LIMIT_REACHED: 'Too many saved queries',
  BROKER_SAVED_QUERY_NOT_FOUND: 'Saved query not found',
  BROKER_SAVED_QUERY_NAME_TAKEN: 'Name already taken',
  BROKER_QUERY_NOT_FOUND: 'Query not found',
  BROKER_TERMINOLOGY_ENTRY_NOT_FOUND: 'Catalog entry not found',
  BROKER_ROUTE_NOT_FOUND: 'Not found',
  BROKER_BODY_TOO_LARGE: 'Body too large',
  BROKER_QUERY_TOO_LARGE: 'Query too large',
  BROKER_UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  BROKER_INTERNAL: 'Internal server error',
};

// Framework errors (unknown route, bad path encoding) carry only a status; these are the ones a client can cause.
const CODE_OF_HTTP_STATUS: Partial<Record<number, BrokerErrorCode>> = {
  400: 'BROKER_BAD_REQUEST',
  404: 'BROKER_ROUTE_NOT_FOUND',
  405: 'BROKER_ROUTE_NOT_FOUND',
  413: 'BROKER_BODY_TOO_LARGE',
  415: 'BROKER_UNSUPPORTED_MEDIA_TYPE',
};

/** A problem to answer with and, for server errors, what to log with its correlation id. */
export type ProblemOutcome = { problem: ProblemDetails; headers?: Readonly<Record<string, string>>; logged?: unknown };

/** Maps anything a handler threw to an RFC 9457 problem; unknown errors become a generic 500 with a correlation id. */
export function toProblemDetails(exception: unknown, newCorrelationId: () => string = randomUUID): ProblemOutcome {
  if (exception instanceof BrokerError) {
    return {
      problem: problem(exception.code, BROKER_ERROR_STATUS[exception.code], exception.message, exception.issues),
      headers: exception.headers,
    };
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const status = exception.getStatus();
    const code = CODE_OF_HTTP_STATUS[status] ?? 'BROKER_BAD_REQUEST';
    // Nest's own 4xx messages describe the request ("Cannot GET /x"), never the server.
    return { problem: problem(code, status, exception.message) };
  }
  const correlationId = newCorrelationId();
  return {
    problem: {
      ...problem('BROKER_INTERNAL', 500, `the broker failed to answer; quote correlation id ${correlationId}`),
      correlationId,
    },
    logged: exception,
  };
}

function problem(
  code: BrokerErrorCode | 'BROKER_INTERNAL',
  status: number,
  detail: string,
  issues?: ProblemDetails['issues'],
): ProblemDetails {
  return {
    type: `urn:fq:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[code],
    status,
    detail,
    code,
    ...(issues !== undefined ? { issues } : {}),
  };
}

/** The one exception filter of the broker: every error leaves as `application/problem+json`, never with a stack. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = http.getResponse<ServerResponse>();
    const { problem: body, headers, logged } = toProblemDetails(exception);
    if (logged !== undefined) {
      this.logger.error(
        { message: 'request failed', correlationId: body.correlationId, method: request.method, url: request.url },
        logged instanceof Error ? logged.stack : inspect(logged),
      );
    }
    if (response.headersSent) {
      // An event stream already started; all that is left is to end it.
      response.end();
      return;
    }
    response.statusCode = body.status;
    for (const [name, value] of Object.entries(headers ?? {})) {
      response.setHeader(name, value);
    }
    response.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify(body));
  }
}
