import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';
import { webPageContentSecurityPolicy } from '../http/security-headers';
import { loadWebAppFiles } from './web-app.files';
import { createWebAppHandler } from './web-app.middleware';

type Handler = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The browser app at `/`, loaded from BROKER_WEB_DIR once at start-up. Without a build the broker still runs its API
 * and says once in the log how to get the page.
 */
@Injectable()
export class WebAppServer {
  private readonly logger = new Logger('WebApp');
  /** The middleware for createBrokerApp: serves the app, passes everything else on. */
  readonly handle: Handler;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    const loaded = loadWebAppFiles(config.web.dir);
    if (loaded.ok) {
      this.handle = createWebAppHandler(loaded.value, webPageContentSecurityPolicy(config.auth.oidc?.issuer ?? null));
    } else {
      this.logger.warn(`the web app is not served: ${loaded.error}`);
      this.handle = (_request, _response, next) => next();
    }
  }
}
