import type { INestMicroservice, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import type { SiteAgentConfig } from './config/config.schema';
import { SiteAgentLifecycle } from './site-agent.lifecycle';
import { SiteAgentModule, type SiteAgentOverrides } from './site-agent.module';
import { SiteQueriesServer } from './transport/site-queries.server';

/** Builds the site agent as a Nest microservice on its JetStream transport (not yet listening). */
export function createSiteAgentApp(
  config: SiteAgentConfig,
  options: SiteAgentOverrides & { logger?: LoggerService | false } = {},
): Promise<INestMicroservice> {
  const { logger, ...overrides } = options;
  return NestFactory.createMicroservice<AsyncMicroserviceOptions>(SiteAgentModule.forRoot(config, overrides), {
    // The transport is a provider of the module, built with its dependencies.
    useFactory: (server: SiteQueriesServer) => ({ strategy: server }),
    inject: [SiteQueriesServer],
    logger: logger ?? undefined,
    abortOnError: false,
  });
}

/**
 * Loads the data, connects, binds the query consumer (waiting for the broker to create it) and starts heartbeats;
 * resolves to the READY line, or null if the agent was closed meanwhile.
 */
export async function startSiteAgent(app: INestMicroservice): Promise<string | null> {
  await app.listen();
  return app.get(SiteAgentLifecycle).ready();
}
