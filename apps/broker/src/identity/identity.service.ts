import type { IncomingMessage } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { BrokerError } from '../broker.errors';
import type { Caller } from './caller';
import { type TokenProblemCode, TokenVerifier } from './token-verifier';
import { bearerChallenge } from './www-authenticate';

/** Tells who is calling: the only place that reads the `Authorization` header. */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger('Identity');

  constructor(private readonly verifier: TokenVerifier) {}

  /**
   * The caller a request's bearer token identifies. Throws 401 (no, malformed, invalid or expired token, or one whose
   * content is not acceptable, with `WWW-Authenticate`), 403 (no broker role) or 503 (the identity provider is
   * unreachable).
   */
  async authenticate(request: IncomingMessage): Promise<Caller> {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new BrokerError('BROKER_AUTH_REQUIRED', 'send a bearer token: Authorization: Bearer <token>', {
        headers: { 'WWW-Authenticate': bearerChallenge() },
      });
    }
    const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i.exec(header);
    if (match === null || match[1].length > 16_384) {
      throw invalidToken('BROKER_TOKEN_INVALID', 'the Authorization header is not "Bearer <token>"');
    }
    const verdict = await this.verifier.verify(match[1]);
    if (verdict.ok) {
      return verdict.value;
    }
    const { error } = verdict;
    switch (error.code) {
      case 'BROKER_TOKEN_INVALID':
      case 'BROKER_TOKEN_EXPIRED':
      case 'BROKER_TOKEN_NOT_YET_VALID':
      case 'BROKER_TOKEN_ISSUED_IN_FUTURE':
      case 'BROKER_TOKEN_CLAIM_INVALID':
      case 'BROKER_TOKEN_SUBJECT_INVALID':
        throw invalidToken(error.code, error.message);
      case 'BROKER_ROLE_FORBIDDEN':
        throw forbidden(error.message);
      case 'BROKER_AUTH_UNAVAILABLE':
        this.logger.warn({ message: 'identity provider unavailable', error: String(error.cause) });
        throw new BrokerError(error.code, error.message, { cause: error.cause, headers: { 'Retry-After': '5' } });
    }
  }
}

/** 403 for a caller whose role does not allow the request. */
export function forbidden(message: string): BrokerError {
  return new BrokerError('BROKER_ROLE_FORBIDDEN', message, {
    headers: { 'WWW-Authenticate': bearerChallenge('insufficient_scope') },
  });
}

function invalidToken(code: TokenProblemCode, message: string): BrokerError {
  return new BrokerError(code, message, {
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', message) },
  });
}
