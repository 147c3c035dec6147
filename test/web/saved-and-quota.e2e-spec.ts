import { join } from 'node:path';
import { QuotaUsage, SavedQueryList } from '@fq/contracts';
import { type BrokerHttpClient, expectProblem, expectShape, waitFor } from '@fq/process-kit';
import type { Page } from 'playwright-core';
import { type BrokerHandle, diagnosisQuery, NetworkWorld } from '../support';
import { launchBrowser, screenshotDir, seriousAccessibilityViolations, type TestBrowser } from './support/browser';

const SHOTS = screenshotDir('saved-and-quota');
const DIABETES = 'E11 Diabetes mellitus, Typ 2';
// Small quotas so that a test reaches them quickly: 3 queries per 10 s, 5 per week for researchers.
const SOFT_AMOUNT = 3;
const SOFT_SECONDS = 10;
const HARD_AMOUNT = 5;
const BLOCKED_USER = 'e2e-blocked';

describe('the web app: saved queries, history, the quota and the admin pages (nats-server, broker, three sites)', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let browser: TestBrowser;
  let blocked: BrokerHttpClient;

  beforeAll(async () => {
    world = await NetworkWorld.create();
    ({ broker } = await world.startNetwork(
      [
        ['north', 150],
        ['south', 120],
        ['east', 100],
      ],
      {
        BROKER_QUOTA_SOFT_AMOUNT: String(SOFT_AMOUNT),
        BROKER_QUOTA_SOFT_INTERVAL_SECONDS: String(SOFT_SECONDS),
        BROKER_QUOTA_HARD_AMOUNT: String(HARD_AMOUNT),
      },
    ));
    browser = await launchBrowser();
    // Another researcher fills the minute's quota now; the admin test has them go on until the weekly limit.
    blocked = await world.clientFor(broker.url, BLOCKED_USER, 'researcher');
    for (let index = 1; index <= SOFT_AMOUNT; index += 1) {
      await blocked.submit({ ...diagnosisQuery('I10'), display: `Hypertension check ${index}` });
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function signIn(role: 'researcher' | 'admin'): Promise<{ page: Page; problems: string[] }> {
    const opened = await browser.newPage();
    await opened.page.goto(broker.url);
    await opened.page.getByRole('button', { name: `Sign in as demo ${role}` }).click();
    await opened.page.getByText('Signed in as').waitFor();
    return opened;
  }

  async function addDiabetes(page: Page): Promise<void> {
    await page.getByLabel('Find a criterion').fill('diab');
    await page.getByRole('region', { name: 'Diagnose' }).getByRole('button', { name: DIABETES, exact: true }).click();
    await page
      .getByRole('region', { name: `Chosen: ${DIABETES}` })
      .getByRole('button', { name: `Add ${DIABETES}` })
      .click();
    await page.locator('li.criterion', { hasText: 'E11' }).waitFor();
  }

  async function quotaOf(client: BrokerHttpClient): Promise<QuotaUsage> {
    const answer = await client.get('/api/v1/quota');
    expect(answer.status).toBe(200);
    return expectShape(QuotaUsage, answer.body, 'GET /api/v1/quota');
  }

  /** Waits until the caller's minute window has room again (read from the broker, not guessed). */
  async function untilSoftSlotFree(client: BrokerHttpClient): Promise<void> {
    const first = await quotaOf(client);
    const freeAt = first.soft.nextSlotAt === null ? 0 : Date.parse(first.soft.nextSlotAt);
    await waitFor(
      async () => Date.now() >= freeAt && (await quotaOf(client)).soft.nextSlotAt === null,
      'a free slot in the soft quota',
      (SOFT_SECONDS + 10) * 1000,
    );
  }

  async function expectAccessible(page: Page): Promise<void> {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }

  it('saves the query with a name and comment, finds it after a reload, re-runs it and lists it in the history', async () => {
    const { page, problems } = await signIn('researcher');
    await addDiabetes(page);
    await page.getByLabel('Title (optional)').fill('Diabetes cohort');
    await page.getByLabel('Name', { exact: true }).fill('Diabetes cohort');
    await page.getByLabel('Comment (optional)').fill('E11 only, all sites');
    await page.getByRole('button', { name: 'Save query' }).click();
    await page.getByText('Saved as “Diabetes cohort”.').waitFor();

    // The same name again: the broker's 409 in words.
    await page.getByRole('button', { name: 'Save query' }).click();
    await page.getByText('You already have a saved query named “Diabetes cohort”.').waitFor();
    await page.screenshot({ path: join(SHOTS, '01-saved-and-name-taken.png'), fullPage: true });

    await page.reload();
    await page.getByText('Signed in as').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Saved queries' }).click();
    const item = page.getByRole('listitem', { name: 'Diabetes cohort' });
    await item.getByText('E11 only, all sites').waitFor();
    await expect(page.getByRole('heading', { level: 3 }).allTextContents()).resolves.toEqual(['Diabetes cohort']);
    await page.screenshot({ path: join(SHOTS, '02-saved-list-after-reload.png'), fullPage: true });
    await expectAccessible(page);

    await item.getByRole('button', { name: 'Run again: Diabetes cohort' }).click();
    await page.waitForURL(/\/queries\/[0-9a-f-]{36}$/);
    const id = /\/queries\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
    await page.getByRole('heading', { name: 'Diabetes cohort', level: 2 }).waitFor();
    await page.getByText('3 of 3 sites answered').waitFor({ timeout: 30_000 });
    const rerun = await broker.client.waitForResult(id, (result) => result.status === 'completed', 10_000);
    expect(rerun.query.display).toBe('Diabetes cohort');
    expect(rerun.query.inclusionCriteria.map((group) => group.map((c) => c.termCodes[0].code))).toEqual([['E11']]);
    await expect(page.locator('table.sites tbody tr[data-status="answered"]').count()).resolves.toBe(3);
    await page.screenshot({ path: join(SHOTS, '03-rerun-result.png'), fullPage: true });
    await expectAccessible(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your queries' }).click();
    const row = page.locator('table.data tbody tr', { hasText: 'Diabetes cohort' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/completed.*3 of 3/);
    // The status filter lists again from the broker: none of these queries has expired; the completed one comes back.
    await page.getByLabel('Status').selectOption('expired');
    await page.getByText('No queries match.').waitFor();
    await page.getByLabel('Status').selectOption('completed');
    await row.waitFor();
    await page.screenshot({ path: join(SHOTS, '04-history.png'), fullPage: true });
    await expectAccessible(page);
    await row.getByRole('link', { name: 'Diabetes cohort' }).click();
    await page.waitForURL(new RegExp(`/queries/${id}$`));
    await page.getByText('3 of 3 sites answered').waitFor();

    // Open in the builder, then rename, then delete with confirmation.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Saved queries' }).click();
    await page.getByRole('link', { name: 'Open in the builder: Diabetes cohort' }).click();
    await page.getByText('Opened the saved query “Diabetes cohort”.').waitFor();
    await expect(page.getByLabel('Title (optional)').inputValue()).resolves.toBe('Diabetes cohort');
    await expect(page.locator('li.criterion', { hasText: 'E11' }).count()).resolves.toBe(1);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Saved queries' }).click();
    await page.getByRole('button', { name: 'Rename: Diabetes cohort' }).click();
    await page.getByLabel('New name').fill('Type 2 diabetes');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const renamed = page.getByRole('listitem', { name: 'Type 2 diabetes' });
    await renamed.waitFor();
    await renamed.getByRole('button', { name: 'Delete: Type 2 diabetes' }).click();
    await page.getByRole('group', { name: 'Confirm deleting Type 2 diabetes' }).waitFor();
    await page.screenshot({ path: join(SHOTS, '05-delete-confirmation.png'), fullPage: true });
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('No saved queries yet.').waitFor();
    const researcher = await world.clientFor(broker.url, 'demo-researcher', 'researcher');
    const list = expectShape(SavedQueryList, (await researcher.get('/api/v1/saved-queries')).body, 'saved queries');
    expect(list.items).toEqual([]);

    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows what is left of the quota, and after a 429 counts down with the submit button disabled', async () => {
    const { page, problems } = await signIn('researcher');
    const researcher = await world.clientFor(broker.url, 'demo-researcher', 'researcher');
    await untilSoftSlotFree(researcher);
    await page.reload();
    await page.getByText('Signed in as').waitFor();
    const soft = page.locator('[data-quota="soft"]');
    await expect(soft.textContent()).resolves.toMatch(
      new RegExp(`^\\d of ${SOFT_AMOUNT} left in any ${SOFT_SECONDS} s$`),
    );
    await expect(page.locator('[data-quota="hard"]').textContent()).resolves.toMatch(
      new RegExp(`^\\d of ${HARD_AMOUNT} left this week$`),
    );
    await addDiabetes(page);
    const submit = page.getByRole('button', { name: 'Submit query' });
    await expect(submit.isEnabled()).resolves.toBe(true);

    // The same user fills the minute from elsewhere (a CLI, say): the page learns of it from the broker's 429.
    const { soft: before } = await quotaOf(researcher);
    for (let index = before.used; index < SOFT_AMOUNT; index += 1) {
      await researcher.submit(diagnosisQuery('E11'));
    }
    await submit.click();
    const notice = page.locator('.quota-wait');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toMatch(
      new RegExp(
        `^You used all ${SOFT_AMOUNT} queries in any ${SOFT_SECONDS} s: the next query is possible in 0:(0\\d|10)\\.$`,
      ),
    );
    await expect(submit.isDisabled()).resolves.toBe(true);
    await page.getByRole('timer').first().waitFor();
    await expect(page.locator('.quota-countdown').textContent()).resolves.toMatch(/^Next query in 0:\d\d$/);
    await waitFor(
      async () => (await soft.textContent()) === `0 of ${SOFT_AMOUNT} left in any ${SOFT_SECONDS} s`,
      'the header to show the used-up minute',
      5_000,
    );
    await page.screenshot({ path: join(SHOTS, '06-quota-countdown.png'), fullPage: true });
    await expectAccessible(page);

    // The countdown runs down and the button comes back when the broker has room again.
    const first = await notice.textContent();
    await waitFor(async () => (await notice.textContent()) !== first, 'the countdown to move', 5_000);
    await waitFor(async () => submit.isEnabled(), 'the submit button to be enabled again', (SOFT_SECONDS + 10) * 1000);
    await expect(notice.count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, '07-quota-free-again.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("lets the admin see another user's queries with their submitter, lift a blacklisting and see the sites", async () => {
    // The other researcher goes on past the weekly limit and is blacklisted.
    const answers = [];
    for (let index = SOFT_AMOUNT + 1; index <= HARD_AMOUNT + 1; index += 1) {
      await untilSoftSlotFree(blocked);
      answers.push(await blocked.post({ ...diagnosisQuery('I10'), display: `Hypertension check ${index}` }));
    }
    expect(answers.map((answer) => answer.status)).toEqual([
      ...Array.from({ length: HARD_AMOUNT - SOFT_AMOUNT }, () => 201),
      403,
    ]);
    expect(expectProblem(answers[answers.length - 1]).code).toBe('BROKER_USER_BLACKLISTED');
    await expect(quotaOf(blocked)).resolves.toMatchObject({ blacklisted: true });

    const { page, problems } = await signIn('admin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'All queries' }).click();
    await page.getByLabel('Submitter').fill(BLOCKED_USER);
    const rows = page.locator('table.data tbody tr');
    await waitFor(
      async () =>
        (await rows.count()) === HARD_AMOUNT && (await page.getByText(`Showing ${HARD_AMOUNT} of`).count()) === 1,
      `the ${HARD_AMOUNT} queries of ${BLOCKED_USER}`,
      10_000,
    );
    await expect(page.locator('table.data tbody td.submitter').allTextContents()).resolves.toEqual(
      Array.from({ length: HARD_AMOUNT }, () => BLOCKED_USER),
    );
    await page.getByRole('link', { name: `Hypertension check ${HARD_AMOUNT}` }).waitFor();
    await page.screenshot({ path: join(SHOTS, '08-admin-all-queries.png'), fullPage: true });
    await expectAccessible(page);

    await nav.getByRole('link', { name: 'Blacklist' }).click();
    await page.getByRole('button', { name: `Lift the blacklisting of ${BLOCKED_USER}` }).waitFor();
    await page.screenshot({ path: join(SHOTS, '09-admin-blacklist.png'), fullPage: true });
    await expectAccessible(page);
    await page.getByRole('button', { name: `Lift the blacklisting of ${BLOCKED_USER}` }).click();
    await page.getByText(`Lifted the blacklisting of ${BLOCKED_USER}`).waitFor();
    await page.getByText('Nobody is blacklisted.').waitFor();
    await expect(quotaOf(blocked)).resolves.toMatchObject({ blacklisted: false });

    await nav.getByRole('link', { name: 'Sites' }).click();
    await page.getByText('3 of 3 sites online').waitFor({ timeout: 15_000 });
    await expect(page.locator('table.data tbody tr[data-online="true"]').count()).resolves.toBe(3);
    await expect(page.locator('table.data tbody tr').first().textContent()).resolves.toMatch(/online\d+ s ago/);
    await page.screenshot({ path: join(SHOTS, '10-admin-sites.png'), fullPage: true });
    await expectAccessible(page);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps the admin pages from a researcher', async () => {
    const { page, problems } = await signIn('researcher');
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Blacklist' }).count(),
    ).resolves.toBe(0);
    await page.goto(`${broker.url}/admin/blacklist`);
    await page.getByRole('heading', { name: 'For admins only' }).waitFor();
    await expectAccessible(page);
    expect(problems).toEqual([]);
    await page.close();
  });
});
