import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetLedgerStore } from '../budget/budget-ledger.store';
import { BudgetOptions, runBudgetList } from './budget.command';
import { runCli } from './site-agent.cli';
import { captureIo } from './__fixtures__/cli-run';

const DAY = 86_400_000;
const T0 = new Date('2026-03-02T09:00:00.000Z');
const ALICE = 'r-0123456789abcdef0123456789abcdef';
const key = (n: number): string => n.toString(16).padStart(32, '0');
const queryId = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('site-agent budget list', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'budget-cli-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function chargeAlice(): Promise<void> {
    const ledger = await BudgetLedgerStore.open(dir, { cohorts: 3, windowDays: 7 }, T0);
    await ledger.charge(ALICE, key(1), queryId(1), T0);
    await ledger.charge(ALICE, key(2), queryId(2), new Date(T0.getTime() + DAY));
    await ledger.close();
  }

  it('shows per pseudonym the cohorts in the window, what remains and when the next entry expires', async () => {
    await chargeAlice();
    const { io, text } = captureIo();
    const options = BudgetOptions.parse({ stateDir: dir, cohorts: '3', windowDays: '7' });
    expect(await runBudgetList(options, io, new Date(T0.getTime() + 2 * DAY))).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^privacy budget: 3 distinct cohorts per 7 days/);
    expect(lines[1].split(/\s{2,}/)).toEqual(['pseudonym', 'cohorts', 'remaining', 'next entry expires']);
    expect(lines[2].split(/\s+/)).toEqual([ALICE, '2', '1', '2026-03-09T09:00:00.000Z']);
  });

  it('prints one JSON object with --json', async () => {
    await chargeAlice();
    const { io, text } = captureIo();
    const options = BudgetOptions.parse({ stateDir: dir, cohorts: '2', windowDays: '7', json: true });
    await runBudgetList(options, io, new Date(T0.getTime() + 2 * DAY));
    expect(JSON.parse(text.out)).toEqual({
      at: '2026-03-04T09:00:00.000Z',
      policy: { cohorts: 2, windowDays: 7 },
      pseudonyms: [
        {
          pseudonym: ALICE,
          limit: 2,
          windowDays: 7,
          used: 2,
          remaining: 0,
          resetsAt: '2026-03-09T09:00:00.000Z',
          nextExpiryAt: '2026-03-09T09:00:00.000Z',
        },
      ],
      unreadableLines: 0,
    });
  });

  it('is a command of the site CLI, which refuses a budget of 0', async () => {
    const empty = captureIo();
    expect(await runCli(['budget', 'list', '--state-dir', dir], empty.io)).toBe(0);
    expect(empty.text.out).toContain('no researcher has a cohort in the window');

    const refused = captureIo();
    expect(await runCli(['budget', 'list', '--state-dir', dir, '--cohorts', '0'], refused.io)).toBe(1);
    expect(refused.text.err).toBe('site-agent: --cohorts: must be at least 1\n');
  });
});
