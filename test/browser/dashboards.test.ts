import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCollector } from '../support/collector.js';
import { launchBrowser, openPage, poll, sendTraffic, startUiCollector, type WatchedPage } from './support.js';

/**
 * Dashboards in headless Chromium against a collector with a token: build one, save it (asked for the token
 * once), reload it, share its link, rename, export, import and delete it.
 */
// A browser on a shared, loaded machine: minutes, not the suite's 30 s, before a test counts as hung.
describe('UI: dashboards', { timeout: 120_000 }, () => {
  const TOKEN = 'sekret-token';
  let t: TestCollector;
  let browser: Browser;
  let context: BrowserContext;
  let w: WatchedPage;
  let page: Page;

  const panelTitles = () => page.locator('.panel header h2').allTextContents();

  beforeAll(async () => {
    [t, browser] = await Promise.all([startUiCollector({ token: TOKEN }), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await sendTraffic(t);
    w = await openPage(context, `${t.url}/#/dashboards`);
    page = w.page;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  }, 60_000);

  it('lists the built-in Collector dashboard, which draws the collector’s own series', async () => {
    await poll(() => page.locator('table.list tbody tr').count()).toBe(1);
    await page.locator('a', { hasText: 'Collector' }).first().click();
    await poll(panelTitles).toEqual([
      'Packets and metrics received /s',
      'Bad lines per interval',
      'Flush time',
      'Series',
    ]);
    // Each panel has data from the collector's own series.
    await poll(() => page.locator('.panel table.legend tbody tr').count()).toBe(5);
    expect(await page.locator('.panel .panel-message.error').count()).toBe(0);
    expect(await page.locator('button', { hasText: 'Delete' }).count()).toBe(0);
  });

  it('creates a dashboard (asking for the token once), adds, edits, resizes and reorders panels, and saves', async () => {
    await page.goto(`${t.url}/#/dashboards`);
    await page.locator('input[aria-label="new dashboard title"]').fill('Shop overview');
    await page.locator('button', { hasText: 'Create dashboard' }).click();
    // Writes need the token: the UI asks once and retries.
    const dialog = page.locator('dialog.token-dialog');
    await poll(() => dialog.isVisible()).toBe(true);
    await dialog.locator('input[name="token"]').fill(TOKEN);
    await dialog.locator('button', { hasText: 'Save token' }).click();
    await poll(() => new URL(page.url()).hash).toBe('#/dashboard/shop-overview?edit=1');

    await page.locator('button', { hasText: 'Add panel' }).click();
    await page.locator('button', { hasText: 'Add panel' }).click();
    const panels = page.locator('.panel');
    await poll(() => panels.count()).toBe(2);
    const fill = async (i: number, title: string, targets: string) => {
      await panels.nth(i).locator('input.panel-title').fill(title);
      const box = panels.nth(i).locator('textarea.panel-targets');
      await box.fill(targets);
      await box.dispatchEvent('change');
    };
    await fill(0, 'Orders', 'stats.counters.shop.orders.count');
    await fill(1, 'Latency', 'stats.timers.shop.checkout.latency.mean\nstats.timers.shop.checkout.latency.upper_99');
    await poll(() => panels.nth(1).locator('table.legend tbody tr').count()).toBe(2);

    await panels.nth(0).locator('button[aria-label="wider"]').click(); // 6 → 8 columns
    await panels.nth(1).locator('button[aria-label="taller"]').click(); // 220 → 280 px
    await panels.nth(0).locator('button[aria-label="move later"]').click();
    await poll(() => panels.nth(0).locator('input.panel-title').inputValue()).toBe('Latency');
    await page.locator('button', { hasText: /^Save$/ }).click();
    await poll(() => page.locator('.status').textContent()).toBe('Saved.');
    expect(new URL(page.url()).hash).not.toContain('edit=1');

    const saved = (await (await fetch(`${t.url}/dashboards/shop-overview`)).json()) as Record<string, unknown>;
    expect(saved).toMatchObject({
      id: 'shop-overview',
      title: 'Shop overview',
      panels: [
        {
          title: 'Latency',
          targets: ['stats.timers.shop.checkout.latency.mean', 'stats.timers.shop.checkout.latency.upper_99'],
          width: 6,
          height: 280,
        },
        { title: 'Orders', targets: ['stats.counters.shop.orders.count'], width: 8, height: 220 },
      ],
    });
  });

  it('reloads the saved dashboard and shares a link that reproduces the view', async () => {
    // A range of its own, so the link has something to reproduce.
    await page.locator('select.range-preset').selectOption('-6h');
    await page.reload();
    await poll(panelTitles).toEqual(['Latency', 'Orders']);
    expect(await page.locator('h1').textContent()).toBe('Shop overview');
    expect(
      await page
        .locator('.panel')
        .nth(1)
        .evaluate((el) => el.style.getPropertyValue('--span')),
    ).toBe('8');
    expect(await page.locator('select.range-preset').inputValue()).toBe('-6h');

    // The cursor is shared: hovering one graph fills the "now" column of every graph's legend.
    const cursorCells = page.locator('.panel table.legend td.cursor');
    await poll(() => cursorCells.count()).toBe(3);
    expect(await cursorCells.allTextContents()).toEqual(['', '', '']);
    const plot = await page.locator('.panel').nth(0).locator('.u-over').boundingBox();
    if (!plot) throw new Error('no plot');
    await page.mouse.move(plot.x + plot.width * 0.99, plot.y + plot.height / 2);
    await poll(async () => (await cursorCells.allTextContents()).every((c) => c !== '')).toBe(true);
    await page.mouse.move(0, 0);

    await page.locator('button', { hasText: 'Share' }).click();
    const link = await page.locator('input.share-url').inputValue();
    expect(link).toBe(`${t.url}/#/dashboard/shop-overview?from=-6h&until=now`);
    // Someone else (no token, fresh storage) opening the link sees the same dashboard and range.
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shared = await openPage(other, link);
    await poll(() => shared.page.locator('.panel header h2').allTextContents()).toEqual(['Latency', 'Orders']);
    expect(await shared.page.locator('select.range-preset').inputValue()).toBe('-6h');
    await poll(() => shared.page.locator('.panel table.legend tbody tr').count()).toBe(3);
    expect(shared.problems).toEqual([]);
    await other.close();
  });

  it('renames, exports and imports the dashboard as JSON', async () => {
    await page.locator('button', { hasText: /^Edit$/ }).click();
    await page.locator('input.title-input').fill('Shop');
    await page.locator('button', { hasText: /^Save$/ }).click();
    await poll(() => page.locator('h1').textContent()).toBe('Shop');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button', { hasText: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('shop-overview.json');
    const exported = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
      title: string;
      panels: Array<{ title: string }>;
    };
    expect(exported.title).toBe('Shop');
    expect(exported.panels.map((p) => p.title)).toEqual(['Latency', 'Orders']);

    // Importing the same file never overwrites: it gets a new id.
    await page.goto(`${t.url}/#/dashboards`);
    await page.locator('input[type="file"]').setInputFiles({
      name: 'shop.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...exported, title: 'Shop imported' })),
    });
    await poll(() => new URL(page.url()).hash).toBe('#/dashboard/shop-overview-2');
    await poll(() => page.locator('h1').textContent()).toBe('Shop imported');
    await poll(panelTitles).toEqual(['Latency', 'Orders']);

    // A file that is not a dashboard is refused with a reason.
    await page.goto(`${t.url}/#/dashboards`);
    await page.locator('input[type="file"]').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"title": "x", "panels": "nope"}'),
    });
    await poll(() => page.locator('.status .error').textContent()).toBe(
      'Cannot import bad.json: "panels" must be an array',
    );
  });

  it('deletes a dashboard', async () => {
    await page.goto(`${t.url}/#/dashboard/shop-overview-2`);
    await poll(() => page.locator('h1').textContent()).toBe('Shop imported');
    await page.locator('button', { hasText: 'Delete' }).click();
    await poll(() => new URL(page.url()).hash).toBe('#/dashboards');
    expect(w.dialogs).toEqual(['confirm: Delete the dashboard "Shop imported"?']);
    await poll(() => page.locator('table.list tbody tr td:first-child').allTextContents()).toEqual([
      'Collector',
      'Shop',
    ]);
    expect((await fetch(`${t.url}/dashboards/shop-overview-2`)).status).toBe(404);
    expect(w.problems).toEqual([]);
  });
});
