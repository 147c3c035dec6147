import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_BUDGET_POLICY, MAX_BUDGET_COHORTS, MAX_BUDGET_WINDOW_DAYS } from '@fq/privacy';
import { z } from 'zod';
import { BudgetLedgerStore, type PseudonymBudget } from '../budget/budget-ledger.store';
import { describeOptionIssues } from './cli-options.schema';
import { CommandInputError, type CommandIo } from './evaluate.command';

const WholeNumber = (max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` });

/** Options of `site-agent budget list`. */
export const BudgetOptions = z.strictObject({
  stateDir: z.string().min(1),
  json: z.boolean().optional(),
  cohorts: WholeNumber(MAX_BUDGET_COHORTS).default(DEFAULT_BUDGET_POLICY.cohorts),
  windowDays: WholeNumber(MAX_BUDGET_WINDOW_DAYS).default(DEFAULT_BUDGET_POLICY.windowDays),
});
export type BudgetOptions = z.infer<typeof BudgetOptions>;

function parseOptions(raw: unknown): BudgetOptions {
  const parsed = BudgetOptions.safeParse(raw);
  if (!parsed.success) {
    throw new CommandInputError(describeOptionIssues(parsed.error));
  }
  return parsed.data;
}

/** `site-agent budget list`: where each researcher pseudonym's privacy budget stands, read from the state dir. */
export async function runBudgetList(options: BudgetOptions, io: CommandIo, now: Date = new Date()): Promise<number> {
  const policy = { cohorts: options.cohorts, windowDays: options.windowDays };
  const summary = await BudgetLedgerStore.summarize(resolve(options.stateDir), policy, now);
  if (options.json === true) {
    const pseudonyms = summary.pseudonyms.map((entry) => ({
      ...entry,
      resetsAt: entry.resetsAt?.toISOString() ?? null,
      nextExpiryAt: entry.nextExpiryAt?.toISOString() ?? null,
    }));
    const body = { at: now.toISOString(), policy, pseudonyms, unreadableLines: summary.unreadableLines };
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  io.out.write(`${formatBudgetList(summary.pseudonyms, policy, summary.unreadableLines).join('\n')}\n`);
  return 0;
}

/** The text view: the policy, then one line per pseudonym with a cohort in the window. */
export function formatBudgetList(
  pseudonyms: readonly PseudonymBudget[],
  policy: { cohorts: number; windowDays: number },
  unreadableLines: number,
): string[] {
  const lines = [
    `privacy budget: ${policy.cohorts} distinct cohorts per ${policy.windowDays} days and researcher pseudonym ` +
      '(--cohorts, --window-days: give the values the agent runs with)',
  ];
  if (unreadableLines > 0) {
    lines.push(`warning: ${unreadableLines} unreadable line(s) in the ledger were skipped`);
  }
  if (pseudonyms.length === 0) {
    lines.push('no researcher has a cohort in the window');
    return lines;
  }
  const header = ['pseudonym', 'cohorts', 'remaining', 'next entry expires'];
  const rows = pseudonyms.map((entry) => [
    entry.pseudonym,
    String(entry.used),
    String(entry.remaining),
    entry.nextExpiryAt?.toISOString() ?? '-',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const format = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [...lines, format(header), ...rows.map(format)];
}

/** Adds `budget list --state-dir DIR` to the site CLI; `run` receives the command's task. */
export function addBudgetCommand(program: Command, io: CommandIo, run: (task: Promise<number>) => void): void {
  const budget = program
    .command('budget')
    .description('the privacy budget per researcher pseudonym (SITE_PRIVACY_BUDGET_*): distinct cohorts answered');
  budget
    .command('list')
    .description('show, per pseudonym, the distinct cohorts in the window, what remains and when the next expires')
    .requiredOption('--state-dir <dir>', 'the site agent’s state directory (SITE_STATE_DIR)')
    .option(
      '--cohorts <n>',
      'SITE_PRIVACY_BUDGET_COHORTS as the agent runs with',
      String(DEFAULT_BUDGET_POLICY.cohorts),
    )
    .option(
      '--window-days <n>',
      'SITE_PRIVACY_BUDGET_WINDOW_DAYS as the agent runs with',
      String(DEFAULT_BUDGET_POLICY.windowDays),
    )
    .option('--json', 'print one JSON object')
    .action((raw: Record<string, unknown>) => run(runBudgetList(parseOptions(raw), io)));
}
