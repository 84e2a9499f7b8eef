import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CollectorConfig } from 'trendline-collector';
import { expect } from 'vitest';
import { launchChromium } from '../../bench/lib/chromium.js';
import { startTestCollector, type TestCollector } from '../support/collector.js';

/**
 * Browser tests: a real collector serving the built UI (ui/dist), real StatsD data over UDP, and Debian's
 * Chromium driven by playwright-core (installed by scripts/ensure-system-deps.sh; never `playwright install`).
 */

export const UI_DIR = join(import.meta.dirname, '..', '..', 'ui', 'dist');
export async function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

/** A collector that serves the UI; the UI must be built (`npm run build`). */
export async function startUiCollector(overrides: Partial<CollectorConfig> = {}): Promise<TestCollector> {
  if (!existsSync(join(UI_DIR, 'index.html')))
    throw new Error(`the UI is not built (${UI_DIR}): run \`npm run build\``);
  return startTestCollector({ uiDir: UI_DIR, ...overrides });
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console errors, except failed requests the test caused on purpose. */
  problems: string[];
  /** Every dialog the page opened (alert, confirm…), by message. */
  dialogs: string[];
}

/** A page that records what went wrong, and accepts confirm() dialogs. */
export async function openPage(context: BrowserContext, url: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A 4xx the test provoked shows as "Failed to load resource"; the UI's handling of it is what is tested.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.accept();
  });
  await page.goto(url);
  return { page, problems, dialogs };
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** A DogStatsD event line (lengths in UTF-8 bytes). */
export function dogEvent(title: string, text: string, tags: string[]): string {
  const len = (s: string) => Buffer.byteLength(s);
  return `_e{${len(title)},${len(text)}}:${title}|${text}|#${tags.join(',')}`;
}

/** Sends a few intervals of StatsD traffic and flushes each, so graphs have several points. */
export async function sendTraffic(t: TestCollector, intervals = 3): Promise<void> {
  for (let i = 0; i < intervals; i++) {
    await t.udp(
      [
        'shop.orders:1|c',
        'shop.orders:2|c',
        `shop.checkout.latency:${10 + i * 5}|ms`,
        `shop.checkout.latency:${30 + i}|ms`,
        `shop.queue.depth:${4 + i}|g`,
      ].join('\n'),
    );
    await t.collector.flushNow();
  }
}

/**
 * expect.poll with room for a slow, shared machine: a condition the page reaches in 100 ms when idle may take
 * seconds under load (vitest's default gives up after one).
 */
export const poll: typeof expect.poll = (probe, options) =>
  expect.poll(probe, { timeout: 15_000, interval: 100, ...options });
