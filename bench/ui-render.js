import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from './lib/chromium.js';

/**
 * UI target: a dashboard of 12 panels × 10,000 points draws in under 500 ms after its data arrives.
 *
 * `npm run bench -- ui-render` (or `node bench/ui-render.js [--runs N]` after `npm run build`). A small HTTP
 * server serves the built UI (ui/dist) and stands in for the collector's API with a synthetic dashboard
 * (12 panels, 5 deploys) and precomputed /render answers of 10,000 points each, whatever maxDataPoints asks
 * (the collector would consolidate to about one point per pixel, so real dashboards draw far fewer).
 *
 * The UI records, per graph, when its response was read, when uPlot drew it, and the next animation frame
 * (window.__trendlineRenders, ui/src/perf.ts). Two ways of delivering the data:
 * - together (the target's figure): the page's fetch holds the 12 /render answers until all 12 are asked
 *   for and hands them over at once 100 ms later (a quick server: the page has laid out its empty graphs by
 *   then, as it has behind any real network); the time from then to the frame after the last draw is
 *   JSON.parse, uPlot columns, legend statistics, 12 canvas draws with deploy lines, layout and paint;
 * - over HTTP from the stand-in server: the same, but the answers arrive one by one (six connections at a
 *   time) while earlier panels draw; the time from the first answer read to the last frame then includes
 *   the wait for the others.
 */

const PANELS = 12;
const POINTS = 10_000;
const STEP = 10;
const TARGET_MS = 500;
const UI_DIR = join(import.meta.dirname, '..', 'ui', 'dist');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Graphite render JSON for one series: a noisy wave, about 2% nulls (gaps). */
function series(name, seed, from) {
  const points = [];
  let x = seed * 7919;
  for (let i = 0; i < POINTS; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const noise = x / 2147483648;
    const v = noise < 0.02 ? null : Math.round((100 + 40 * Math.sin(i / 300 + seed) + 20 * noise) * 1000) / 1000;
    points.push([v, from + (i + 1) * STEP]);
  }
  return { target: name, tags: { name }, datapoints: points };
}

/** The synthetic dashboard, its deploys and the /render answer of each panel's target. */
function dataset() {
  const until = Math.floor(Date.now() / 1000 / STEP) * STEP;
  const from = until - POINTS * STEP;
  const names = Array.from({ length: PANELS }, (_, i) => `stats.timers.bench.ui.svc${i}.upper_99`);
  return {
    from,
    until,
    bodies: new Map(names.map((n, i) => [n, JSON.stringify([series(n, i, from)])])),
    dashboard: {
      id: 'bench',
      title: `Benchmark: ${PANELS} panels × ${POINTS.toLocaleString('en')} points`,
      readOnly: false,
      updated: until,
      panels: names.map((n, i) => ({ title: `svc${i} p99`, targets: [n], width: 6, height: 220 })),
    },
    deploys: Array.from({ length: 5 }, (_, i) => ({
      id: i + 1,
      when: from + Math.round(((i + 1) * (until - from)) / 6),
      what: `bench v1.${i}`,
      data: '',
      tags: ['deploy', `version:1.${i}`],
    })),
  };
}

/** The built UI plus the three API routes the dashboard view calls. */
function standIn(data) {
  const json = (res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/dashboards/bench') return json(res, JSON.stringify(data.dashboard));
    if (url.pathname === '/deploys') return json(res, JSON.stringify(data.deploys));
    if (url.pathname === '/render') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => json(res, data.bodies.get(new URLSearchParams(body).get('target') ?? '') ?? '[]'));
      return;
    }
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(UI_DIR, path === '/' ? 'index.html' : path);
    if (!file.startsWith(UI_DIR) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
}

/**
 * In the page, before the app: answers /render from `bodies` once all `panels` requests are pending, so the
 * 12 answers arrive in the same instant. Anything else goes to the network.
 */
function holdRenders({ bodies, panels }) {
  const real = window.fetch.bind(window);
  const pending = [];
  window.fetch = (input, init) => {
    if (String(input) !== 'render') return real(input, init);
    const target = new URLSearchParams(String(init?.body ?? '')).get('target') ?? '';
    return new Promise((resolve) => {
      pending.push(() => resolve(new Response(bodies[target] ?? '[]', { status: 200 })));
      // All answers at once, 100 ms after the last was asked for: a quick server, still more than a frame.
      if (pending.length === panels) {
        setTimeout(() => {
          for (const release of pending.splice(0)) release();
        }, 100);
      }
    });
  };
}

async function measure(browser, base, data, mode, runs) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (mode === 'together') {
    await context.addInitScript(holdRenders, { bodies: Object.fromEntries(data.bodies), panels: PANELS });
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const out = [];
  for (let run = 0; run < runs; run++) {
    await page.goto('about:blank');
    await page.goto(`${base}/#/dashboard/bench?from=${data.from}&until=${data.until}`);
    // Polled on a timer, not every frame, so the waiting does not compete with the drawing it times.
    await page.waitForFunction(
      (n) => (window.__trendlineRenders ?? []).filter((r) => r.painted !== undefined).length >= n,
      PANELS,
      { timeout: 60_000, polling: 250 },
    );
    const renders = await page.evaluate(() => window.__trendlineRenders);
    const drawnPoints = renders.reduce((a, r) => a + r.points, 0);
    if (drawnPoints !== PANELS * POINTS) throw new Error(`drew ${drawnPoints} points, expected ${PANELS * POINTS}`);
    const firstArrived = Math.min(...renders.map((r) => r.arrived));
    const lastPainted = Math.max(...renders.map((r) => r.painted));
    out.push({
      totalMs: lastPainted - firstArrived,
      // When each panel's answer was read, drawn and shown, from the first answer read.
      timeline: renders.map((r) => [r.arrived, r.drawn, r.painted].map((t) => Math.round(t - firstArrived))),
    });
  }
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return out;
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];

/** For bench/run.js: at least 5 runs of each delivery, a row per delivery. */
export async function run(ctx) {
  if (!existsSync(join(UI_DIR, 'index.html'))) throw new Error('ui/dist is missing: run `npm run build` first');
  const runs = Math.max(ctx.runs, ctx.quick ? 3 : 5);
  const data = dataset();
  const server = standIn(data);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  try {
    ctx.log(`ui-render: ${runs} runs of each delivery in Chromium ${browser.version()}`);
    const together = await measure(browser, base, data, 'together', runs);
    const http = await measure(browser, base, data, 'http', runs);
    const row = (what, list, target) => {
      const value = median(list.map((r) => r.totalMs));
      return {
        what,
        value,
        unit: 'ms',
        runs,
        target: target ? `< ${TARGET_MS} ms` : '',
        pass: target ? value < TARGET_MS : undefined,
        note: `min ${Math.min(...list.map((r) => r.totalMs)).toFixed(0)} ms, max ${Math.max(...list.map((r) => r.totalMs)).toFixed(0)} ms`,
      };
    };
    return {
      title: `UI render: ${PANELS} panels × ${POINTS.toLocaleString('en')} points, 5 deploy lines (1280×800, headless Chromium ${browser.version()}, --disable-gpu)`,
      rows: [
        row('data arrives together → all 12 drawn and painted', together, true),
        row('  over HTTP, first answer read → all painted', http, false),
      ],
      notes: ['per run: a fresh load of the dashboard; times from window.__trendlineRenders (ui/src/perf.ts)'],
      raw: { together, http },
    };
  } finally {
    await browser.close();
    server.close();
  }
}

// `node bench/ui-render.js [--runs N]` runs it alone and prints its rows.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
  const result = await run({ runs: Number(values.runs), quick: false, log: (m) => console.error(m) });
  console.log(result.title);
  for (const r of result.rows) {
    console.log(
      `${r.what}: median ${r.value.toFixed(0)} ms (${r.note})${r.target ? ` target ${r.target}: ${r.pass ? 'met' : 'MISSED'}` : ''}`,
    );
  }
}
