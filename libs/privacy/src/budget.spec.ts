import fc from 'fast-check';
import { budgetStanding, budgetWindowMs, decideCohortCharge, parseBudgetPolicy } from './budget';
import { type BudgetEntry, type BudgetPolicy, DEFAULT_BUDGET_POLICY } from './budget.schema';
import { PrivacyIssueCode } from './errors';

const DAY = 86_400_000;
const START = Date.parse('2026-03-02T09:00:00.000Z');
const key = (n: number): string => n.toString(16).padStart(32, '0');
const at = (ms: number): Date => new Date(START + ms);

/** Asserts a fast-check property over 300 generated inputs (named for the lint rule that wants an assertion). */
function expectProperty<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => boolean): void {
  fc.assert(fc.property(arbitrary, predicate), { numRuns: 300 });
}

const policies = fc.record({ cohorts: fc.integer({ min: 1, max: 6 }), windowDays: fc.integer({ min: 1, max: 3 }) });
/** Requests of one pseudonym: a cohort out of a small pool, at strictly increasing times over a few windows. */
const requests = fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: DAY / 2 })), {
  maxLength: 80,
});

/** Plays requests against a ledger as the site does: a charge is recorded, nothing else is. */
function play(policy: BudgetPolicy, steps: ReadonlyArray<[number, number]>) {
  const entries: BudgetEntry[] = [];
  const decisions = [];
  let now = 0;
  for (const [cohort, gap] of steps) {
    now += gap;
    const decision = decideCohortCharge({ entries, cohortKey: key(cohort), now: at(now), policy });
    if (decision.kind === 'charged') {
      entries.push({ cohortKey: key(cohort), at: at(now) });
    }
    decisions.push({ cohort, now, decision });
  }
  return { entries, decisions };
}

describe('decideCohortCharge', () => {
  const policy: BudgetPolicy = { cohorts: 2, windowDays: 7 };

  it('charges a new cohort and reports what is left after the charge', () => {
    const decision = decideCohortCharge({ entries: [], cohortKey: key(1), now: at(0), policy });
    expect(decision).toEqual({
      kind: 'charged',
      standing: { limit: 2, windowDays: 7, used: 1, remaining: 1, resetsAt: at(7 * DAY) },
    });
  });

  it('answers a cohort already answered within the window for free', () => {
    const entries = [{ cohortKey: key(1), at: at(0) }];
    const decision = decideCohortCharge({ entries, cohortKey: key(1), now: at(DAY), policy });
    expect(decision).toMatchObject({ kind: 'known', standing: { used: 1, remaining: 1 } });
  });

  it('refuses a new cohort once the budget is spent, until the oldest entry leaves the window', () => {
    const entries = [
      { cohortKey: key(2), at: at(DAY) },
      { cohortKey: key(1), at: at(0) },
    ];
    const decision = decideCohortCharge({ entries, cohortKey: key(3), now: at(2 * DAY), policy });
    expect(decision).toEqual({
      kind: 'exhausted',
      until: at(7 * DAY),
      standing: { limit: 2, windowDays: 7, used: 2, remaining: 0, resetsAt: at(7 * DAY) },
    });
    expect(decideCohortCharge({ entries, cohortKey: key(3), now: at(7 * DAY), policy }).kind).toBe('charged');
  });

  it('charges again a cohort whose entry has left the window', () => {
    const entries = [{ cohortKey: key(1), at: at(0) }];
    expect(decideCohortCharge({ entries, cohortKey: key(1), now: at(7 * DAY), policy }).kind).toBe('charged');
  });

  it('waits for as many entries to leave as a lowered limit is overdrawn', () => {
    const entries = [0, 1, 2, 3].map((day) => ({ cohortKey: key(day), at: at(day * DAY) }));
    const decision = decideCohortCharge({ entries, cohortKey: key(9), now: at(4 * DAY), policy });
    expect(decision).toMatchObject({ kind: 'exhausted', until: at(9 * DAY), standing: { used: 4, remaining: 0 } });
  });

  it('never charges a cohort again within the window of its charge', () => {
    expectProperty(fc.tuple(policies, requests), ([p, steps]) => {
      const { decisions } = play(p, steps);
      return decisions.every(({ cohort, now, decision }, i) => {
        const chargedBefore = decisions
          .slice(0, i)
          .some(
            (earlier) =>
              earlier.cohort === cohort && earlier.decision.kind === 'charged' && now - earlier.now < budgetWindowMs(p),
          );
        return !chargedBefore || decision.kind === 'known';
      });
    });
  });

  it('never charges more distinct cohorts than the limit within any window', () => {
    expectProperty(fc.tuple(policies, requests), ([p, steps]) => {
      const { entries } = play(p, steps);
      return entries.every((first) => {
        const start = first.at.getTime();
        const inWindow = entries.filter((e) => e.at.getTime() >= start && e.at.getTime() < start + budgetWindowMs(p));
        return new Set(inWindow.map((e) => e.cohortKey)).size <= p.cohorts;
      });
    });
  });

  it('ends an exhaustion exactly when the reported time comes', () => {
    expectProperty(fc.tuple(policies, requests), ([p, steps]) => {
      const { entries, decisions } = play(p, steps);
      const fresh = key(1000);
      return decisions.every(({ now, decision }) => {
        if (decision.kind !== 'exhausted') {
          return true;
        }
        // The ledger as it stood when the site refused.
        const then = entries.filter((e) => e.at <= at(now));
        const until = decision.until.getTime();
        const justBefore = decideCohortCharge({ entries: then, cohortKey: fresh, now: new Date(until - 1), policy: p });
        const atUntil = decideCohortCharge({ entries: then, cohortKey: fresh, now: decision.until, policy: p });
        return justBefore.kind === 'exhausted' && atUntil.kind === 'charged';
      });
    });
  });

  it('reports remaining = limit - distinct cohorts in the window', () => {
    expectProperty(fc.tuple(policies, requests), ([p, steps]) => {
      const { decisions } = play(p, steps);
      return decisions.every(({ decision }) => decision.standing.remaining === p.cohorts - decision.standing.used);
    });
  });
});

describe('budgetStanding', () => {
  it('reports a full budget with nothing to reset when nothing is spent', () => {
    expect(budgetStanding([], at(0), DEFAULT_BUDGET_POLICY)).toEqual({
      limit: 50,
      windowDays: 7,
      used: 0,
      remaining: 50,
      resetsAt: null,
    });
  });

  it('counts a cohort once however often it appears, and forgets entries outside the window', () => {
    const entries = [
      { cohortKey: key(1), at: at(0) },
      { cohortKey: key(1), at: at(DAY) },
      { cohortKey: key(2), at: at(-8 * DAY) },
    ];
    expect(budgetStanding(entries, at(2 * DAY), DEFAULT_BUDGET_POLICY)).toMatchObject({
      used: 1,
      remaining: 49,
      resetsAt: at(8 * DAY),
    });
  });
});

describe('parseBudgetPolicy', () => {
  it('fills the defaults', () => {
    expect(parseBudgetPolicy({})).toEqual({ ok: true, value: DEFAULT_BUDGET_POLICY });
  });

  it('lists every issue, an unknown property included', () => {
    const parsed = parseBudgetPolicy({ cohorts: 0, windowDays: 1.5, perDay: 3 });
    if (parsed.ok) {
      throw new Error('expected the policy to be refused');
    }
    expect(parsed.error.issues.map((issue) => [issue.path, issue.code])).toEqual(
      expect.arrayContaining([
        ['$.cohorts', PrivacyIssueCode.OutOfRange],
        ['$.windowDays', PrivacyIssueCode.InvalidType],
        ['$', PrivacyIssueCode.UnknownProperty],
      ]),
    );
  });
});
