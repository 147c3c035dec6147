import { readFile, unlink } from 'node:fs/promises';
import { parseStructuredQueryJson } from '@fq/ccdl';
import { createCohortKeyer, parseProtectionPolicy, type ProtectionPolicy, protectCount } from '@fq/privacy';
import { PatientNumbersStore } from '../protection/patient-numbers.store';
import { loadOrCreateSiteSecret } from '../protection/site-secret.store';
import {
  type CohortKeying,
  type ConceptTree,
  createIndexBuilder,
  type EngineMapping,
  evaluateQuery,
  ingestFhir,
  type IngestSummary,
  parseConceptTrees,
  resolveSiteMapping,
} from '@fq/engine';
import { describeLoad, formatLoadReport, unusableInputReason } from '../site-data/load-summary';
import type { EvaluateOptions } from './cli-options.schema';
import { formatBytes, formatCount, TerminalProgress } from './progress';

/** Where a command writes: JSON or results to `out`, progress, summaries and errors to `err`. */
export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream;
}

/** A failure the operator can fix; printed as one line per problem, exit code 1. */
export class CommandInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'CommandInputError';
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CommandInputError([
      `cannot read ${what} ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
    ]);
  }
  try {
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown;
  } catch (cause) {
    throw new CommandInputError([`${what} ${path} is not valid JSON: ${(cause as Error).message}`]);
  }
}

/** Our own mapping format (an object) or an upstream `mapping_fhir.json` (an array), read as `--upstream-compatible` says. */
async function loadMapping(path: string | undefined, upstreamCompatible: boolean): Promise<EngineMapping> {
  const json = path === undefined ? undefined : await readJson(path, 'mapping');
  const mapping = resolveSiteMapping(json, { upstreamCompatible });
  if (!mapping.ok) {
    throw new CommandInputError(issueLines(`mapping ${path}`, mapping.error));
  }
  return mapping.value;
}

async function loadConceptTrees(paths: readonly string[]): Promise<ConceptTree[]> {
  const trees: ConceptTree[] = [];
  for (const path of paths) {
    const parsed = parseConceptTrees(await readJson(path, 'concept tree'));
    if (!parsed.ok) {
      throw new CommandInputError(issueLines(`concept tree ${path}`, parsed.error));
    }
    trees.push(...parsed.value);
  }
  return trees;
}

function issueLines(source: string, error: Error & { issues?: Array<{ path: string; message: string }> }): string[] {
  return error.issues === undefined || error.issues.length === 0
    ? [`${source}: ${error.message}`]
    : error.issues.map((issue) => `${source}: ${issue.path}: ${issue.message}`);
}

/** The machine's local calendar date, as the operator reads it off a wall calendar. */
function localToday(): string {
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Ingests the site's data with a progress bar on a terminal and prints the load summary: every resource read,
 * per type, indexed or why not, and warnings. Data that give nothing to count is an input error.
 */
export async function ingestWithProgress(
  paths: readonly string[],
  sink: Parameters<typeof ingestFhir>[1],
  io: CommandIo,
): Promise<IngestSummary> {
  const progress = new TerminalProgress('ingesting', io.err);
  const summary = await ingestFhir(paths, sink, {
    onProgress: (p) =>
      progress.update({
        done: p.bytesRead,
        total: p.totalBytes,
        detail:
          `${formatCount(p.resources)} resources | ${formatCount(p.resources / Math.max(p.elapsedMs / 1000, 0.001))}/s` +
          ` | ${formatCount(p.errors)} errors`,
      }),
  });
  progress.stop();
  io.err.write(
    `ingested ${formatCount(summary.resources)} resources from ${formatCount(summary.files)} files ` +
      `(${formatBytes(summary.bytes)}) in ${(summary.durationMs / 1000).toFixed(1)} s, ` +
      `${formatCount(summary.resourcesPerSecond)} resources/s; ${formatCount(summary.indexed)} indexed, ` +
      `${formatCount(summary.errors)} errors\n`,
  );
  for (const line of formatLoadReport(describeLoad(summary))) {
    io.err.write(`${line}\n`);
  }
  for (const sample of summary.errorSamples) {
    const where =
      sample.line !== undefined ? `:${sample.line}` : sample.entry !== undefined ? ` entry ${sample.entry}` : '';
    io.err.write(`  ${sample.code} ${sample.file}${where}: ${sample.message}\n`);
  }
  if (summary.errors > summary.errorSamples.length) {
    io.err.write(`  … and ${formatCount(summary.errors - summary.errorSamples.length)} more errors\n`);
  }
  const unusable = unusableInputReason(summary, paths);
  if (unusable !== null) {
    throw new CommandInputError([unusable]);
  }
  return summary;
}

/** `site-agent evaluate`: the exact count of the site's own data, for the site operator's eyes only. */
export async function runEvaluate(options: EvaluateOptions, io: CommandIo): Promise<number> {
  if (options.exact !== true && options.stateDir === undefined) {
    throw new CommandInputError([
      'give --exact for the exact count of your own data (for your own use), or --state-dir of the site agent ' +
        'for the protected count the agent would send',
    ]);
  }
  const protection = options.exact === true ? null : await loadProtection(options);
  const queryText = await readFile(options.query, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new CommandInputError([`cannot read query ${options.query}: ${cause.code ?? String(cause)}`]);
  });
  const query = parseStructuredQueryJson(queryText);
  if (!query.ok) {
    throw new CommandInputError(issueLines(`query ${options.query}`, query.error));
  }
  const mapping = await loadMapping(options.mapping, options.upstreamCompatible === true);
  const conceptTrees = await loadConceptTrees(options.conceptTree ?? []);
  // With the agent's secret and patient numbers, the cohort key and so the noise are the agent's.
  const builder = createIndexBuilder({ mapping, conceptTrees, cohortKeying: protection?.cohortKeying });
  const ingestion = await ingestWithProgress(options.data, builder, io);
  const index = builder.finish();
  const evaluationDate = options.today ?? localToday();
  const started = process.hrtime.bigint();
  const evaluation = evaluateQuery(index, query.value, { evaluationDate });
  const evaluationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const memory = index.memory();
  if (protection !== null && evaluation.cohortKey !== null) {
    const result = protectCount({
      rawCount: evaluation.rawCount,
      siteSecret: protection.secret,
      cohortKey: evaluation.cohortKey,
      policy: protection.policy,
    });
    if (options.json === true) {
      io.out.write(`${JSON.stringify({ result, exact: false, evaluationDate }, null, 2)}\n`);
    } else {
      io.out.write(
        result.kind === 'count'
          ? `protected count: ${formatCount(result.protectedCount)}\n`
          : `below the reporting threshold of ${result.threshold}\n`,
      );
    }
    if (protection.numbers.unsavedCount > 0) {
      io.err.write(
        `note: ${formatCount(protection.numbers.unsavedCount)} patients are new to the site agent; it numbers them ` +
          'when it loads these data, and a cohort with any of them may then get another answer than the one above\n',
      );
    }
    return 0;
  }
  if (options.json === true) {
    const report = {
      count: evaluation.rawCount,
      exact: true,
      evaluationDate,
      mapping: mapping.name,
      criteria: evaluation.criteria,
      evaluationMs: Number(evaluationMs.toFixed(3)),
      index: { patients: index.knownPatientCount, indexedResources: memory.indexedResources, bytes: memory.bytes },
      ingestion: {
        files: ingestion.files,
        ...describeLoad(ingestion),
        errors: ingestion.errors,
        errorSamples: ingestion.errorSamples,
      },
    };
    io.out.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  io.out.write(
    `exact count: ${formatCount(evaluation.rawCount)} of ${formatCount(index.knownPatientCount)} patients\n`,
  );
  for (const criterion of evaluation.criteria) {
    io.out.write(
      `  ${criterion.path} (${criterion.context ?? 'no context'}): ${formatCount(criterion.rawPatientCount)} patients\n`,
    );
    for (const code of criterion.unknownTermCodes) {
      io.out.write(`    unknown to the mapping, matches nothing: ${code.system}|${code.code}\n`);
    }
    for (const issue of criterion.issues) {
      io.out.write(`    ${issue.code} at ${issue.path}: ${issue.message}\n`);
    }
  }
  return 0;
}

/** The site's secret and protection policy, so the CLI prints what the agent would send. */
async function loadProtection(
  options: EvaluateOptions,
): Promise<{ secret: Uint8Array; policy: ProtectionPolicy; cohortKeying: CohortKeying; numbers: PatientNumbersStore }> {
  const policy = parseProtectionPolicy({
    ...(options.privacyMechanism === undefined ? {} : { mechanism: options.privacyMechanism }),
    ...(options.privacyEpsilon === undefined ? {} : { epsilon: options.privacyEpsilon }),
    ...(options.privacyRounding === undefined ? {} : { rounding: options.privacyRounding }),
    ...(options.privacyThreshold === undefined ? {} : { threshold: options.privacyThreshold }),
  });
  if (!policy.ok) {
    throw new CommandInputError(policy.error.issues.map((i) => `--privacy ${i.path}: ${i.message}`));
  }
  const secret = await loadOrCreateSiteSecret(options.stateDir!);
  if (!secret.ok) {
    throw new CommandInputError([secret.error.message]);
  }
  if (secret.value.created) {
    // A fresh secret would protect with noise the agent never uses: only the agent's own secret will do.
    await unlink(secret.value.file);
    throw new CommandInputError([
      `no site secret in ${options.stateDir!}: point --state-dir at the state directory of the running site agent`,
    ]);
  }
  // Read-only: the agent alone writes the numbers; patients it has not numbered yet get the numbers it would give them.
  const numbers = await PatientNumbersStore.open(options.stateDir!, secret.value.secret, { readOnly: true });
  if (!numbers.ok) {
    throw new CommandInputError([numbers.error.message]);
  }
  const store = numbers.value.store;
  const cohortKeying = {
    patientNumber: (id: string) => store.numberOf(id),
    keyOf: createCohortKeyer(secret.value.secret),
  };
  return { secret: secret.value.secret, policy: policy.value, cohortKeying, numbers: store };
}
