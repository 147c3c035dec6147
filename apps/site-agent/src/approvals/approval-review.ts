import { listCriteria } from '@fq/ccdl';
import { describeCriterion, describeQuery } from '../audit/query-description';
import type { PendingApprovalEntry, PendingApprovalList } from './approval.store';

/** What an operator sees of a held query before deciding; the query itself is included for `--json`. */
export function describePendingApproval(entry: PendingApprovalEntry, now: Date) {
  const { envelope, receivedAt, queryId } = entry.pending;
  const criteria = listCriteria(envelope.payload.query).map(({ path, criterion }) => ({
    path,
    context: criterion.context?.code ?? null,
    termCodes: criterion.termCodes.map(
      (t) => `${t.system}|${t.code}${t.display === undefined ? '' : ` (${t.display})`}`,
    ),
    /** The criterion in words: term codes, value and attribute filters, time restriction. */
    text: describeCriterion(criterion),
  }));
  return {
    queryId,
    receivedAt,
    expiresAt: envelope.expiresAt,
    expired: Date.parse(envelope.expiresAt) <= now.getTime(),
    requester: envelope.payload.requester,
    queryHash: envelope.payload.queryHash,
    criteria,
    /** The whole query in words, one line per inclusion or exclusion group. */
    description: describeQuery(envelope.payload.query),
    decision: entry.decision,
    query: envelope.payload.query,
  };
}

/** The text of `site-agent approvals list`: one block per held query, oldest first. */
export function formatPendingApprovals(list: PendingApprovalList, now: Date): string[] {
  const lines: string[] = [];
  const count = list.entries.length;
  lines.push(
    count === 0
      ? 'no queries are waiting for approval'
      : `${count} ${count === 1 ? 'query is' : 'queries are'} waiting for approval`,
  );
  for (const entry of list.entries) {
    const view = describePendingApproval(entry, now);
    const deadline = view.expired
      ? 'deadline passed'
      : `expires ${view.expiresAt} (${describeRemaining(view.expiresAt, now)})`;
    lines.push('');
    lines.push(`${view.queryId}  requester ${view.requester}  received ${view.receivedAt}  ${deadline}`);
    lines.push(`  query hash ${view.queryHash}`);
    for (const text of view.description) {
      lines.push(`  ${text}`);
    }
    if (view.decision !== null) {
      lines.push(
        `  ${view.decision.decision}d by ${view.decision.decidedBy} at ${view.decision.decidedAt}; the agent acts on it within seconds`,
      );
    }
  }
  for (const problem of list.problems) {
    lines.push(`warning: ${problem}`);
  }
  return lines;
}

function describeRemaining(expiresAt: string, now: Date): string {
  const minutes = Math.floor((Date.parse(expiresAt) - now.getTime()) / 60_000);
  if (minutes < 1) {
    return 'in less than a minute';
  }
  return minutes < 120 ? `in ${minutes} min` : `in ${Math.floor(minutes / 60)} h`;
}
