import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { BrokerModule, type BrokerOverrides } from './broker.module';
import type { BrokerConfig } from './config/config.schema';
import { setSecurityHeaders } from './http/security-headers';

/**
 * Builds the broker's Nest application (not yet listening): our JSON body parsing, problem details, security headers,
 * CORS for the configured origins only, shutdown hooks.
 */
export async function createBrokerApp(
  config: BrokerConfig,
  options: BrokerOverrides & { logger?: LoggerService | false } = {},
): Promise<INestApplication> {
  const { logger, ...overrides } = options;
  const app = await NestFactory.create<NestExpressApplication>(BrokerModule.forConfig(config, overrides), {
    // JsonBodyMiddleware parses bodies, so a bad body gets our problem details instead of Express's page.
    bodyParser: false,
    // Open event streams must not keep a closing server alive.
    forceCloseConnections: true,
    logger: logger ?? undefined,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.use(setSecurityHeaders);
  if (config.corsOrigins.length > 0) {
    // Bearer tokens, not cookies: no credentials mode; a browser client sends Authorization explicitly.
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
      exposedHeaders: ['Location', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }
  return app;
}
