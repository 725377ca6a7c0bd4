/**
 * The documentation pages in a real browser (Debian's Chromium driven by playwright-core), on a
 * service listening on a free port: Swagger UI signs in through Authorize (the OAuth2 password
 * flow) and runs GET /api/v1/users/me, ReDoc renders the operations, and no request leaves the
 * machine. Without /usr/bin/chromium the suite is skipped, except under CI=true where it fails
 * (.ci/run installs chromium).
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN } from '../support/api.js';
import { ROOT } from '../support/openapi.js';
import { serveApi, type ServedApi } from '../support/served-api.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../support/chromium.js';

const SCREENSHOT = join(ROOT, 'test-artifacts', 'docs-authorized.png');

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Requests to this machine, and URLs that are not requests to anywhere (data:, blob:). */
function isLocal(url: string): boolean {
  const parsed = new URL(url);
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  return (
    ['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol) && LOCAL_HOSTS.has(parsed.hostname)
  );
}

describe('Documentation pages in Chromium', function () {
  this.timeout(120_000);
  let served: ServedApi | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let page: Page;
  const outside: string[] = [];
  const blockedByPolicy: string[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    requireChromium(this);
    served = await serveApi();
    profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1100 },
    });
    // Every request of every page that goes to the network passes here: one for another host
    // would have left the machine (it is recorded and refused). A request the page's
    // Content-Security-Policy blocks never gets this far; those are only listed.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (isLocal(url)) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
    context.on('requestfailed', (request) => {
      if (!isLocal(request.url()) && request.failure()?.errorText === 'csp')
        blockedByPolicy.push(request.url());
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await context?.close();
    await served?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it('signs in with Authorize on /docs and runs GET /api/v1/users/me: 200', async () => {
    await page.goto(`${served!.baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();

    // Authorize: the OAuth2 password flow with the admin's username and password.
    await page.locator('.auth-wrapper button.authorize').click();
    const flow = page.locator('.dialog-ux .auth-container').filter({ hasText: 'passwordFlow' });
    await flow.locator('#oauth_username').fill(ADMIN.username);
    await flow.locator('#oauth_password').fill(ADMIN.password);
    const signedIn = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/auth/token') && r.request().method() === 'POST',
    );
    await flow.locator('button.authorize').click();
    expect((await signedIn).status()).to.equal(200);
    await flow.getByText('Authorized', { exact: true }).waitFor();
    await flow.locator('button', { hasText: 'Logout' }).waitFor();
    await page.locator('.dialog-ux button.close-modal').click();

    // "Try it out" is on for every operation (tryItOutEnabled): open the operation and execute.
    const operation = page
      .locator('.opblock.opblock-get')
      .filter({ has: page.locator('.opblock-summary-path[data-path="/api/v1/users/me"]') })
      .first();
    await operation.locator('.opblock-summary').click();
    const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me'));
    await operation.locator('button.execute').click();
    const response = await me;
    expect(response.status()).to.equal(200);
    expect(response.request().headers()['authorization'] ?? '').to.match(/^Bearer v4\.public\./);

    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.innerText()).trim()).to.equal('200');
    expect(await operation.locator('.live-responses-table').first().innerText()).to.include(
      `"username": "${ADMIN.username}"`,
    );

    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await operation.evaluate((element) => {
      element.scrollIntoView({ block: 'start' });
      element.ownerDocument.defaultView?.scrollBy(0, -60);
    });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('renders the operations on /redoc', async () => {
    await page.goto(`${served!.baseUrl}/redoc`);
    // Operation titles are h2 headings in the middle panel, one per version of the operation
    // (the unprefixed, header-versioned paths are not listed again).
    await page
      .locator('h2', { hasText: /^Sign in\s*$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    expect(await page.locator('h2', { hasText: /^Sign in\s*$/ }).count()).to.equal(2);
    expect(await page.locator('h2', { hasText: 'Create a user (sign up)' }).count()).to.equal(2);
  });

  it('sent no request beyond this machine and raised no script error', () => {
    if (blockedByPolicy.length > 0)
      console.log(
        `      blocked by the Content-Security-Policy, never sent: ${[...new Set(blockedByPolicy)].join(', ')}`,
      );
    expect(outside, 'requests that left localhost').to.deep.equal([]);
    expect(pageErrors, 'uncaught errors in the pages').to.deep.equal([]);
  });
});
