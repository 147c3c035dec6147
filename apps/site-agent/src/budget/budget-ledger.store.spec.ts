import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BudgetPolicy } from '@fq/privacy';
import { BUDGET_LEDGER_FILE, BudgetLedgerStore } from './budget-ledger.store';

const DAY = 86_400_000;
const T0 = new Date('2026-03-02T09:00:00.000Z');
const later = (ms: number): Date => new Date(T0.getTime() + ms);
const POLICY: BudgetPolicy = { cohorts: 2, windowDays: 7 };
const ALICE = 'r-0123456789abcdef0123456789abcdef';
const BOB = 'r-fedcba9876543210fedcba9876543210';
const key = (n: number): string => n.toString(16).padStart(32, '0');
const queryId = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('BudgetLedgerStore', () => {
  let root: string;
  let dir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'budget-'));
    dir = join(root, 'state');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('charges new cohorts, answers known ones for free and refuses past the limit', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    expect((await ledger.charge(ALICE, key(1), queryId(1), T0)).kind).toBe('charged');
    expect((await ledger.charge(ALICE, key(1), queryId(2), later(1))).kind).toBe('known');
    expect(await ledger.charge(ALICE, key(2), queryId(3), later(2))).toMatchObject({
      kind: 'charged',
      standing: { remaining: 0 },
    });
    expect(await ledger.charge(ALICE, key(3), queryId(4), later(3))).toMatchObject({
      kind: 'exhausted',
      until: later(7 * DAY),
    });
    // Budgets are per pseudonym.
    expect((await ledger.charge(BOB, key(3), queryId(5), later(4))).kind).toBe('charged');
    await ledger.close();
  });

  it('keeps its charges across a reopen', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    await ledger.charge(ALICE, key(1), queryId(1), T0);
    await ledger.charge(ALICE, key(2), queryId(2), later(DAY));
    await ledger.close();

    const reopened = await BudgetLedgerStore.open(dir, POLICY, later(2 * DAY));
    expect(reopened.standing(ALICE, later(2 * DAY))).toMatchObject({ used: 2, remaining: 0 });
    expect((await reopened.charge(ALICE, key(2), queryId(3), later(2 * DAY))).kind).toBe('known');
    expect(await reopened.charge(ALICE, key(3), queryId(4), later(2 * DAY))).toMatchObject({
      kind: 'exhausted',
      until: later(7 * DAY),
    });
    await reopened.close();
  });

  it('writes each charge to disk before it resolves', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    await ledger.charge(ALICE, key(1), queryId(1), T0);
    const lines = (await readFile(join(dir, BUDGET_LEDGER_FILE), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { pseudonym: ALICE, cohortKey: key(1), at: T0.toISOString(), queryId: queryId(1) },
    ]);
    await ledger.close();
  });

  it('never overspends when queries of one pseudonym are charged at the same time', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    const decisions = await Promise.all([1, 2, 3, 4, 1].map((n, i) => ledger.charge(ALICE, key(n), queryId(i), T0)));
    expect(decisions.map((decision) => decision.kind)).toEqual([
      'charged',
      'charged',
      'exhausted',
      'exhausted',
      'known',
    ]);
    await ledger.close();
  });

  it('creates the file 0600 in a 0700 directory, and makes an existing file private', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    await ledger.charge(ALICE, key(1), queryId(1), T0);
    await ledger.close();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, BUDGET_LEDGER_FILE))).mode & 0o777).toBe(0o600);

    await writeFile(join(dir, BUDGET_LEDGER_FILE), '', { mode: 0o644 });
    const reopened = await BudgetLedgerStore.open(dir, POLICY, T0);
    await reopened.close();
    expect((await stat(join(dir, BUDGET_LEDGER_FILE))).mode & 0o777).toBe(0o600);
  });

  it('skips a torn last line after a crash and keeps appending on a fresh line', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    await ledger.charge(ALICE, key(1), queryId(1), T0);
    await ledger.close();
    await appendFile(join(dir, BUDGET_LEDGER_FILE), `{"pseudonym":"${ALICE}","cohortKey":"${key(2)}","at`);

    const reopened = await BudgetLedgerStore.open(dir, POLICY, later(1));
    expect(reopened.unreadableLines).toBe(1);
    expect(reopened.standing(ALICE, later(1)).used).toBe(1);
    await reopened.charge(ALICE, key(3), queryId(3), later(2));
    await reopened.close();

    const third = await BudgetLedgerStore.open(dir, POLICY, later(3));
    expect(third.unreadableLines).toBe(1);
    expect(third.standing(ALICE, later(3))).toMatchObject({ used: 2, remaining: 0 });
    await third.close();
  });

  it('forgets charges that left the window, and rewrites a file made mostly of them', async () => {
    const stale = Array.from({ length: 1_200 }, (_, i) =>
      JSON.stringify({ pseudonym: BOB, cohortKey: key(i), at: T0.toISOString(), queryId: queryId(i) }),
    );
    const fresh = JSON.stringify({
      pseudonym: ALICE,
      cohortKey: key(1),
      at: later(7 * DAY).toISOString(),
      queryId: queryId(9_999),
    });
    await BudgetLedgerStore.open(dir, POLICY, T0).then((ledger) => ledger.close());
    await writeFile(join(dir, BUDGET_LEDGER_FILE), `${[...stale, fresh].join('\n')}\n`);

    const ledger = await BudgetLedgerStore.open(dir, POLICY, later(8 * DAY));
    expect(ledger.standing(BOB, later(8 * DAY)).used).toBe(0);
    expect(ledger.standing(ALICE, later(8 * DAY)).used).toBe(1);
    await ledger.charge(ALICE, key(2), queryId(2), later(8 * DAY));
    await ledger.close();
    const lines = (await readFile(join(dir, BUDGET_LEDGER_FILE), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect((await stat(join(dir, BUDGET_LEDGER_FILE))).mode & 0o777).toBe(0o600);
  });

  it('summarizes every pseudonym for the operator without opening the file for writing', async () => {
    const ledger = await BudgetLedgerStore.open(dir, POLICY, T0);
    await ledger.charge(ALICE, key(1), queryId(1), T0);
    await ledger.charge(ALICE, key(2), queryId(2), later(DAY));
    await ledger.charge(BOB, key(1), queryId(3), later(2 * DAY));
    // Read while the agent still holds the file open.
    const summary = await BudgetLedgerStore.summarize(dir, POLICY, later(3 * DAY));
    await ledger.close();
    expect(summary.unreadableLines).toBe(0);
    expect(summary.pseudonyms).toEqual([
      {
        pseudonym: ALICE,
        limit: 2,
        windowDays: 7,
        used: 2,
        remaining: 0,
        resetsAt: later(7 * DAY),
        nextExpiryAt: later(7 * DAY),
      },
      {
        pseudonym: BOB,
        limit: 2,
        windowDays: 7,
        used: 1,
        remaining: 1,
        resetsAt: later(9 * DAY),
        nextExpiryAt: later(9 * DAY),
      },
    ]);
  });

  it('summarizes a state dir without a ledger as empty', async () => {
    expect(await BudgetLedgerStore.summarize(dir, POLICY, T0)).toMatchObject({ pseudonyms: [], unreadableLines: 0 });
  });
});
