import type { IngestSummary, ResourceTally } from '@fq/engine';

/** Above this share of the resources the mapping reads, links to no patient are warned about. */
export const NO_PATIENT_WARNING_SHARE = 0.1;

/** Why a resource went unused, in the operator's words, by the tally field that counts it. */
const REASONS: ReadonlyArray<[keyof ResourceTally, string]> = [
  ['typeNotMapped', 'type not in the mapping'],
  ['codeNotMapped', 'no code the mapping reads'],
  ['noPatient', 'no patient link'],
  ['replaced', 'replaced by a later version (same id)'],
];

/** One resource type's line of the load summary. */
export interface ResourceTypeLoad extends ResourceTally {
  resourceType: string;
}

/** What the operator reads about a load: totals, every type, the files not read, the problems and the warnings. */
export interface LoadReport {
  resources: number;
  indexed: number;
  /** Resources read but not in the index, by reason; `invalid` are bad lines, entries and files (`errors`). */
  notUsed: { typeNotMapped: number; codeNotMapped: number; noPatient: number; replaced: number };
  invalid: number;
  invalidByCode: IngestSummary['errorsByCode'];
  byType: ResourceTypeLoad[];
  unsupportedFiles: { count: number; listed: string[] };
  warnings: string[];
}

/** Describes an ingestion for the CLI and the agent's log: every resource read is accounted for in one place. */
export function describeLoad(summary: IngestSummary): LoadReport {
  const byType = Object.entries(summary.byType).map(([resourceType, tally]) => ({ resourceType, ...tally }));
  byType.sort((a, b) => b.read - a.read || (a.resourceType < b.resourceType ? -1 : 1));
  return {
    resources: summary.resources,
    indexed: summary.indexed,
    notUsed: {
      typeNotMapped: summary.typeNotMapped,
      codeNotMapped: summary.codeNotMapped,
      noPatient: summary.noPatient,
      replaced: summary.replaced,
    },
    invalid: summary.errors,
    invalidByCode: summary.errorsByCode,
    byType,
    unsupportedFiles: { count: summary.skippedFiles, listed: summary.unsupportedFiles },
    warnings: loadWarnings(summary),
  };
}

/** The fields of the agent's "site data loaded" log line: totals, the reasons resources were not used, per type. */
export function loadLogFields(summary: IngestSummary): Record<string, unknown> {
  const report = describeLoad(summary);
  return {
    files: summary.files,
    resources: report.resources,
    indexed: report.indexed,
    notUsed: report.notUsed,
    invalid: report.invalid,
    ...(report.invalid === 0 ? {} : { invalidByCode: report.invalidByCode }),
    byType: Object.fromEntries(report.byType.map(({ resourceType, ...tally }) => [resourceType, tally])),
    ...(report.unsupportedFiles.count === 0 ? {} : { unsupportedFiles: report.unsupportedFiles.count }),
  };
}

/** Warnings an operator should act on: many resources without a patient, files that were not read. */
export function loadWarnings(summary: IngestSummary): string[] {
  const warnings: string[] = [];
  const mapped = summary.indexed + summary.codeNotMapped + summary.noPatient;
  if (mapped > 0 && summary.noPatient / mapped > NO_PATIENT_WARNING_SHARE) {
    const types = Object.entries(summary.byType)
      .filter(([, tally]) => tally.noPatient > 0)
      .sort((a, b) => b[1].noPatient - a[1].noPatient)
      .map(([type, tally]) => `${type} ${formatNumber(tally.noPatient)}`);
    warnings.push(
      `${percent(summary.noPatient, mapped)} of the resources the mapping reads (${formatNumber(summary.noPatient)} of ` +
        `${formatNumber(mapped)}) link to no patient and are not counted (${types.join(', ')}): check that their ` +
        'subject or patient references name Patient resources (Patient/<id>, or a Bundle fullUrl)',
    );
  }
  if (summary.skippedFiles > 0) {
    const more = summary.skippedFiles - summary.unsupportedFiles.length;
    warnings.push(
      `${formatNumber(summary.skippedFiles)} ${summary.skippedFiles === 1 ? 'file is' : 'files are'} no FHIR input ` +
        `(.ndjson, .jsonl, .json, optionally .gz or .bz2) and ${summary.skippedFiles === 1 ? 'was' : 'were'} not ` +
        `read: ${summary.unsupportedFiles.join(', ')}${more > 0 ? ` and ${formatNumber(more)} more` : ''}`,
    );
  }
  return warnings;
}

/**
 * Why these data cannot be used at all, or null: no input file was found, or none of them gave a single resource
 * while some were bad. An empty but readable export is data (of no patients), not an error.
 */
export function unusableInputReason(summary: IngestSummary, paths: readonly string[]): string | null {
  if (summary.files === 0) {
    const skipped =
      summary.skippedFiles === 0
        ? ''
        : `; not read: ${summary.unsupportedFiles.join(', ')}${summary.skippedFiles > summary.unsupportedFiles.length ? ', …' : ''}`;
    const problem = summary.errorSamples[0];
    const first = problem === undefined ? '' : ` (${problem.code} ${problem.file}: ${problem.message})`;
    return (
      `no FHIR input files (.ndjson, .jsonl, .json, optionally .gz or .bz2) in ${paths.join(', ')}` +
      `${skipped}${first}`
    );
  }
  if (summary.resources === 0 && summary.errors > 0) {
    const problem = summary.errorSamples[0];
    return (
      `none of the ${formatNumber(summary.files)} input files gave a resource: ${formatNumber(summary.errors)} ` +
      `problems, the first ${problem.code} ${problem.file}: ${problem.message}`
    );
  }
  return null;
}

/** The load summary as text: a total line, a table per resource type, the problems by code, then the warnings. */
export function formatLoadReport(report: LoadReport): string[] {
  const lines: string[] = [];
  const notUsed = report.resources - report.indexed;
  lines.push(
    `${formatNumber(report.resources)} resources read: ${formatNumber(report.indexed)} indexed, ` +
      `${formatNumber(notUsed)} not used` +
      (notUsed === 0
        ? ''
        : ` (${REASONS.filter(([key]) => report.notUsed[key as keyof LoadReport['notUsed']] > 0)
            .map(([key, reason]) => `${formatNumber(report.notUsed[key as keyof LoadReport['notUsed']])} ${reason}`)
            .join(', ')})`) +
      `; ${formatNumber(report.invalid)} invalid lines, entries or files`,
  );
  if (report.byType.length > 0) {
    const header = ['resource type', 'read', 'indexed', 'type not mapped', 'no mapped code', 'no patient', 'replaced'];
    const rows = report.byType.map((row) => [
      row.resourceType,
      ...[row.read, row.indexed, row.typeNotMapped, row.codeNotMapped, row.noPatient, row.replaced].map(formatNumber),
    ]);
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
    const render = (cells: string[]): string =>
      `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}`;
    lines.push(render(header), ...rows.map(render));
  }
  const codes = Object.entries(report.invalidByCode);
  if (codes.length > 0) {
    lines.push(`  invalid: ${codes.map(([code, count]) => `${formatNumber(count)} ${code}`).join(', ')}`);
  }
  for (const warning of report.warnings) {
    lines.push(`warning: ${warning}`);
  }
  return lines;
}

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)} %`;
}

function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}
