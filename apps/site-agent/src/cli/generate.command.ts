import { generateSyntheticSite } from '@fq/synthetic';
import type { CommandIo } from './evaluate.command';
import type { GenerateOptions } from './cli-options.schema';
import { formatBytes, formatCount, TerminalProgress } from './progress';

/** `site-agent generate`: writes a synthetic MII-shaped site as FHIR NDJSON, deterministic from the seed. */
export async function runGenerate(options: GenerateOptions, io: CommandIo): Promise<number> {
  const progress = new TerminalProgress('generating', io.err);
  const started = Date.now();
  const summary = await generateSyntheticSite({
    patients: options.patients,
    seed: options.seed,
    outDir: options.out,
    gzip: options.gzip ?? false,
    onProgress: (p) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      progress.update({
        done: p.patients,
        total: options.patients,
        detail: `${formatCount(p.resources)} resources | ${formatCount(p.resources / seconds)}/s | ${formatBytes(p.bytes)}`,
      });
    },
  });
  progress.stop();
  io.err.write(
    `generated ${formatCount(summary.patients)} patients, ${formatCount(summary.resources)} resources ` +
      `(${formatBytes(summary.bytes)}) in ${options.out} in ${(summary.durationMs / 1000).toFixed(1)} s\n`,
  );
  return 0;
}
