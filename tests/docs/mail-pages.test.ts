/**
 * The reset-password page in a real browser (Debian's Chromium driven by playwright-core): a
 * password reset is asked for, the test's SMTP server receives the mail, the browser opens the
 * link from the mail's HTML part, sets a new password, and the user signs in with it. No request
 * leaves the machine, the page raises no error, and its Content-Security-Policy blocks nothing it
 * needs. Skipped without /usr/bin/chromium, except under CI=true where it fails.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/adapters/http/app.js';
import { SmtpMailer } from '../../src/adapters/mail/smtp-mailer.js';
import { createInMemoryPersistence } from '../../src/adapters/persistence/in-memory/in-memory-persistence.js';
import { PASSWORD, startApi, type TestApi } from '../support/api.js';
import { freePort } from '../support/redis-server.js';
import { TestSmtpServer } from '../support/smtp-server.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../support/chromium.js';

const NEW_PASSWORD = 'Browser1Passw0rd';

describe('The mail pages in Chromium', function () {
  this.timeout(120_000);
  let smtp: TestSmtpServer | undefined;
  let api: TestApi | undefined;
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let page: Page;
  let baseUrl: string;
  const outside: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  before(async function () {
    requireChromium(this);
    smtp = await TestSmtpServer.start();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    api = await startApi(
      createInMemoryPersistence(),
      {
        mail: {
          appUrl: baseUrl,
          smtpUrl: smtp.url,
          from: 'no-reply@example.com',
          requestMax: 1000,
        },
      },
      { mailer: new SmtpMailer({ url: smtp.url, from: 'no-reply@example.com' }) },
    );
    server = buildApp(api.service.container).listen(port, '127.0.0.1');
    await once(server, 'listening');
    profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outside.push(url.href);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  });

  after(async () => {
    await context?.close();
    server?.closeAllConnections();
    await new Promise<void>((done) => (server === undefined ? done() : server.close(() => done())));
    await api?.close();
    await smtp?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it('opens the reset link from the mail, sets a new password, and the user signs in with it', async () => {
    const user = await api!.createUser();
    const email = `${user.username}@example.com`;
    expect(
      (await api!.http.post('/api/v1/auth/password-reset/request').send({ email })).status,
    ).to.equal(202);
    await api!.service.dispatcher.drain();
    const mails = await smtp!.waitFor(2);
    const reset = mails.find((m) => m.subject === 'Reset your password');
    expect(reset, 'the reset mail').to.not.equal(undefined);
    expect(reset!.to).to.deep.equal([email]);
    const link = /href="([^"]+)"/.exec(reset!.html)![1]!.replaceAll('&amp;', '&');
    expect(link.startsWith(`${baseUrl}/reset-password#token=`)).to.equal(true);
    expect(reset!.text).to.contain(link);

    const loaded = await page.goto(link);
    expect(loaded?.headers()['content-security-policy']).to.contain("script-src 'self'");
    // The token leaves the address bar at once.
    expect(page.url()).to.equal(`${baseUrl}/reset-password`);
    await page.locator('#password').fill(NEW_PASSWORD);
    await page.locator('#confirm').fill(NEW_PASSWORD);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/password-reset'));
    await page.locator('button[type="submit"]').click();
    expect((await answered).status()).to.equal(204);
    await page.getByText('Your password is changed').waitFor();

    expect(
      (
        await api!.http
          .post('/api/v1/auth/token')
          .send({ username: user.username, password: PASSWORD })
      ).status,
    ).to.equal(401);
    expect(
      (
        await api!.http
          .post('/api/v1/auth/token')
          .send({ username: user.username, password: NEW_PASSWORD })
      ).status,
    ).to.equal(200);
  });

  it('says so when the link is spent, and confirms an address on /verify-email', async () => {
    const user = await api!.createUser();
    await api!.service.dispatcher.drain();
    const verify = (await smtp!.waitFor(smtp!.received.length))
      .filter((m) => m.to[0] === `${user.username}@example.com`)
      .at(-1)!;
    const link = /href="([^"]+)"/.exec(verify.html)![1]!.replaceAll('&amp;', '&');
    await page.goto(link);
    await page.getByText('Your email address is confirmed').waitFor();
    // A second click on the link in the mail opens the page afresh.
    await page.goto('about:blank');
    await page.goto(link);
    await page.getByText('Invalid or expired token').waitFor();
  });

  it('sent no request beyond this machine and raised no script error', () => {
    expect(outside, 'requests that left localhost').to.deep.equal([]);
    expect(pageErrors, 'uncaught errors in the pages').to.deep.equal([]);
    // A refused token is a 400 the page reports; the browser logs the failed fetch too, nothing else.
    expect(consoleErrors.filter((e) => !e.includes('400 (Bad Request)'))).to.deep.equal([]);
  });
});
