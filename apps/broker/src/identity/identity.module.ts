import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CLOCK, type Clock } from '../clock';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { AuthGuard } from './auth.guard';
import { DEV_ISSUER_KEY, type DevIssuerKey, loadOrCreateDevIssuerKey } from './dev-issuer';
import { DevIssuerHttpController } from './dev-issuer.http.controller';
import { IdentityService } from './identity.service';
import { TokenVerifier } from './token-verifier';

/** Bearer-token authentication for every route (AuthGuard) and the development issuer's key set. */
@Module({
  controllers: [DevIssuerHttpController],
  providers: [
    {
      provide: DEV_ISSUER_KEY,
      useFactory: (config: BrokerConfig) =>
        config.auth.devIssuer === null ? null : loadOrCreateDevIssuerKey(config.auth.devIssuer.keyFile),
      inject: [BROKER_CONFIG],
    },
    {
      provide: TokenVerifier,
      useFactory: (config: BrokerConfig, key: DevIssuerKey | null, clock: Clock) =>
        new TokenVerifier(config.auth, key, () => clock.now()),
      inject: [BROKER_CONFIG, DEV_ISSUER_KEY, CLOCK],
    },
    IdentityService,
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
  exports: [IdentityService],
})
export class IdentityModule {}
