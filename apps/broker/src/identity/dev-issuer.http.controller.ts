import { Controller, Get, Inject } from '@nestjs/common';
import type { JsonWebKeySet } from '@fq/contracts';
import type { DevIssuerKey } from '@fq/network-admin';
import { BrokerError } from '../broker.errors';
import { Public } from './auth.guard';
import { DEV_ISSUER_KEY } from './dev-issuer.provider';

/** `GET /api/v1/dev-issuer/jwks`: the development issuer's public key; 404 unless BROKER_DEV_ISSUER is on. */
@Controller('api/v1/dev-issuer')
@Public()
export class DevIssuerHttpController {
  constructor(@Inject(DEV_ISSUER_KEY) private readonly key: DevIssuerKey | null) {}

  @Get('jwks')
  jwks(): JsonWebKeySet {
    if (this.key === null) {
      throw new BrokerError('BROKER_ROUTE_NOT_FOUND', 'the development issuer is off (BROKER_DEV_ISSUER)');
    }
    return { keys: [this.key.publicJwk] };
  }
}
