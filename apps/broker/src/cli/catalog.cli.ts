import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type CatalogError, type ImportProgress, type ImportSummary, importOntology } from '@fq/catalog';
import { BrokerCliInputError, type BrokerCliIo, type BrokerCommandRegistrar } from './broker-command';

const DEFAULT_OUT = '.broker/catalog.json';
const MAX_LISTED_ISSUES = 20;

/**
 * `broker catalog import <dir> [--out <file>]`: reads an MII ontology release folder (fhir-ontology-generator output)
 * and writes the broker's catalog file; the broker serves it when BROKER_CATALOG_FILE names it.
 */
export const registerCatalogCommands: BrokerCommandRegistrar = (program, { io, run }) => {
  const catalog = program.command('catalog').description('the criteria catalog researchers search');
  catalog
    .command('import')
    .description('build a catalog file from an MII ontology release (criteria trees, term code info, UI profiles)')
    .argument('<dir>', 'the release folder')
    .option('--out <file>', 'where to write the catalog file', DEFAULT_OUT)
    .action((dir: string, options: { out: string }) => {
      run(importCatalog(dir, resolve(options.out), io));
    });
};

async function importCatalog(dir: string, out: string, io: BrokerCliIo): Promise<number> {
  const imported = await importOntology(dir, { onProgress: (progress) => reportProgress(progress, io) });
  if (!imported.ok) {
    throw new BrokerCliInputError(describeFailure(imported.error));
  }
  await fs.mkdir(dirname(out), { recursive: true });
  // Written beside the target and renamed, so a broker starting meanwhile never reads half a file.
  const partial = `${out}.${process.pid}.partial`;
  await fs.writeFile(partial, `${JSON.stringify(imported.value.catalog)}\n`);
  await fs.rename(partial, out);
  io.out.write(formatSummary(imported.value.summary, out));
  return 0;
}

function reportProgress(progress: ImportProgress, io: BrokerCliIo): void {
  if (progress.phase === 'read') {
    if (progress.files % 25 === 0 || progress.files === progress.filesTotal) {
      io.err.write(`read ${progress.files}/${progress.filesTotal} files (${progress.file})\n`);
    }
  } else {
    io.err.write(`built ${progress.entries}/${progress.entriesTotal} entries\n`);
  }
}

function describeFailure(error: CatalogError): string[] {
  const issues = error.issues
    .slice(0, MAX_LISTED_ISSUES)
    .map(
      (issue) => `  ${issue.file === undefined ? '' : `${issue.file} `}${issue.path}: ${issue.message} (${issue.code})`,
    );
  const more =
    error.issues.length > MAX_LISTED_ISSUES ? [`  … and ${error.issues.length - MAX_LISTED_ISSUES} more`] : [];
  return [`${error.message} (${error.code})`, ...issues, ...more];
}

/** The summary an operator reads: entries per context, what was skipped and why, and how to serve the file. */
export function formatSummary(summary: ImportSummary, out: string): string {
  const lines = [`catalog: ${summary.entries} entries in ${Object.keys(summary.contexts).length} contexts → ${out}`];
  for (const [context, count] of Object.entries(summary.contexts).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${context}: ${count}`);
  }
  const files = Object.entries(summary.files).map(([kind, count]) => `${count} ${kind}`);
  lines.push(`files read: ${files.join(', ')}`);
  if (summary.skipped.length === 0) {
    lines.push('skipped: nothing');
  } else {
    lines.push(`skipped: ${summary.skipped.reduce((sum, s) => sum + s.count, 0)}`);
    for (const skip of summary.skipped) {
      lines.push(`  ${skip.count} × ${skip.reason} (e.g. ${skip.examples.join('; ')})`);
    }
  }
  lines.push(`serve it: BROKER_CATALOG_FILE=${out}`);
  return `${lines.join('\n')}\n`;
}
