import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCollector } from '../support/collector.js';
import {
  dogEvent,
  launchBrowser,
  now,
  openPage,
  poll,
  sendTraffic,
  startUiCollector,
  type WatchedPage,
} from './support.js';

/**
 * Every text that comes from metric names, tags, events or dashboards is shown as text: markup in them never
 * runs and never becomes an element.
 */
const IMG = '<img src=x onerror=alert(1)>';

// A browser on a shared, loaded machine: minutes, not the suite's 30 s, before a test counts as hung.
describe('UI: hostile names are shown as text', { timeout: 120_000 }, () => {
  let t: TestCollector;
  let browser: Browser;
  let context: BrowserContext;

  /** No dialog opened, no <img> or extra <script> exists, nothing threw. */
  const assertInert = async (w: WatchedPage) => {
    expect(w.dialogs).toEqual([]);
    expect(w.problems).toEqual([]);
    expect(await w.page.evaluate(() => document.querySelectorAll('img, iframe, object, embed, svg').length)).toBe(0);
    expect(await w.page.evaluate(() => document.querySelectorAll('script').length)).toBe(1);
  };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startUiCollector(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await sendTraffic(t);
    // A deploy whose every field is markup, by POST /events and by DogStatsD.
    const res = await fetch(`${t.url}/events`, {
      method: 'POST',
      body: JSON.stringify({
        what: IMG,
        tags: ['deploy', '<svg/onload=alert(2)>', 'version:<script>alert(3)</script>'],
        data: '<b onmouseover=alert(4)>data</b>',
        when: now() - 30,
      }),
    });
    expect(res.status).toBe(200);
    await t.udp(dogEvent('<iframe src=javascript:alert(5)>', '<i>text</i>', ['deploy']));
    await t.collector.flushNow();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  }, 60_000);

  it('in a metric named <img src=x onerror=alert(1)> (legend via alias, and the tree)', async () => {
    // StatsD sanitises names to [A-Za-z0-9_.-], so a stored name cannot hold markup; the name of a series can,
    // through alias(). The tree is fed the same name by intercepting /metrics/find.
    await context.route('**/metrics/find?*', async (route) => {
      await route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify([{ text: IMG, id: IMG, leaf: 1, expandable: 0, allowChildren: 0 }]),
      });
    });
    const target = `alias(stats.counters.shop.orders.count, "${IMG}")`;
    const w = await openPage(context, `${t.url}/#/explore?target=${encodeURIComponent(target)}&from=-15min`);
    const name = w.page.locator('table.legend td.name');
    await poll(() => name.textContent()).toBe(IMG);
    const leaf = w.page.locator('.tree button.leaf');
    await poll(() => leaf.textContent()).toBe(IMG);
    // Graphing the hostile name sends it to the server as a target and shows its error as text.
    await leaf.click();
    await poll(() => w.page.locator('.panel-message.error').textContent()).toMatch(/^syntax error in target/);
    // The deploy list and the hover tooltip show the event's fields verbatim.
    const row = w.page.locator('table.deploys tbody tr').filter({ hasText: IMG });
    await poll(() => row.count()).toBe(1);
    expect(await row.locator('code').textContent()).toBe('<script>alert(3)</script>');
    expect(await row.locator('.tag').textContent()).toBe('<svg/onload=alert(2)>');
    const over = w.page.locator('.u-over');
    await poll(() => over.getAttribute('data-deploys')).toBe('2');
    const box = await over.boundingBox();
    const xs = ((await over.getAttribute('data-deploy-x')) ?? '').split(',').map(Number);
    if (!box) throw new Error('no plot');
    const seen: string[] = [];
    for (const x of xs) {
      await w.page.mouse.move(box.x + Math.min(x, box.width - 2), box.y + box.height / 2);
      await poll(() => w.page.locator('.deploy-tip').isVisible()).toBe(true);
      seen.push((await w.page.locator('.deploy-tip').textContent()) ?? '');
    }
    expect(seen.some((s) => s.includes(IMG) && s.includes('<b onmouseover=alert(4)>data</b>'))).toBe(true);
    expect(seen.some((s) => s.includes('<iframe src=javascript:alert(5)>'))).toBe(true);
    await assertInert(w);
    await context.unroute('**/metrics/find?*');
    await w.page.close();
  });

  it('in dashboard and panel titles, and the impact view', async () => {
    const put = await fetch(`${t.url}/dashboards/hostile`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: IMG, panels: [{ title: '<svg onload=alert(6)>', targets: [IMG] }] }),
    });
    expect(put.status).toBe(200);
    const w = await openPage(context, `${t.url}/#/dashboards`);
    await poll(() => w.page.locator('table.list a').allTextContents()).toContain(IMG);
    await w.page.goto(`${t.url}/#/dashboard/hostile`);
    await poll(() => w.page.locator('h1').textContent()).toBe(IMG);
    expect(await w.page.locator('.panel h2').textContent()).toBe('<svg onload=alert(6)>');
    await poll(() => w.page.locator('.panel-message.error').count()).toBe(1);

    const [deploy] = (await (await fetch(`${t.url}/deploys?from=-1h`)).json()) as Array<{ id: number; what: string }>;
    await w.page.goto(
      `${t.url}/#/deploy/${deploy.id}?target=${encodeURIComponent(`alias(stats.gauges.shop.queue.depth, "${IMG}")`)}`,
    );
    await poll(() => w.page.locator('.impact-table td.name').textContent()).toBe(IMG);
    await assertInert(w);
    await w.page.close();
  });
});
