import { join } from 'node:path';
import { type BrokerHandle, NetworkWorld } from '../support';
import { launchBrowser, screenshotDir, type TestBrowser } from './support/browser';
import { type OidcProviderStub, startOidcProviderStub } from './support/oidc-provider.stub';

const SHOTS = screenshotDir('oidc-sign-in');
const CLIENT_ID = 'feasibility-web';

describe('signing in to the web app with an OIDC provider (authorization code + PKCE)', () => {
  let world: NetworkWorld;
  let broker: BrokerHandle;
  let browser: TestBrowser;
  let provider: OidcProviderStub;

  beforeAll(async () => {
    provider = await startOidcProviderStub({ clientId: CLIENT_ID, user: 'kc-researcher', roles: ['FeasibilityUser'] });
    world = await NetworkWorld.create();
    broker = await world.startBroker(
      // A registered site that never starts: sign-in needs the broker, not the network.
      world.brokerEnv([world.newSiteId('idle')], {
        BROKER_DEV_ISSUER: 'false',
        BROKER_AUTH_ISSUER: provider.issuer,
        BROKER_AUTH_AUDIENCE: CLIENT_ID,
      }),
    );
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

    await page.getByRole('button', { name: 'Sign in with your institution' }).click();
    await page.getByText('Signed in as').waitFor({ timeout: 15_000 });
    await expect(page.locator('.user').textContent()).resolves.toMatch(/kc-researcher \(researcher\)/);
    await page.screenshot({ path: join(SHOTS, '02-signed-in.png') });

    expect(provider.exchanges).toHaveLength(1);
    const [exchange] = provider.exchanges;
    expect(exchange.authorize.get('scope')).toBe('openid profile');
    expect(exchange.authorize.get('redirect_uri')).toBe(`${broker.url}/auth/callback`);
    expect(exchange.token.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
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
    await page.getByRole('button', { name: 'Sign in with your institution' }).click();
    await page.getByText('Signed in as').waitFor({ timeout: 15_000 });
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
