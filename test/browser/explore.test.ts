import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCollector } from '../support/collector.js';
import { dogEvent, launchBrowser, now, openPage, poll, sendTraffic, startUiCollector } from './support.js';

/** Explore in headless Chromium: the metric tree, graphs, expression errors and deploy lines. */
// A browser on a shared, loaded machine: minutes, not the suite's 30 s, before a test counts as hung.
describe('UI: explore', { timeout: 120_000 }, () => {
  let t: TestCollector;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startUiCollector(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await sendTraffic(t);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  }, 60_000);

  it('browses the tree to a metric, graphs it, adds a second series found by search, and keeps it in the URL', async () => {
    const { page, problems } = await openPage(context, `${t.url}/`);
    const tree = page.locator('.metric-tree');
    for (const path of ['stats', 'stats.counters', 'stats.counters.shop', 'stats.counters.shop.orders']) {
      await tree.locator(`li[data-path="${path}"] > button.branch`).click();
    }
    await tree.locator('li[data-path="stats.counters.shop.orders.count"] > button.leaf').click();

    const legend = page.locator('table.legend tbody tr');
    await poll(() => legend.count()).toBe(1);
    expect(await legend.first().locator('td.name').textContent()).toBe('stats.counters.shop.orders.count');
    // Three intervals of 1 + 2: the legend's max is 3 per interval at most, and some point is drawn.
    expect(Number(await legend.first().locator('td').nth(4).textContent())).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.plot canvas').count()).toBe(1);
    expect(decodeURIComponent(page.url())).toContain('target=stats.counters.shop.orders.count');

    // The search box filters the tree down to matching names.
    await page.locator('.metric-search').fill('latency upper_99');
    const leaf = tree.locator('li[data-path="stats.timers.shop.checkout.latency.upper_99"] > button.leaf');
    await leaf.click();
    await poll(() => legend.count()).toBe(2);
    expect(await tree.locator('button.leaf').count()).toBeLessThan(5);
    // Units come from the names: a timer percentile is in ms.
    expect(await legend.nth(1).locator('td').nth(2).textContent()).toMatch(/ ms$/);

    // The URL alone reproduces the view.
    const link = page.url();
    const again = await openPage(context, link);
    const legend2 = again.page.locator('table.legend tbody tr td.name');
    await poll(() => legend2.allTextContents()).toEqual([
      'stats.counters.shop.orders.count',
      'stats.timers.shop.checkout.latency.upper_99',
    ]);
    expect(problems).toEqual([]);
    expect(again.problems).toEqual([]);
    await page.close();
    await again.page.close();
  });

  it('shows the server’s error inline for a bad expression, and graphs a good one', async () => {
    const { page, problems } = await openPage(context, `${t.url}/#/explore`);
    const input = page.locator('input.new-target');
    await input.fill('sumSeries(stats.counters.shop.*.count');
    await input.press('Enter');
    const error = page.locator('.panel-message.error[role="alert"]');
    await poll(() => error.isVisible()).toBe(true);
    const res = await fetch(`${t.url}/render?target=${encodeURIComponent('sumSeries(stats.counters.shop.*.count')}`);
    expect(res.status).toBe(400);
    expect(await error.textContent()).toBe((await res.text()).trim());

    // Fixing the target clears the error and draws the series under its expression name.
    const target = page.locator('input.target[aria-label="target 1"]');
    await target.fill('aliasByNode(sumSeries(stats.counters.shop.*.count), 2)');
    await target.press('Enter');
    await poll(() => error.count()).toBe(0);
    await poll(() => page.locator('table.legend td.name').allTextContents()).toEqual(['shop']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws a line for each deploy (POST /events and DogStatsD), with its text on hover and a link to its impact', async () => {
    const posted = await fetch(`${t.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        what: 'shop v1.2.3',
        tags: ['deploy', 'service:shop', 'version:1.2.3'],
        data: 'rolled out by CI',
        when: now() - 60,
      }),
    });
    expect(posted.status).toBe(200);
    await t.udp(dogEvent('shop v1.2.4', 'canary', ['deploy', 'service:shop', 'version:1.2.4']));
    await t.collector.flushNow();
    await sendTraffic(t, 1);

    const { page, problems } = await openPage(
      context,
      `${t.url}/#/explore?target=stats.counters.shop.orders.count&from=-15min&until=now`,
    );
    const over = page.locator('.u-over');
    // The chart is drawn empty while its data loads; positions are read once the data is drawn (legend filled).
    await poll(() => page.locator('table.legend tbody tr').count()).toBe(1);
    await poll(() => over.getAttribute('data-deploys')).toBe('2');

    // The line is on the canvas: the deploy colour appears in a column at its x.
    const xs = ((await over.getAttribute('data-deploy-x')) ?? '').split(',').map(Number);
    const purple = await page.locator('.plot canvas').evaluate((canvas: HTMLCanvasElement, x: number) => {
      const overEl = document.querySelector('.u-over') as HTMLElement;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / box.width;
      const left = (overEl.getBoundingClientRect().left - box.left + x) * ratio;
      const top = (overEl.getBoundingClientRect().top - box.top) * ratio;
      const column = ctx.getImageData(Math.round(left) - 2, Math.round(top), 5, overEl.clientHeight * ratio).data;
      let hits = 0;
      for (let i = 0; i < column.length; i += 4) {
        if (column[i] > 120 && column[i + 1] < 120 && column[i + 2] > 180) hits++;
      }
      return hits;
    }, xs[0]);
    expect(purple).toBeGreaterThan(20);

    // Hovering a line shows what, version, tags and time.
    const box = await over.boundingBox();
    if (!box) throw new Error('no plot');
    const tip = page.locator('.deploy-tip');
    const texts: string[] = [];
    for (const x of xs) {
      // A deploy stamped this second sits on the right edge: stay inside the plot (hover allows a few px).
      await page.mouse.move(box.x + Math.min(x, box.width - 2), box.y + box.height / 2);
      await poll(() => tip.isVisible()).toBe(true);
      texts.push((await tip.textContent()) ?? '');
    }
    const posts = texts.find((s) => s.includes('shop v1.2.3'));
    expect(posts).toMatch(/version 1\.2\.3/);
    expect(posts).toContain('service:shop');
    expect(posts).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(texts.some((s) => s.includes('shop v1.2.4') && s.includes('canary'))).toBe(true);
    await page.mouse.move(box.x + 5, box.y + 5);
    await poll(() => tip.isVisible()).toBe(false);

    // The deploy list under the graph links to each deploy's impact view.
    const rows = page.locator('table.deploys tbody tr');
    await poll(() => rows.count()).toBe(2);
    await rows.filter({ hasText: 'shop v1.2.3' }).locator('a.impact-link').click();
    await poll(() => page.locator('.deploy-about h2').textContent()).toBe('shop v1.2.3');
    const verdict = page.locator('.impact-table tbody tr .verdict');
    await poll(() => verdict.count()).toBe(1);
    expect(['better', 'worse', 'unchanged', 'unknown']).toContain(await verdict.textContent());
    expect(await page.locator('.impact-table td.name').textContent()).toBe('stats.counters.shop.orders.count');
    await poll(() => page.locator('.u-over').getAttribute('data-deploys')).toBe('1');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('zooms by dragging, goes Back to the previous range, and switches deploy lines off', async () => {
    const { page, problems } = await openPage(
      context,
      `${t.url}/#/explore?target=stats.counters.shop.orders.count&from=-1h&until=now`,
    );
    const over = page.locator('.u-over');
    // The chart is drawn empty while its data loads; positions are read once the data is drawn (legend filled).
    await poll(() => page.locator('table.legend tbody tr').count()).toBe(1);
    await poll(() => over.getAttribute('data-deploys')).toBe('2');
    const box = await over.boundingBox();
    if (!box) throw new Error('no plot');
    await page.mouse.move(box.x + box.width * 0.5, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + 40, { steps: 5 });
    await page.mouse.up();
    await poll(() => new URL(page.url()).hash).toMatch(/from=\d{10}&until=\d{10}/);
    expect(await page.locator('.range-preset').inputValue()).toBe('');
    await page.locator('button.back').click();
    await poll(() => decodeURIComponent(new URL(page.url()).hash)).toContain('from=-1h&until=now');
    expect(await page.locator('.range-preset').inputValue()).toBe('-1h');

    await page.locator('input.show-deploys').uncheck();
    await poll(() => over.getAttribute('data-deploys')).toBe('0');
    expect(new URL(page.url()).hash).toContain('deploys=off');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('applies an absolute range, refreshes on its own, and switches to the dark theme and back', async () => {
    const { page, problems } = await openPage(
      context,
      `${t.url}/#/explore?target=stats.counters.shop.orders.count&from=-1h&until=now`,
    );
    await poll(() => page.locator('table.legend tbody tr').count()).toBe(1);

    // An absolute range typed into the inputs goes to the URL as epoch seconds.
    await page.locator('input.range-from').fill('2026-01-02T03:04');
    await page.locator('input.range-until').fill('2026-01-02T05:06');
    await page.locator('form.absolute button').click();
    const expected = await page.evaluate(() => [
      new Date('2026-01-02T03:04').getTime() / 1000,
      new Date('2026-01-02T05:06').getTime() / 1000,
    ]);
    await poll(() => new URL(page.url()).hash).toContain(`from=${expected[0]}&until=${expected[1]}`);
    await page.locator('button.back').click();
    await poll(() => decodeURIComponent(new URL(page.url()).hash)).toContain('from=-1h&until=now');

    // Auto-refresh asks /render again without anyone touching the page.
    await page.locator('select[aria-label="auto-refresh"]').selectOption('5s');
    expect(new URL(page.url()).hash).toContain('refresh=5s');
    const again = await page.waitForRequest((r) => new URL(r.url()).pathname === '/render', { timeout: 20_000 });
    expect(again.method()).toBe('POST');

    // The theme is this browser's choice: it survives a reload.
    const theme = () => page.locator('html').getAttribute('data-theme');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await theme()).toBe('light');
    const light = await background();
    await page.locator('button.theme-toggle').click();
    expect(await theme()).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.reload();
    await poll(theme).toBe('dark');
    await page.locator('button.theme-toggle').click();
    expect(await theme()).toBe('light');
    expect(problems).toEqual([]);
    await page.close();
  });

  it.each([
    { name: 'a 1280×800 screen', width: 1280, height: 800, phone: false },
    { name: 'a 390 px wide phone', width: 390, height: 844, phone: true },
  ])('lays every view out on $name without sideways overflow', async ({ width, height, phone }) => {
    const ctx = await browser.newContext({ viewport: { width, height }, isMobile: phone, hasTouch: phone });
    const { page, problems } = await openPage(
      ctx,
      `${t.url}/#/explore?target=stats.counters.shop.orders.count&target=stats.timers.shop.checkout.latency.upper_99`,
    );
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await poll(() => page.locator('table.legend tbody tr').count()).toBe(2);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const canvas = await page.locator('.plot canvas').boundingBox();
    // The graph takes the width there is: beside the tree on a desktop, the whole screen on a phone.
    expect(canvas?.width).toBeGreaterThan(phone ? 300 : 800);
    const tree = page.locator('.metric-tree');
    if (phone) {
      // The tree is one tap away.
      expect(await tree.isVisible()).toBe(false);
      await page.locator('.tree-toggle').click();
      await poll(() => tree.isVisible()).toBe(true);
    } else {
      expect(await tree.isVisible()).toBe(true);
    }

    await page.goto(`${t.url}/#/dashboard/collector`);
    const panels = page.locator('.panel');
    await poll(() => panels.count()).toBe(4);
    await poll(() => page.locator('.panel table.legend tbody tr').count()).toBeGreaterThan(0);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const [first, second] = [await panels.nth(0).boundingBox(), await panels.nth(1).boundingBox()];
    if (!first || !second) throw new Error('no panels');
    // Half-width panels sit side by side on a desktop and stack on a phone.
    if (phone) expect(second.y).toBeGreaterThanOrEqual(first.y + first.height);
    else expect(second.y).toBe(first.y);

    // A saved dashboard in the list: its row has a date and a Delete button.
    const put = await fetch(`${t.url}/dashboards/layout-${width}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Checkout and orders overview', panels: [] }),
    });
    expect(put.status).toBe(200);
    // And a deploy of its own, so this test does not depend on the others.
    const posted = await fetch(`${t.url}/events`, {
      method: 'POST',
      body: JSON.stringify({ what: `layout check ${width}`, tags: ['deploy', 'service:shop', 'version:9.9.9'] }),
    });
    expect(posted.status).toBe(200);
    const deploys = (await (await fetch(`${t.url}/deploys?from=-1h`)).json()) as Array<{ id: number; what: string }>;
    const deploy = deploys.find((d) => d.what === `layout check ${width}`);
    if (!deploy) throw new Error('the deploy was not stored');
    const impact = `#/deploy/${deploy.id}?target=stats.timers.shop.checkout.latency.upper_99`;
    for (const hash of ['#/dashboards', impact]) {
      await page.goto(`${t.url}/${hash}`);
      await poll(() => page.locator('h1').count()).toBe(1);
      await poll(() => page.locator('table').count()).toBeGreaterThan(0);
      if (hash === '#/dashboards')
        await poll(() => page.locator('table.list button.danger').count()).toBeGreaterThan(0);
      expect(await overflow(), hash).toBeLessThanOrEqual(0);
    }
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
