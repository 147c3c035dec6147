import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { BrokerModule, type BrokerOverrides } from './broker.module';
import type { BrokerConfig } from './config/config.schema';

/** Builds the broker's Nest application (not yet listening): our JSON body parsing, problem details, shutdown hooks. */
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
  return app;
}
