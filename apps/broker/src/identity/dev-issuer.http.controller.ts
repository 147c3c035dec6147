import { Body, Controller, Get, HttpCode, Inject, Post, UseInterceptors } from '@nestjs/common';
import { DevSignInRequest, type DevSignInResponse, type JsonWebKeySet } from '@fq/contracts';
import { type DevIssuerKey, mintDevToken } from '@fq/network-admin';
import { BrokerError } from '../broker.errors';
import { CLOCK, type Clock } from '../clock';
import { JsonBodyInterceptor } from '../http/json-body.interceptor';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { Public } from './auth.guard';
import { DEV_ISSUER_KEY } from './dev-issuer.provider';

/** How long a token from the one-click sign-in lasts: a working day, as `broker token`'s default. */
export const DEV_SIGN_IN_TTL_SECONDS = 8 * 3600;

const SIGN_IN_BODY = new ZodValidationPipe(DevSignInRequest, 'the sign-in request is invalid');

/**
 * The development issuer over HTTP: its public key and the web app's one-click sign-in. Both are 404 unless
 * BROKER_DEV_ISSUER is on: whoever reaches such a broker may act as anybody, which is what a demo is for.
 */
@Controller('api/v1/dev-issuer')
@Public()
export class DevIssuerHttpController {
  constructor(
    @Inject(DEV_ISSUER_KEY) private readonly key: DevIssuerKey | null,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `GET /api/v1/dev-issuer/jwks`: the development issuer's public key. */
  @Get('jwks')
  jwks(): JsonWebKeySet {
    return { keys: [this.issuerKey().publicJwk] };
  }

  /** `POST /api/v1/dev-issuer/sign-in {user, role}`: a bearer token minted as `broker token` mints it. */
  @Post('sign-in')
  @HttpCode(200)
  @UseInterceptors(JsonBodyInterceptor)
  async signIn(@Body() body: unknown): Promise<DevSignInResponse> {
    // Off first: a broker without the issuer says so whatever the body holds.
    const key = this.issuerKey();
    const request = SIGN_IN_BODY.transform(body, { type: 'body' });
    const now = this.clock.now();
    const token = await mintDevToken(key, { ...request, ttlSeconds: DEV_SIGN_IN_TTL_SECONDS }, now);
    const expiresAt = new Date((Math.floor(now.getTime() / 1000) + DEV_SIGN_IN_TTL_SECONDS) * 1000);
    return { token, expiresAt: expiresAt.toISOString() };
  }

  private issuerKey(): DevIssuerKey {
    if (this.key === null) {
      throw new BrokerError('BROKER_ROUTE_NOT_FOUND', 'the development issuer is off (BROKER_DEV_ISSUER)');
    }
    return this.key;
  }
}
