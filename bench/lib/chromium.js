import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/**
 * Debian's Chromium (scripts/ensure-system-deps.sh installs it; never `playwright install`), headless, with
 * the flags both the browser tests (test/browser/support.ts) and the UI render bench use.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run \`sh scripts/ensure-system-deps.sh\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
