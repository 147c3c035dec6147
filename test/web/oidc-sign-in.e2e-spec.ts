import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { type BrokerHandle, NetworkWorld } from '../support';
import { OidcProviderProcess } from '../support/oidc-provider/oidc-provider.process';
import { launchBrowser, screenshotDir, type TestBrowser } from './support/browser';

const SHOTS = screenshotDir('oidc-sign-in');
const CLIENT_ID = 'feasibility-web';
/** The broker's audience, which the provider issues every access token for (resource indicator). */
const AUDIENCE = 'urn:example:feasibility-broker';
const USER = 'op-researcher';

describe('signing in to the web app with an OIDC provider (authorization code + PKCE)', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let browser: TestBrowser;
  let provider: OidcProviderProcess;

  /**
   * Starts the sign-in on the broker's page and goes through the provider's own login and consent pages (a fresh
   * browser session at the provider each time: its cookies are cleared first).
   */
  async function signIn(page: Page, shots?: string): Promise<void> {
    await browser.context.clearCookies();
    await page.getByRole('button', { name: 'Sign in with your institution' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/interaction/`));
    await page.locator('input[name="login"]').fill(USER);
    await page.locator('input[name="password"]').fill('any password');
    if (shots !== undefined) {
      await page.screenshot({ path: join(shots, '02-provider-login.png') });
    }
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    if (shots !== undefined) {
      await page.screenshot({ path: join(shots, '03-provider-consent.png') });
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Signed in as').waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    provider = await OidcProviderProcess.start({
      clientId: CLIENT_ID,
      audience: AUDIENCE,
      user: USER,
      roles: ['FeasibilityUser'],
    });
    world = await NetworkWorld.create();
    broker = await world.startBroker(
      // A registered site that never starts: sign-in needs the broker, not the network.
      world.brokerEnv([world.newSiteId('idle')], {
        BROKER_DEV_ISSUER: 'false',
        BROKER_AUTH_ISSUER: provider.issuer,
        BROKER_AUTH_AUDIENCE: AUDIENCE,
        BROKER_WEB_OIDC_CLIENT_ID: CLIENT_ID,
      }),
    );
    // The web app's origin is known only now that the broker listens.
    await provider.allowRedirects([`${broker.url}/auth/callback`]);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    await provider?.close();
  });

  it('signs in through the provider, keeps code and token out of the URL, and calls the broker with the token', async () => {
    const { page, problems } = await browser.newPage();
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(broker.url);
    await expect(page.getByRole('button', { name: /demo/ }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, '01-sign-in.png') });

    await signIn(page, SHOTS);
    await expect(page.locator('.user').textContent()).resolves.toMatch(/op-researcher \(researcher\)/);
    await page.screenshot({ path: join(SHOTS, '04-signed-in.png') });

    expect(provider.exchanges).toHaveLength(1);
    const [exchange] = provider.exchanges;
    expect(exchange.authorize.get('client_id')).toBe(CLIENT_ID);
    expect(exchange.authorize.get('scope')).toBe('openid profile');
    expect(exchange.authorize.get('redirect_uri')).toBe(`${broker.url}/auth/callback`);
    expect(exchange.authorize.get('code_challenge_method')).toBe('S256');
    expect(exchange.token.get('grant_type')).toBe('authorization_code');
    expect(exchange.token.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    // The access token is the provider's JWT for the broker, with the roles where the broker reads them.
    expect(decodeJwt(exchange.accessToken)).toMatchObject({
      iss: provider.issuer,
      aud: AUDIENCE,
      sub: USER,
      realm_access: { roles: ['FeasibilityUser'] },
    });
    // The code left the address bar at once; the token never entered any URL.
    expect(page.url()).toBe(`${broker.url}/`);
    expect(urls.filter((url) => url.includes(exchange.accessToken))).toEqual([]);
    const stored = await page.evaluate<string | null>("sessionStorage.getItem('fq.session')");
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ token: exchange.accessToken, method: 'oidc' });
    expect(problems).toEqual([]);

    // A reload keeps the session of the tab without a new round trip to the provider.
    await page.reload();
    await page.getByText('Signed in as').waitFor();
    expect(provider.exchanges).toHaveLength(1);
    await page.close();
  });

  it('signs out and says why when the broker stops accepting the token', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(broker.url);
    await signIn(page);
    // From now on the broker sees a token it cannot verify, as after a revocation or a key rotation.
    await page.route('**/api/v1/terminology/**', (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer revoked.token.value' } }),
    );
    await page.getByLabel('Find a criterion').fill('diab');
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Your sign-in has expired or was revoked: sign in again.',
    );
    await page.getByRole('button', { name: 'Sign in with your institution' }).waitFor();
    await expect(page.evaluate<string | null>("sessionStorage.getItem('fq.session')")).resolves.toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses a callback whose state was never issued in this tab', async () => {
    const { page } = await browser.newPage();
    await page.goto(`${broker.url}/auth/callback?code=forged&state=forged`);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/no sign-in was started in this tab/);
    expect(page.url()).toBe(`${broker.url}/auth/callback`);
    await page.close();
  });
});
