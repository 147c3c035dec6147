import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { describePendingApproval, formatPendingApprovals } from '../approvals/approval-review';
import { ApprovalStore } from '../approvals/approval.store';
import { describeOptionIssues } from './cli-options.schema';
import { CommandInputError, type CommandIo } from './evaluate.command';

/** Options of `site-agent approvals …`. */
export const ApprovalsOptions = z.strictObject({
  stateDir: z.string().min(1),
  json: z.boolean().optional(),
  by: z.string().trim().min(1).max(128).optional(),
});
export type ApprovalsOptions = z.infer<typeof ApprovalsOptions>;

export type ApprovalsAction = { kind: 'list' } | { kind: 'approve' | 'reject'; queryId: string };

function parseOptions(raw: unknown): ApprovalsOptions {
  const parsed = ApprovalsOptions.safeParse(raw);
  if (!parsed.success) {
    throw new CommandInputError(describeOptionIssues(parsed.error));
  }
  return parsed.data;
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

/** `site-agent approvals list|approve|reject`: reads held queries and records the operator's decision in the state dir. */
export async function runApprovals(
  action: ApprovalsAction,
  options: ApprovalsOptions,
  io: CommandIo,
  now: Date = new Date(),
): Promise<number> {
  const store = new ApprovalStore(resolve(options.stateDir));
  if (action.kind === 'list') {
    const list = await store.listPending();
    if (options.json === true) {
      const entries = list.entries.map((entry) => describePendingApproval(entry, now));
      io.out.write(`${JSON.stringify({ pending: entries, problems: list.problems }, null, 2)}\n`);
    } else {
      io.out.write(`${formatPendingApprovals(list, now).join('\n')}\n`);
    }
    return 0;
  }
  const decision = action.kind === 'approve' ? 'approve' : 'reject';
  const result = await store.decide(action.queryId, decision, now, options.by ?? operatorName());
  if (!result.ok) {
    throw new CommandInputError([`${result.error.code}: ${result.error.message}`]);
  }
  io.out.write(
    options.json === true
      ? `${JSON.stringify(result.value, null, 2)}\n`
      : `${decision === 'approve' ? 'approved' : 'rejected'} query ${result.value.queryId}; the site agent answers within seconds\n`,
  );
  return 0;
}

/** Adds `approvals list|approve <id>|reject <id> --state-dir DIR` to the site CLI; `run` receives the command's task. */
export function addApprovalsCommand(program: Command, io: CommandIo, run: (task: Promise<number>) => void): void {
  const approvals = program
    .command('approvals')
    .description('queries held for manual approval (SITE_APPROVAL=manual): list, approve or reject them');
  const stateDir = ['--state-dir <dir>', 'the site agent’s state directory (SITE_STATE_DIR)'] as const;

  approvals
    .command('list')
    .description('list the queries waiting for a decision, oldest first')
    .requiredOption(...stateDir)
    .option('--json', 'print one JSON object, queries included')
    .action((raw: Record<string, unknown>) => run(runApprovals({ kind: 'list' }, parseOptions(raw), io)));

  for (const kind of ['approve', 'reject'] as const) {
    approvals
      .command(`${kind} <queryId>`)
      .description(
        kind === 'approve' ? 'let the agent answer a held query' : 'refuse a held query (SITE_APPROVAL_REJECTED)',
      )
      .requiredOption(...stateDir)
      .option('--by <name>', 'who decides, for the audit log (default: your user name)')
      .option('--json', 'print the recorded decision as JSON')
      .action((queryId: string, raw: Record<string, unknown>) =>
        run(runApprovals({ kind, queryId }, parseOptions(raw), io)),
      );
  }
}
