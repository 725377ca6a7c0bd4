/** Debian's Chromium for the browser tests, and how they start it. */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Call from a `before` hook: skips the suite without Chromium, except under CI=true where it fails. */
export function requireChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env['CI'] === 'true')
    throw new Error(`${CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)`);
  console.log(
    `      Skipping the browser tests: ${CHROMIUM} is not installed (apt-get install chromium). With CI=true they fail instead.`,
  );
  context.skip();
}
