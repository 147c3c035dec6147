import 'reflect-metadata';
import { TextLogger } from '@fq/logging';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { describeConfig, loadSiteAgentConfig } from './config/config.loader';
import { SITE_LOG_LEVELS } from './config/config.schema';
import { createSiteAgentApp, startSiteAgent } from './site-agent.app';
import { SiteAgentLifecycle } from './site-agent.lifecycle';

/** Starts the site agent: configuration, Nest microservice, signals, READY line. */
async function bootstrap(): Promise<void> {
  const loaded = loadSiteAgentConfig(process.env, process.cwd());
  if (!loaded.ok) {
    for (const problem of loaded.error.problems) {
      process.stderr.write(`site-agent: ${problem.variable} ${problem.message}\n`);
    }
    process.exitCode = 1;
    return;
  }
  const { config, warnings } = loaded.value;
  // `fatal` always; then every level up to the configured one.
  const logLevels = ['fatal' as const, ...SITE_LOG_LEVELS.slice(0, SITE_LOG_LEVELS.indexOf(config.logLevel) + 1)];
  const logger: LoggerService =
    config.logFormat === 'text' ? new TextLogger({ logLevels }) : new ConsoleLogger({ json: true, logLevels });
  const log = new Logger('Bootstrap');
  const app = await createSiteAgentApp(config, { logger });
  // The configuration dump is for log pipelines; a person at a terminal set it.
  if (config.logFormat === 'json') {
    log.log({ message: 'configuration', config: describeConfig(config) });
  }
  for (const warning of warnings) {
    log.warn(warning);
  }
  const lifecycle = app.get(SiteAgentLifecycle);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) {
      return;
    }
    closing = true;
    log.log({ message: `${signal} received; shutting down` });
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ message: 'shutdown failed', error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => void lifecycle.reload('signal'));

  const ready = await startSiteAgent(app);
  if (ready !== null) {
    process.stdout.write(`${ready}\n`);
  }
}

bootstrap().catch((error: unknown) => {
  // Startup failed (unreadable data, invalid site secret, …): say why on stderr and exit non-zero.
  const code = typeof error === 'object' && error !== null && 'code' in error ? ` ${String(error.code)}` : '';
  process.stderr.write(`site-agent: cannot start:${code} ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
