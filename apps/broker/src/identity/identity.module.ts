import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { DevIssuerKey } from '@fq/network-admin';
import { CLOCK, type Clock } from '../clock';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { AuthGuard } from './auth.guard';
import { DevIssuerHttpController } from './dev-issuer.http.controller';
import { DEV_ISSUER_KEY, devIssuerKeyProvider } from './dev-issuer.provider';
import { IdentityService } from './identity.service';
import { TokenVerifier } from './token-verifier';

/** Bearer-token authentication for every route (AuthGuard) and the development issuer's key set. */
@Module({
  controllers: [DevIssuerHttpController],
  providers: [
    devIssuerKeyProvider,
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
