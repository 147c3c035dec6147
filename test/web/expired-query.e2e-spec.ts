import { join } from 'node:path';
import { type BrokerHandle, NetworkWorld } from '../support';
import { launchBrowser, screenshotDir, type TestBrowser } from './support/browser';

const SHOTS = screenshotDir('expired-query');

describe('the web app when a site does not answer before the deadline', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let browser: TestBrowser;

  beforeAll(async () => {
    world = await NetworkWorld.create();
    const answering = world.newSiteId('north');
    const data = await world.generateSite(answering, 200);
    // A second registered site that never starts: the query expires without its answer.
    broker = await world.startBroker(
      world.brokerEnv([answering, world.newSiteId('offline')], { BROKER_QUERY_DEADLINE_SECONDS: '4' }),
    );
    await world.startSite(answering, world.siteEnv(answering, data));
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('shows the answer that came while it waits, then "expired: 1 site did not answer" and which site that was', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(broker.url);
    await page.getByRole('button', { name: 'Sign in as demo researcher' }).click();
    await page.getByLabel('Find a criterion').fill('diab');
    await page.getByRole('button', { name: 'E11 Diabetes mellitus, Typ 2', exact: true }).click();
    await page.getByRole('button', { name: 'Add E11 Diabetes mellitus, Typ 2' }).click();
    await page.getByRole('button', { name: 'Submit query' }).click();

    await page.getByText('1 of 2 sites answered').waitFor({ timeout: 15_000 });
    await expect(page.locator('.live-results .total').textContent()).resolves.toBe(
      'Total: the total shows once the query has finished',
    );
    await page.screenshot({ path: join(SHOTS, '01-waiting.png'), fullPage: true });

    await page.getByText('expired: 1 site did not answer').waitFor({ timeout: 15_000 });
    const answers = await page.locator('table.sites tbody td').allTextContents();
    expect(answers.filter((answer) => answer === 'did not answer in time')).toHaveLength(1);
    await page.screenshot({ path: join(SHOTS, '02-expired.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
