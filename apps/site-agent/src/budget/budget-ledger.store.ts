import { appendFileSync, closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BudgetEntry,
  type BudgetPolicy,
  budgetStanding,
  type BudgetStanding,
  budgetWindowMs,
  type CohortCharge,
  decideCohortCharge,
} from '@fq/privacy';
import { z } from 'zod';
import { GroupCommitFile } from '../state/group-commit.file';

/** File name of the privacy-budget ledger inside the state directory. */
export const BUDGET_LEDGER_FILE = 'privacy-budget.jsonl';

// Below this many expired lines a rewrite at start is not worth it.
const COMPACT_MIN_STALE_LINES = 1_000;

/** One charge: a cohort the site answered for a researcher pseudonym, and the query that spent it. */
export const BudgetLedgerEntry = z.strictObject({
  pseudonym: z.string().min(1).max(128),
  cohortKey: z.string().regex(/^[0-9a-f]{32}$/),
  at: z.iso.datetime({ offset: true }),
  queryId: z.uuid(),
});
export type BudgetLedgerEntry = z.infer<typeof BudgetLedgerEntry>;

/** Where one pseudonym's budget stands, for the operator. */
export interface PseudonymBudget extends BudgetStanding {
  pseudonym: string;
  /** When the oldest cohort in the window leaves it; null when none is in it. */
  nextExpiryAt: Date | null;
}

/** A charge kept in memory: resolves once its line is on disk. */
interface HeldEntry extends BudgetEntry {
  durable: Promise<void>;
}

/** What a read of the ledger file found. */
interface LedgerContents {
  entries: BudgetLedgerEntry[];
  /** Lines that could not be read back (a line torn by a crash mid-write); they are skipped. */
  unreadableLines: number;
  /** The file's text does not end with a line break: its last line was torn, or is being written right now. */
  unterminated: boolean;
  /** The unterminated last line could not be read (it counts among `unreadableLines`). */
  tornLineUnreadable: boolean;
}

/**
 * The site's privacy-budget ledger: per researcher pseudonym, the cohorts it answered within the rolling window, in an
 * append-only JSONL file (mode 0600, directory 0700) that is read once at start. A charge resolves only once its line
 * is synced (fdatasync), so an answer is never published on a charge a crash could lose; charges made while a sync is
 * under way share the next one. Decisions and charges are made synchronously, so queries handled at the same time see
 * each other's charges and can never overspend.
 */
export class BudgetLedgerStore {
  private readonly byPseudonym = new Map<string, HeldEntry[]>();
  private readonly ledger: GroupCommitFile;
  private closed = false;

  private constructor(
    readonly file: string,
    fd: number,
    readonly policy: BudgetPolicy,
    entries: readonly BudgetLedgerEntry[],
    /** Lines that could not be read back at start; they are skipped. */
    readonly unreadableLines: number,
  ) {
    this.ledger = new GroupCommitFile(file, fd);
    const durable = Promise.resolve();
    for (const entry of entries) {
      this.hold(entry.pseudonym, { cohortKey: entry.cohortKey, at: new Date(entry.at), durable });
    }
  }

  /**
   * Opens `<stateDir>/privacy-budget.jsonl` for appending and loads the entries still within the window at `now`. When
   * most lines have left the window the file is first rewritten with the rest (atomically, by rename).
   */
  static async open(stateDir: string, policy: BudgetPolicy, now: Date): Promise<BudgetLedgerStore> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const file = join(stateDir, BUDGET_LEDGER_FILE);
    const contents = await readLedgerFile(file);
    const live = contents.entries.filter((entry) => inWindow(entry, now, policy));
    const stale = contents.entries.length - live.length + contents.unreadableLines;
    const compact = stale >= COMPACT_MIN_STALE_LINES && stale > live.length;
    if (compact) {
      rewriteLedger(file, live);
    }
    const fd = openSync(file, 'a', 0o600);
    // openSync's mode applies only to a new file; a copied or restored one is made private too.
    fchmodSync(fd, 0o600);
    if (contents.unterminated && !compact) {
      // A torn last line must not glue itself to the next record.
      appendFileSync(fd, '\n', 'utf8');
    }
    return new BudgetLedgerStore(file, fd, policy, live, contents.unreadableLines);
  }

  /**
   * Reads the ledger without opening it for writing (the operator's CLI, while the agent may be running): where every
   * pseudonym with a cohort in the window at `now` stands, by pseudonym.
   */
  static async summarize(
    stateDir: string,
    policy: BudgetPolicy,
    now: Date,
  ): Promise<{ pseudonyms: PseudonymBudget[]; unreadableLines: number; file: string }> {
    const file = join(stateDir, BUDGET_LEDGER_FILE);
    const contents = await readLedgerFile(file);
    const byPseudonym = new Map<string, BudgetEntry[]>();
    for (const entry of contents.entries) {
      if (inWindow(entry, now, policy)) {
        const list = byPseudonym.get(entry.pseudonym) ?? [];
        list.push({ cohortKey: entry.cohortKey, at: new Date(entry.at) });
        byPseudonym.set(entry.pseudonym, list);
      }
    }
    const pseudonyms = [...byPseudonym]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([pseudonym, entries]) => describePseudonym(pseudonym, entries, now, policy));
    // An unterminated last line may be a charge being written right now; only other unreadable lines are news.
    return { pseudonyms, unreadableLines: contents.unreadableLines - (contents.tornLineUnreadable ? 1 : 0), file };
  }

  /**
   * Decides what answering `cohortKey` costs `pseudonym` at `now` and records a charge; resolves once a charge (or the
   * earlier charge of a known cohort) is on disk. Rejects, charging nothing, if the line cannot be written.
   */
  async charge(pseudonym: string, cohortKey: string, queryId: string, now: Date): Promise<CohortCharge> {
    if (this.closed) {
      throw new Error(`privacy-budget ledger ${this.file} is closed`);
    }
    const entries = this.current(pseudonym, now);
    const decision = decideCohortCharge({ entries, cohortKey, now, policy: this.policy });
    switch (decision.kind) {
      case 'exhausted':
        return decision;
      case 'known':
        // The charge of a cohort a concurrent query just answered may still be on its way to disk.
        await Promise.all(entries.filter((entry) => entry.cohortKey === cohortKey).map((entry) => entry.durable));
        return decision;
      case 'charged': {
        const line = BudgetLedgerEntry.parse({ pseudonym, cohortKey, at: now.toISOString(), queryId });
        const entry: HeldEntry = { cohortKey, at: now, durable: this.ledger.append(`${JSON.stringify(line)}\n`) };
        this.hold(pseudonym, entry);
        try {
          await entry.durable;
        } catch (error) {
          // Not on disk, so not spent: the query is handled again and charged then.
          this.release(pseudonym, entry);
          throw error;
        }
        return decision;
      }
    }
  }

  /** Where a pseudonym's budget stands at `now`. */
  standing(pseudonym: string, now: Date): BudgetStanding {
    return budgetStanding(this.current(pseudonym, now), now, this.policy);
  }

  /** Waits for pending charges and closes the file. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.ledger.close();
  }

  /** The pseudonym's entries within the window at `now`; older ones are forgotten. */
  private current(pseudonym: string, now: Date): HeldEntry[] {
    const held = this.byPseudonym.get(pseudonym);
    if (held === undefined) {
      return [];
    }
    const windowStart = now.getTime() - budgetWindowMs(this.policy);
    if (held.every((entry) => entry.at.getTime() > windowStart)) {
      return held;
    }
    const kept = held.filter((entry) => entry.at.getTime() > windowStart);
    if (kept.length === 0) {
      this.byPseudonym.delete(pseudonym);
    } else {
      this.byPseudonym.set(pseudonym, kept);
    }
    return kept;
  }

  private hold(pseudonym: string, entry: HeldEntry): void {
    const held = this.byPseudonym.get(pseudonym);
    if (held === undefined) {
      this.byPseudonym.set(pseudonym, [entry]);
    } else {
      held.push(entry);
    }
  }

  private release(pseudonym: string, entry: HeldEntry): void {
    const held = this.byPseudonym.get(pseudonym) ?? [];
    this.byPseudonym.set(
      pseudonym,
      held.filter((candidate) => candidate !== entry),
    );
  }
}

function inWindow(entry: BudgetLedgerEntry, now: Date, policy: BudgetPolicy): boolean {
  return Date.parse(entry.at) > now.getTime() - budgetWindowMs(policy);
}

function describePseudonym(
  pseudonym: string,
  entries: readonly BudgetEntry[],
  now: Date,
  policy: BudgetPolicy,
): PseudonymBudget {
  const standing = budgetStanding(entries, now, policy);
  const latest = new Map<string, number>();
  for (const entry of entries) {
    latest.set(entry.cohortKey, Math.max(latest.get(entry.cohortKey) ?? 0, entry.at.getTime()));
  }
  const oldest = Math.min(...latest.values());
  return {
    pseudonym,
    ...standing,
    nextExpiryAt: latest.size === 0 ? null : new Date(oldest + budgetWindowMs(policy)),
  };
}

async function readLedgerFile(file: string): Promise<LedgerContents> {
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT') {
      return '';
    }
    throw cause;
  });
  const entries: BudgetLedgerEntry[] = [];
  let unreadableLines = 0;
  const lines = text.split('\n');
  let tornLineUnreadable = false;
  lines.forEach((line, index) => {
    if (line.trim() === '') {
      return;
    }
    const entry = parseLine(line);
    if (entry === undefined) {
      unreadableLines += 1;
      tornLineUnreadable = index === lines.length - 1;
    } else {
      entries.push(entry);
    }
  });
  return { entries, unreadableLines, unterminated: text.length > 0 && !text.endsWith('\n'), tornLineUnreadable };
}

function parseLine(line: string): BudgetLedgerEntry | undefined {
  try {
    const parsed = BudgetLedgerEntry.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the ledger with `entries`: a synced temporary file renamed over it, then the directory synced. */
function rewriteLedger(file: string, entries: readonly BudgetLedgerEntry[]): void {
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const dir = openSync(join(file, '..'), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
