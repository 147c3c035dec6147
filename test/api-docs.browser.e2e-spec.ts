import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { z } from 'zod';
import { type BrokerHandle, NetworkWorld } from './support';

// Debian's chromium; CHROMIUM_PATH points elsewhere. `.ci/run` installs the package when it is missing.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Recorded {
  violations: string[];
  errors: string[];
  authorizations: string[];
}

describe('the API docs page in a browser', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no chromium at ${CHROMIUM}: install the Debian package chromium or set CHROMIUM_PATH`);
    }
    world = await NetworkWorld.create();
    // No site needs to run: the page reads the document and calls the broker only.
    broker = await world.startBroker(world.brokerEnv([world.newSiteId('unused')]));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('renders every operation without a CSP violation and calls the broker with the token given to Authorize', async () => {
    const answer = await broker.client.get('/api/docs/openapi.json');
    expect(answer.status).toBe(200);
    const { paths } = z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) }).parse(answer.body);
    const operations = Object.values(paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    const researcher = await world.clientFor(broker.url, 'docs-reader', 'researcher');
    const token = researcher.headers.Authorization.replace(/^Bearer /, '');

    const page = await browser.newPage();
    const recorded: Recorded = { violations: [], errors: [], authorizations: [] };
    await page.exposeFunction('reportViolation', (text: string) => recorded.violations.push(text));
    // The page's own context has no types here; the listener is plain browser JavaScript.
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));",
    });
    page.on('pageerror', (error) => recorded.errors.push(error.message));
    page.on('request', (request) => {
      if (request.url().startsWith(`${broker.url}/api/v1/`)) {
        recorded.authorizations.push(request.headers().authorization ?? '');
      }
    });

    await page.goto(`${broker.url}/api/docs`);
    await page.waitForSelector('.opblock');
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(await page.locator(`main > p > a[href="/api/docs/openapi.json"]`).count()).toBe(1);

    await page.click('.scheme-container button.authorize');
    await page.fill('.auth-container input', token);
    await page.click('.auth-btn-wrapper button.authorize');
    await page.click('.auth-btn-wrapper button.btn-done');

    const quota = page.locator('.opblock', { has: page.locator('[data-path="/api/v1/quota"]') });
    await quota.locator('.opblock-summary').click();
    await quota.locator('button.try-out__btn').click();
    await quota.locator('button.execute').click();
    await quota.locator('.live-responses-table tr.response .response-col_status').first().waitFor();
    expect(
      (await quota.locator('.live-responses-table tr.response .response-col_status').first().innerText()).trim(),
    ).toBe('200');

    expect(recorded.authorizations).toEqual([`Bearer ${token}`]);
    expect(recorded.violations).toEqual([]);
    expect(recorded.errors).toEqual([]);
    await page.close();
  });
});
