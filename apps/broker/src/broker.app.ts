import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { BrokerOverrides } from './broker-core.module';
import { BrokerModule } from './broker.module';
import type { BrokerConfig } from './config/config.schema';
import { setSecurityHeaders } from './http/security-headers';
import { BROKER_TRANSPORT, type BrokerTransport } from './transport/broker-transport';
import { WebAppServer } from './web/web-app.server';

/**
 * Builds the broker's Nest application, connected to the network but not yet listening for HTTP: our JSON body
 * parsing, problem details, security headers, CORS for the configured origins only, shutdown hooks, and the transport
 * on which site results and heartbeats reach their `@EventPattern` handlers.
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
  // The browser app at `/`; /api/* passes on to the routes.
  app.use(app.get(WebAppServer).handle);
  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    // Bearer tokens, not cookies: no credentials mode; a browser client sends Authorization explicitly.
    app.enableCors({
      // A function, so that another origin gets no CORS header at all (a list would still expose headers to it).
      origin: (origin: string | undefined, allow: (error: Error | null, allowed: boolean) => void) =>
        allow(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
      exposedHeaders: ['Location', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }
  // Started here, before HTTP listens and overdue deadlines are resumed (at init): the results backlog counts first.
  app.connectMicroservice({ strategy: app.get<BrokerTransport>(BROKER_TRANSPORT) });
  try {
    await app.startAllMicroservices();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
