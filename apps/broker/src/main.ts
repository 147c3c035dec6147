import { TextLogger } from '@fq/logging';
import { ConsoleLogger, type INestApplication, type LoggerService } from '@nestjs/common';
import { createBrokerApp } from './broker.app';
import { loadBrokerConfig, summarizeBrokerConfig } from './config/config.loader';

async function bootstrap(): Promise<void> {
  const loaded = loadBrokerConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`broker: invalid configuration\n${loaded.error.map((line) => `  ${line}\n`).join('')}`);
    process.exit(1);
  }
  const config = loaded.value;
  const logger: LoggerService =
    config.logFormat === 'text' ? new TextLogger() : new ConsoleLogger({ json: true, colors: false });
  // The configuration summary is for log pipelines; a person at a terminal set it and gets one line.
  logger.log(
    config.logFormat === 'json'
      ? { message: 'starting broker', config: summarizeBrokerConfig(config) }
      : 'starting broker',
    'Broker',
  );
  let app: INestApplication | undefined;
  try {
    app = await createBrokerApp(config, { logger });
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    logger.error({ message: 'broker failed to start', error: String(error) }, undefined, 'Broker');
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
  const running = app;
  // Nest's own shutdown hooks re-raise the signal; the harness expects a graceful stop to exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ message: 'shutdown failed', error: String(error) }, undefined, 'Broker');
          process.exit(1);
        },
      );
    });
  }
  // With BROKER_PORT=0 the system picks the port; getUrl() knows which.
  const { port } = new URL(await running.getUrl());
  process.stdout.write(`READY broker http://${config.http.host}:${port}\n`);
}

void bootstrap();
