import { loadDemoConfig } from './config/config.schema';
import { DemoError, DemoRunner } from './demo.runner';

/** `npm run demo`: the whole network on one machine until Ctrl-C. */
async function bootstrap(): Promise<void> {
  const loaded = loadDemoConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`demo: invalid configuration\n${loaded.error.map((line) => `  ${line}\n`).join('')}`);
    process.exit(2);
  }
  // npm runs scripts in the package root, where dist/, docs/ and .demo/ live.
  // Once a stream failed (terminal closed, `npm run demo | head` ended) writing to it again would only fail again.
  let outOpen = true;
  let errOpen = true;
  const runner = new DemoRunner(loaded.value, process.cwd(), process.env, {
    out: (text) => void (outOpen && process.stdout.write(text)),
    err: (text) => void (errOpen && process.stderr.write(text)),
    isTTY: process.stdout.isTTY === true,
  });
  process.on('SIGINT', () => runner.stop());
  process.on('SIGTERM', () => runner.stop());
  // The children run in their own process groups; they must not outlive the demo, however it ends.
  process.on('exit', () => runner.killAll());
  // A closed terminal or pipe stops the demo instead of crashing it.
  process.stdout.once('error', () => {
    outOpen = false;
    runner.stop();
  });
  process.stderr.once('error', () => {
    errOpen = false;
  });
  process.exit(await runner.run());
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    error instanceof DemoError
      ? `demo: ${error.message}\n`
      : `demo: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
