import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueryEnvelope } from '@fq/contracts';
import { type Err, err, ok, type Result } from '@fq/result';
import { z } from 'zod';
import { ApprovalDecision, type ApprovalOutcome, CompletedApproval, PendingApproval } from './approval.schema';

/** Why an operator's decision could not be recorded. */
export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';

  constructor(
    readonly code: 'SITE_APPROVAL_ID_INVALID' | 'SITE_APPROVAL_NOT_FOUND' | 'SITE_APPROVAL_ALREADY_DECIDED',
    message: string,
  ) {
    super(message);
  }
}

export type ApprovalResult<T> = Result<T, ApprovalError>;

/** A held query with the decision recorded for it so far, if any. */
export interface PendingApprovalEntry {
  pending: PendingApproval;
  decision: ApprovalDecision | null;
}

/** What `listPending` found, plus files it could not read (named, so the operator can look at them). */
export interface PendingApprovalList {
  entries: PendingApprovalEntry[];
  problems: string[];
}

const QueryId = z.uuid();
const JSON_SUFFIX = '.json';

/**
 * Manual approvals in the state directory, shared by the agent and the site CLI:
 * `approvals/pending/<queryId>.json` (held by the agent), `approvals/decisions/<queryId>.json` (written by the CLI,
 * exactly once per query), `approvals/done/<queryId>.json` (how it ended). Every file appears atomically.
 */
export class ApprovalStore {
  readonly pendingDir: string;
  readonly decisionsDir: string;
  readonly doneDir: string;

  constructor(readonly stateDir: string) {
    const root = join(stateDir, 'approvals');
    this.pendingDir = join(root, 'pending');
    this.decisionsDir = join(root, 'decisions');
    this.doneDir = join(root, 'done');
  }

  /** Persists a query until an operator decides; resolves once it is on disk. */
  async hold(envelope: QueryEnvelope, receivedAt: Date): Promise<void> {
    const pending: PendingApproval = {
      queryId: envelope.payload.queryId,
      receivedAt: receivedAt.toISOString(),
      envelope,
    };
    await writeAtomically(this.pendingDir, this.fileName(pending.queryId), JSON.stringify(pending, null, 2));
  }

  /** Whether the query is held and not yet completed. */
  isPending(queryId: string): Promise<boolean> {
    // Pending files appear atomically, so existing is pending; a stat per query instead of reading the file.
    return Promise.resolve(existsSync(join(this.pendingDir, this.fileName(queryId))));
  }

  /** Every held query with its decision, oldest first. */
  async listPending(): Promise<PendingApprovalList> {
    const problems: string[] = [];
    const entries: PendingApprovalEntry[] = [];
    for (const name of await listJsonFiles(this.pendingDir)) {
      const file = join(this.pendingDir, name);
      const pending = PendingApproval.safeParse(await readJson(file));
      if (!pending.success) {
        problems.push(`${file}: not a pending approval (${pending.error.issues[0]?.message ?? 'unreadable'})`);
        continue;
      }
      const decision = await this.readDecision(pending.data.queryId);
      if (!decision.ok) {
        problems.push(decision.error);
      }
      entries.push({ pending: pending.data, decision: decision.ok ? decision.value : null });
    }
    entries.sort((a, b) => a.pending.receivedAt.localeCompare(b.pending.receivedAt));
    return { entries, problems };
  }

  /** Records an operator's decision for a held query, once; a second decision is refused. */
  async decide(
    queryId: string,
    decision: ApprovalDecision['decision'],
    decidedAt: Date,
    decidedBy: string,
  ): Promise<ApprovalResult<ApprovalDecision>> {
    if (!QueryId.safeParse(queryId).success) {
      return fail('SITE_APPROVAL_ID_INVALID', `${JSON.stringify(queryId)} is not a query id (a UUID)`);
    }
    const id = queryId.toLowerCase();
    if (!(await this.isPending(id))) {
      const done = CompletedApproval.safeParse(await readJson(join(this.doneDir, this.fileName(id))));
      return done.success
        ? fail('SITE_APPROVAL_NOT_FOUND', `query ${id} is no longer pending: it ended as ${done.data.outcome}`)
        : fail('SITE_APPROVAL_NOT_FOUND', `no query ${id} is waiting for approval`);
    }
    const value = ApprovalDecision.parse({ queryId: id, decision, decidedAt: decidedAt.toISOString(), decidedBy });
    const created = await writeAtomically(this.decisionsDir, this.fileName(id), JSON.stringify(value, null, 2), {
      exclusive: true,
    });
    if (!created) {
      const existing = await this.readDecision(id);
      const what =
        existing.ok && existing.value !== null
          ? `${existing.value.decision}d by ${existing.value.decidedBy}`
          : 'decided';
      return fail('SITE_APPROVAL_ALREADY_DECIDED', `query ${id} was already ${what}`);
    }
    return ok(value);
  }

  /** Moves a held query to `done/` with its outcome and removes its pending and decision files. */
  async complete(
    pending: PendingApproval,
    decision: ApprovalDecision | null,
    outcome: ApprovalOutcome,
    completedAt: Date,
  ): Promise<void> {
    const done: CompletedApproval = { ...pending, decision, outcome, completedAt: completedAt.toISOString() };
    await writeAtomically(this.doneDir, this.fileName(pending.queryId), JSON.stringify(done, null, 2));
    // Done first, then pending: a crash in between leaves a pending entry the agent completes again as a duplicate.
    await rm(join(this.pendingDir, this.fileName(pending.queryId)), { force: true });
    await rm(join(this.decisionsDir, this.fileName(pending.queryId)), { force: true });
  }

  private async readDecision(queryId: string): Promise<Result<ApprovalDecision | null, string>> {
    const file = join(this.decisionsDir, this.fileName(queryId));
    const json = await readJson(file);
    if (json === undefined) {
      return ok(null);
    }
    const decision = ApprovalDecision.safeParse(json);
    if (!decision.success || decision.data.queryId !== queryId) {
      return err(`${file}: not a valid decision for query ${queryId}; it is ignored`);
    }
    return ok(decision.data);
  }

  private fileName(queryId: string): string {
    // Ids are validated UUIDs before they get here; refuse anything that could leave the directory.
    if (!QueryId.safeParse(queryId).success) {
      throw new Error(`not a query id: ${JSON.stringify(queryId)}`);
    }
    return `${queryId.toLowerCase()}${JSON_SUFFIX}`;
  }
}

function fail(code: ApprovalError['code'], message: string): Err<ApprovalError> {
  return err(new ApprovalError(code, message));
}

/** Reads and parses a JSON file; undefined when it does not exist or is not JSON. */
async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function listJsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(JSON_SUFFIX)).sort();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw cause;
  }
}

/**
 * Writes `text` to `dir/name` so that readers never see a partial file; with `exclusive`, resolves false instead of
 * replacing an existing file.
 */
async function writeAtomically(
  dir: string,
  name: string,
  text: string,
  options: { exclusive?: boolean } = {},
): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, name);
  // Temporary names do not end in .json, so listings never pick them up.
  const temporary = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, `${text}\n`, { encoding: 'utf8', mode: 0o600, flush: true });
  try {
    if (options.exclusive === true) {
      try {
        await link(temporary, target);
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
          return false;
        }
        throw cause;
      }
      return true;
    }
    await rename(temporary, target);
    return true;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
