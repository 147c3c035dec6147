import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BrowserContext, chromium, type Page, type Response } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs the package when it is missing); Playwright's own browsers cannot be downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** Where a suite's screenshots go: test-output/web/<suite>/ (git ignores test-output/). */
export function screenshotDir(suite: string): string {
  const dir = join(REPO_ROOT, 'test-output', 'web', suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A headless Chromium with a fresh profile, closed and removed by `close()`. */
export interface TestBrowser {
  context: BrowserContext;
  /** A new tab that records the CSP violations and page errors it sees. */
  newPage(): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

/** Starts Chromium headless, sandbox off (root in CI), without any network chatter of its own. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'fq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timeout: 30_000,
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
          problems.push(message.text());
        }
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      return { page, problems };
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Violations of axe-core's rules at impact serious or critical on the page as it is now. */
export async function seriousAccessibilityViolations(
  page: Page,
): Promise<{ id: string; help: string; nodes: string[] }[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, not as a <script>: the page's CSP stays as the broker sent it.
  await page.evaluate(source);
  // In-page code as text: the suites compile without the DOM library.
  const violations = await page.evaluate<AxeViolation[]>('window.axe.run().then((r) => r.violations)');
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The gzipped size of every script a page load fetched from `origin`, in bytes. */
export async function firstLoadScriptBytes(page: Page, url: string): Promise<number> {
  const sizes: Promise<number>[] = [];
  const onResponse = (response: Response) => {
    if (response.request().resourceType() === 'script' && response.url().startsWith(new URL(url).origin)) {
      sizes.push(response.body().then((body) => gzipSync(body).length));
    }
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'networkidle' });
  page.off('response', onResponse);
  return (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
}

/** The focused element's aria-label, label text and own text, as the page's script computes them. */
const FOCUSED_NAME = `(() => {
  const element = document.activeElement;
  if (element === null) return '';
  const label = element.id === '' ? null : document.querySelector('label[for="' + CSS.escape(element.id) + '"]');
  return [element.getAttribute('aria-label'), label && label.textContent, element.textContent]
    .filter((text) => text !== null && text !== undefined && text !== '')
    .join(' | ');
})()`;

/**
 * Presses Tab until the focused element's accessible text matches `name` (at most `limit` presses), as a keyboard
 * user moves through the page; fails if it never gets there.
 */
export async function tabTo(page: Page, name: RegExp, limit = 80): Promise<void> {
  for (let step = 0; step < limit; step += 1) {
    await page.keyboard.press('Tab');
    const focused = String(await page.evaluate(FOCUSED_NAME));
    if (name.test(focused)) {
      return;
    }
  }
  throw new Error(`no element matching ${name} within ${limit} presses of Tab`);
}
