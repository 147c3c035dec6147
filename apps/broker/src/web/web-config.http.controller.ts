import { Controller, Get, Inject } from '@nestjs/common';
import type { WebConfig } from '@fq/contracts';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { Public } from '../identity/auth.guard';

/** `GET /api/v1/web-config`: how the browser app signs in (OIDC issuer, client id, scopes; development sign-in). */
@Controller('api/v1/web-config')
@Public()
export class WebConfigHttpController {
  private readonly body: WebConfig;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    const { oidc, devIssuer } = config.auth;
    this.body = {
      oidc:
        oidc === null || config.web.oidcClientId === null
          ? null
          : { issuer: oidc.issuer, clientId: config.web.oidcClientId, scopes: config.web.oidcScopes },
      devSignIn: devIssuer !== null,
    };
  }

  @Get()
  webConfig(): WebConfig {
    return this.body;
  }
}
