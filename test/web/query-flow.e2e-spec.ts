import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type BrokerHandle, NetworkWorld } from '../support';
import {
  firstLoadScriptBytes,
  launchBrowser,
  screenshotDir,
  seriousAccessibilityViolations,
  tabTo,
  type TestBrowser,
} from './support/browser';

const SHOTS = screenshotDir('query-flow');
const DIABETES = 'E11 Diabetes mellitus, Typ 2';
const HBA1C = /^4548-4 Hämoglobin A1c/;

/** What the total line must say for the broker's final result: the figure as an estimate, or "fewer than". */
function expectedTotal(result: { total: number | null; thresholds: { results: number } }): RegExp {
  return result.total !== null
    ? new RegExp(`about ${result.total.toLocaleString('en')} patients: each site's count is rounded`)
    : new RegExp(`fewer than ${result.thresholds.results} patients`);
}

describe('the web app against a real network (nats-server, broker, three site agents)', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let browser: TestBrowser;

  beforeAll(async () => {
    world = await NetworkWorld.create();
    ({ broker } = await world.startNetwork([
      ['north', 400],
      ['south', 300],
      ['east', 200],
    ]));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  /** The id of the query the page submitted, from the result panel. */
  async function submittedQueryId(page: Page): Promise<string> {
    const text = await page
      .locator('.live-results .hint')
      .filter({ hasText: /^Query / })
      .textContent();
    const id = /Query ([0-9a-f-]{36})/.exec(text ?? '')?.[1];
    if (id === undefined) {
      throw new Error(`no query id on the page: ${text}`);
    }
    return id;
  }

  it('signs in with one click, finds Diabetes by typing "diab", adds HbA1c > 7 %, submits and shows each site answer', async () => {
    const { page, problems } = await browser.newPage();
    const scriptBytes = await firstLoadScriptBytes(page, broker.url);
    expect(scriptBytes).toBeGreaterThan(0);
    expect(scriptBytes).toBeLessThanOrEqual(300 * 1024);
    await page.screenshot({ path: join(SHOTS, '01-sign-in.png') });

    await page.getByRole('button', { name: 'Sign in as demo researcher' }).click();
    await page.getByText('Signed in as').waitFor();
    await expect(page.locator('.user').textContent()).resolves.toMatch(/demo-researcher \(researcher\)/);

    await page.getByLabel('Find a criterion').fill('diab');
    const diagnoses = page.getByRole('region', { name: 'Diagnose' });
    await diagnoses.getByRole('button', { name: DIABETES, exact: true }).click();
    const chosen = page.getByRole('region', { name: `Chosen: ${DIABETES}` });
    await chosen.getByRole('heading', { name: 'Children' }).waitFor();
    await expect(chosen.getByRole('button', { name: /^E11\.9 / }).count()).resolves.toBe(1);
    await page.screenshot({ path: join(SHOTS, '02-search-diab.png'), fullPage: true });
    await chosen.getByRole('button', { name: `Add ${DIABETES}` }).click();

    await page.getByLabel('Find a criterion').fill('HbA1c');
    await page.getByRole('region', { name: 'Laboruntersuchung' }).getByRole('button', { name: HBA1C }).click();
    await page.getByRole('button', { name: /^Add 4548-4 / }).click();
    const hba1c = page.locator('li.criterion', { hasText: '4548-4' });
    await hba1c.getByLabel('Comparison').selectOption('gt');
    await hba1c.getByLabel('Value', { exact: true }).fill('7');
    await expect(hba1c.getByLabel('Unit').inputValue()).resolves.toBe('%');
    await page.getByText('CCDL JSON').click();
    const ccdl = JSON.parse((await page.getByLabel('CCDL JSON of the query').textContent()) ?? '') as {
      inclusionCriteria: { termCodes: { code: string }[]; valueFilter?: unknown }[][];
    };
    expect(ccdl.inclusionCriteria.map((group) => group.map((c) => c.termCodes[0].code))).toEqual([['E11'], ['4548-4']]);
    expect(ccdl.inclusionCriteria[1][0].valueFilter).toEqual({
      type: 'quantity-comparator',
      comparator: 'gt',
      value: 7,
      unit: { code: '%', display: '%' },
    });
    await page.screenshot({ path: join(SHOTS, '03-query-built.png'), fullPage: true });

    await page.getByRole('button', { name: 'Submit query' }).click();
    await page.getByText('3 of 3 sites answered').waitFor({ timeout: 30_000 });
    const id = await submittedQueryId(page);
    const final = await broker.client.waitForResult(id, (result) => result.status === 'completed', 10_000);
    await expect(page.locator('.live-results .total').textContent()).resolves.toMatch(expectedTotal(final));
    const rows = page.locator('table.sites tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(page.locator('table.sites tbody tr[data-status="answered"]').count()).resolves.toBe(3);
    await page.screenshot({ path: join(SHOTS, '04-results.png'), fullPage: true });

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('takes the same path with the keyboard alone', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(broker.url);
    await tabTo(page, /^Sign in as demo researcher$/);
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as').waitFor();

    await tabTo(page, /Find a criterion/);
    await page.keyboard.type('diab');
    await page.getByRole('button', { name: DIABETES, exact: true }).waitFor();
    await tabTo(page, new RegExp(`^${DIABETES}$`));
    await page.keyboard.press('Enter');
    await tabTo(page, new RegExp(`^Add ${DIABETES}$`));
    await page.keyboard.press('Enter');
    await page.locator('li.criterion', { hasText: 'E11' }).waitFor();

    await page.getByLabel('Find a criterion').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('HbA1c');
    await page.getByRole('button', { name: HBA1C }).waitFor();
    await tabTo(page, HBA1C);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Add 4548-4 /);
    await page.keyboard.press('Enter');
    const hba1c = page.locator('li.criterion', { hasText: '4548-4' });
    await hba1c.waitFor();

    await tabTo(page, /^Comparison/);
    await page.keyboard.press('ArrowDown');
    await expect(hba1c.getByLabel('Comparison').inputValue()).resolves.toBe('gt');
    await tabTo(page, /^Value$/);
    await page.keyboard.type('7');
    // The result's single read fails here, so what the page shows next can only come from the live event stream.
    let refusedReads = 0;
    await page.route(/\/api\/v1\/queries\/[0-9a-f-]{36}$/, (route) => {
      refusedReads += 1;
      return route.abort();
    });
    await tabTo(page, /^Submit query$/);
    await page.screenshot({ path: join(SHOTS, '05-keyboard-before-submit.png'), fullPage: true });
    await page.keyboard.press('Enter');

    await page.getByText('3 of 3 sites answered').waitFor({ timeout: 30_000 });
    const id = await submittedQueryId(page);
    expect(refusedReads).toBe(1);
    const final = await broker.client.waitForResult(id, (result) => result.status === 'completed', 10_000);
    expect(final.query.inclusionCriteria[1][0].valueFilter).toMatchObject({ comparator: 'gt', value: 7 });
    await expect(page.locator('.live-results .total').textContent()).resolves.toMatch(expectedTotal(final));
    await page.screenshot({ path: join(SHOTS, '06-keyboard-results.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('imports a CCDL file, shows the warnings the broker accepted it with, and exports the same query', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(broker.url);
    await page.getByRole('button', { name: 'Sign in as demo admin' }).click();
    await page.getByText('Signed in as').waitFor();

    await page.locator('#ccdl-import').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"inclusionCriteria": []}'),
    });
    await expect(page.locator('.ccdl-file .issues').textContent()).resolves.toBe(
      '$.inclusionCriteria: must be a non-empty array of criterion groups (arrays)',
    );

    const query = {
      version: 'http://to_be_decided.com/draft-2/schema#',
      display: 'Imported from a file',
      inclusionCriteria: [
        [
          {
            context: { system: 'fdpg.mii.cds', code: 'Diagnose', display: 'Diagnose' },
            termCodes: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'E11', display: 'Diabetes' }],
            note: 'a property CCDL does not define',
          },
          {
            context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
            termCodes: [{ system: 'http://loinc.org', code: '99999-9', display: 'not in the catalog' }],
          },
        ],
        [
          {
            context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
            termCodes: [{ system: 'http://loinc.org', code: '4548-4', display: 'HbA1c' }],
            valueFilter: {
              type: 'quantity-comparator',
              comparator: 'ge',
              value: 6.5,
              unit: { code: '%', display: '%' },
            },
          },
        ],
      ],
    };
    await page.locator('#ccdl-import').setInputFiles({
      name: 'query.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(query)),
    });
    await page.getByText('Loaded query.json.').waitFor();
    await expect(page.locator('li.criterion').count()).resolves.toBe(3);
    // The catalog knows HbA1c: its imported filter becomes editable.
    const hba1c = page.locator('li.criterion', { hasText: '4548-4' });
    await hba1c.getByLabel('Comparison').waitFor();
    await expect(hba1c.getByLabel('Comparison').inputValue()).resolves.toBe('ge');
    await expect(hba1c.getByLabel('Value', { exact: true }).inputValue()).resolves.toBe('6.5');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CCDL file' }).click();
    const exported = await (await download).path();
    expect(JSON.parse(await readFile(exported, 'utf8'))).toEqual(query);

    await page.getByRole('button', { name: 'Submit query' }).click();
    const warnings = page.getByRole('note', { name: 'Warnings' });
    await warnings.waitFor({ timeout: 15_000 });
    const listed = await warnings.locator('li').allTextContents();
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.inclusionCriteria\[0\]\[0\]\.note: /),
        expect.stringMatching(/^\$\.inclusionCriteria\[0\]\[1\]\.termCodes\[0\]: .*99999-9/),
      ]),
    );
    await page.getByText('3 of 3 sites answered').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, '07-imported-with-warnings.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('adds a specimen with the diagnosis it documents, a reference filter', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(broker.url);
    await page.getByRole('button', { name: 'Sign in as demo admin' }).click();
    await page.getByText('Signed in as').waitFor();
    await page.getByLabel('Find a criterion').fill('Serumprobe');
    await page.getByRole('button', { name: /^119364003 Serumprobe/ }).click();
    await page.getByRole('button', { name: /^Add 119364003 / }).click();
    const specimen = page.locator('li.criterion', { hasText: '119364003' });
    await specimen.getByLabel('Find the festgestellte diagnose').fill('diab');
    await specimen.getByRole('button', { name: DIABETES, exact: true }).click();
    await specimen.getByRole('button', { name: `Use ${DIABETES}` }).click();
    await specimen.getByRole('button', { name: `Remove ${DIABETES}` }).waitFor();
    await page.getByText('CCDL JSON').click();
    const ccdl = JSON.parse((await page.getByLabel('CCDL JSON of the query').textContent()) ?? '') as {
      inclusionCriteria: { attributeFilters?: unknown[] }[][];
    };
    expect(ccdl.inclusionCriteria[0][0].attributeFilters).toEqual([
      {
        type: 'reference',
        attributeCode: expect.objectContaining({ code: 'festgestellteDiagnose' }) as unknown,
        criteria: [
          expect.objectContaining({
            context: expect.objectContaining({ code: 'Diagnose' }) as unknown,
            termCodes: [expect.objectContaining({ code: 'E11' })],
          }),
        ],
      },
    ]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '08-specimen-diagnosis.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("browses a code's children and parents with no serious or critical accessibility violation on the way", async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(broker.url);
    await page.getByRole('button', { name: 'Sign in as demo admin' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign in as demo admin' }).click();
    await page.getByText('Signed in as').waitFor();
    await page.getByLabel('Find a criterion').fill('diab');
    await page.getByRole('button', { name: DIABETES, exact: true }).click();
    await page.getByRole('region', { name: `Chosen: ${DIABETES}` }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // Browse down to a child and back up through its parents.
    await page
      .getByRole('region', { name: `Chosen: ${DIABETES}` })
      .getByRole('button', { name: /^E11\.9 / })
      .click();
    const child = page.getByRole('region', { name: /^Chosen: E11\.9 / });
    await child.getByRole('button', { name: DIABETES, exact: true }).waitFor();
    await child.getByRole('button', { name: DIABETES, exact: true }).click();
    await page.getByRole('region', { name: `Chosen: ${DIABETES}` }).waitFor();
    await page.screenshot({ path: join(SHOTS, '09-admin-search.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
