import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { BrokerError } from '../broker.errors';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { ANONYMOUS_CALLER, Caller } from './caller';

/**
 * Tells who is calling. Until OIDC exists this is the only place that knows: with BROKER_DEV_IDENTITY the broker
 * trusts the headers X-Researcher-Id and X-Researcher-Role (development only); otherwise everybody is `anonymous`.
 */
@Injectable()
export class IdentityService {
  constructor(@Inject(BROKER_CONFIG) private readonly config: Pick<BrokerConfig, 'devIdentity'>) {}

  /** The caller of a request; throws BROKER_IDENTITY_INVALID for malformed development headers. */
  identify(request: IncomingMessage): Caller {
    if (!this.config.devIdentity) {
      return ANONYMOUS_CALLER;
    }
    const id = header(request, 'x-researcher-id');
    const role = header(request, 'x-researcher-role');
    const parsed = Caller.safeParse({ id: id ?? ANONYMOUS_CALLER.id, role: role ?? 'researcher' });
    if (!parsed.success) {
      throw new BrokerError('BROKER_IDENTITY_INVALID', 'the identity headers are malformed', {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path[0] === 'id' ? 'header:X-Researcher-Id' : 'header:X-Researcher-Role',
          code: 'BROKER_IDENTITY_INVALID',
          message: issue.message,
        })),
      });
    }
    return parsed.data;
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
