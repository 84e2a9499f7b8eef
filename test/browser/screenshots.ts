import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { sendUdp, type TestCollector } from '../support/collector.js';
import { launchBrowser, startUiCollector } from './support.js';

/**
 * The README's screenshots (docs/screenshots/*.png): `npx tsx test/browser/screenshots.ts` after
 * `npm run build` (it takes five minutes). A real collector is fed five minutes of a small shop's traffic
 * over StatsD, with two deploys, the second of which makes checkout slower.
 */

const OUT = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
/** Seconds of live traffic: the views show the last 5 minutes. */
const SECONDS = Number(process.env.SCREENSHOT_SECONDS ?? 290);

/** Deterministic noise in [0, 1). */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

/** Half a second of a small shop's traffic (two a second, so no flush goes empty); checkout is slower if `slow`. */
async function tick(t: TestCollector, i: number, slow: boolean): Promise<void> {
  const factor = slow ? 1.6 : 1;
  const load = 1 + 0.4 * Math.sin(i / 60);
  const lines = [
    `shop.orders:${Math.round(10 * load + 3 * noise(i))}|c`,
    `api.requests:${Math.round(150 * load + 25 * noise(i + 1))}|c`,
    `api.errors:${Math.round(1.5 * noise(i + 2) * factor)}|c`,
    `shop.queue.depth:${Math.round(12 * load + 8 * noise(i + 3))}|g`,
  ];
  for (let k = 0; k < 6; k++) {
    const tail = k === 0 && i % 2 === 0 ? 90 * noise(i + 5) : 0;
    lines.push(`shop.checkout.latency:${((40 + 25 * noise(i * 13 + k) + tail) * factor).toFixed(1)}|ms`);
    lines.push(`api.request.latency:${(8 + 10 * noise(i * 7 + k) + (k === 0 ? 30 : 0)).toFixed(1)}|ms`);
  }
  await sendUdp(t.collector.statsdPort, lines.join('\n'));
}

/**
 * SECONDS of traffic in real time (timers cannot be backdated), with a deploy at a third and at two thirds of
 * it; checkout gets slower after the second. Returns a stop function for the traffic, which goes on (so the
 * graphs do not end in a drop) while the screenshots are taken.
 */
async function feed(t: TestCollector): Promise<() => void> {
  const start = Date.now();
  const ticks = SECONDS * 2;
  const second = Math.floor((2 * ticks) / 3);
  for (let i = 0; i < ticks; i++) {
    if (i === Math.floor(ticks / 3)) await deploy(t, 'shop v2.3.0', '2.3.0', 'rolled out by CI (pipeline 4121)');
    if (i === second) await deploy(t, 'shop v2.4.0', '2.4.0', 'new payment provider');
    await tick(t, i, i >= second);
    const wait = start + (i + 1) * 500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  let i = ticks;
  const timer = setInterval(() => void tick(t, i++, true), 500);
  return () => clearInterval(timer);
}

async function deploy(t: TestCollector, what: string, version: string, data: string): Promise<void> {
  const res = await fetch(`${t.url}/events`, {
    method: 'POST',
    body: JSON.stringify({ what, tags: ['deploy', 'service:shop', `version:${version}`], data }),
  });
  if (!res.ok) throw new Error(`POST /events: ${res.status} ${await res.text()}`);
}

async function settle(page: Page, panels: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('table.legend tbody tr').length >= n, panels, {
    timeout: 30_000,
  });
  // The frame after the last draw.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t = await startUiCollector();
  const browser = await launchBrowser();
  let stopTraffic = () => {};
  try {
    stopTraffic = await feed(t);
    const dash = await fetch(`${t.url}/dashboards/shop`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Shop',
        panels: [
          { title: 'Checkout latency', targets: ['stats.timers.shop.checkout.latency.{mean,upper_99}'], width: 6 },
          { title: 'Orders /s', targets: ['stats.counters.shop.orders.rate'], width: 6 },
          {
            title: 'API requests and errors /s',
            targets: ['stats.counters.api.requests.rate', 'stats.counters.api.errors.rate'],
            width: 8,
          },
          { title: 'Queue depth', targets: ['stats.gauges.shop.queue.depth'], width: 4 },
        ],
      }),
    });
    if (!dash.ok) throw new Error(`PUT /dashboards/shop: ${dash.status}`);

    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await desktop.newPage();

    // Explore with two series, deploy lines and one deploy's tooltip.
    const explore = new URLSearchParams({ from: '-5min', until: 'now' });
    explore.append('target', 'stats.timers.shop.checkout.latency.upper_99');
    explore.append('target', 'stats.timers.shop.checkout.latency.mean');
    await page.goto(`${t.url}/#/explore?${explore}`);
    for (const path of ['stats', 'stats.timers', 'stats.timers.shop']) {
      await page.locator(`li[data-path="${path}"] > button.branch`).click();
    }
    await settle(page, 2);
    const over = page.locator('.u-over');
    const box = await over.boundingBox();
    const xs = ((await over.getAttribute('data-deploy-x')) ?? '').split(',').map(Number);
    if (box && xs.length) await page.mouse.move(box.x + Math.max(...xs), box.y + box.height * 0.4);
    await page.screenshot({ path: join(OUT, 'explore.png') });

    // A dashboard, then the same in the dark theme.
    await page.goto(`${t.url}/#/dashboard/shop?from=-5min&until=now`);
    await settle(page, 5);
    await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
    await page.locator('button.theme-toggle').click();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: join(OUT, 'dark.png'), fullPage: true });
    await page.locator('button.theme-toggle').click();

    // The second deploy's impact on checkout latency.
    const deploys = (await (await fetch(`${t.url}/deploys?from=-2h`)).json()) as Array<{ id: number; what: string }>;
    const id = deploys.find((d) => d.what === 'shop v2.4.0')?.id;
    const impact = new URLSearchParams({ window: '5m', better: 'lower' });
    for (const s of ['upper_99', 'median']) impact.append('target', `stats.timers.shop.checkout.latency.${s}`);
    impact.append('target', 'stats.timers.api.request.latency.upper_99');
    impact.append('target', 'stats.counters.api.errors.rate');
    await page.goto(`${t.url}/#/deploy/${id}?${impact}`);
    await page.waitForFunction(() => document.querySelectorAll('.impact-table tbody tr').length === 4);
    await settle(page, 4);
    await page.screenshot({ path: join(OUT, 'deploy-impact.png'), fullPage: true });
    await desktop.close();

    // A phone.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const mobile = await phone.newPage();
    await mobile.goto(`${t.url}/#/explore?${explore}`);
    await settle(mobile, 2);
    await mobile.screenshot({ path: join(OUT, 'phone.png') });
    await phone.close();
  } finally {
    stopTraffic();
    await browser.close();
    await t.stop();
  }
  console.log(`screenshots in ${OUT}`);
}

await main();
