import { existsSync, mkdirSync } from 'node:fs';
import { parseTimerStat } from '../collector/dist/aggregate/timer-stats.js';
import { Evaluator } from '../collector/dist/query/evaluator.js';
import { createRegistry } from '../collector/dist/query/functions/index.js';
import { parseTarget } from '../collector/dist/query/target-parser.js';
import { get } from './lib/http.js';
import { startTrendline } from './lib/receivers.js';
import { median, percentile, rng } from './lib/stats.js';
import { makeBatch, names, parseRetention, SqliteReader, SqliteWriter, timerInterval } from './lib/store.js';

/**
 * Issue 3's targets, over one collector holding 100,100 series:
 *   - `sumSeries(stats.timers.api.*.upper_99)` over 100 timers × 24 h at 10 s (8,640 summaries each), under
 *     150 ms through real HTTP (GET /render, format=json, time to last byte);
 *   - the target parser and function registry (parse, look up, validate every argument) add under 1 ms to a
 *     typical query, timed in-process against a stub data source that returns tiny literal series;
 *   - GET /metrics/find over 100,000 series in under 20 ms, for the requests Grafana's query editor sends
 *     while a user browses the tree level by level.
 * The data goes through the store's real SqliteWriter: 24 h of 10 s flushes of the 100 api timers (with the
 * writer's maintain(): rollups, chunk sealing, retention), and, in a second database, two flushes of 100,000
 * series (50k counters, 20k gauges, 20k timers, 10k sets) in a realistic app.svcNN.epNN.mN tree.
 */

export const title =
  'Query (issue 3): sumSeries over 100 timers × 24 h, parser/registry cost, /metrics/find over 100k series';

const RETENTION = '10s:1d,1m:7d,10m:5y';
const DAY = 86_400;
const REQUESTS = 30;

const API_TIMERS = names('stats.timers.api.ep', 100);
/** Distinct timer intervals cycled through: building 864,000 sketches one by one would take minutes. */
const SUMMARY_POOL = 2000;

function pad(i) {
  return String(i).padStart(2, '0');
}

/** The 100,000-series tree: stats.<kind>.app.svcNN.<group>NN.<leaf>. */
function catalog() {
  const counters = [];
  const gauges = [];
  const timers = [];
  const sets = [];
  for (let s = 0; s < 20; s++) {
    const svc = `app.svc${pad(s)}`;
    for (let e = 0; e < 100; e++) {
      for (let m = 0; m < 25; m++) counters.push(`stats.counters.${svc}.ep${pad(e)}.m${m}`);
      for (let t = 0; t < 10; t++) timers.push(`stats.timers.${svc}.ep${pad(e)}.t${t}`);
    }
    for (let h = 0; h < 50; h++) for (let g = 0; g < 20; g++) gauges.push(`stats.gauges.${svc}.host${pad(h)}.g${g}`);
    for (let k = 0; k < 500; k++) sets.push(`stats.sets.${svc}.s${k}`);
  }
  return { counters, gauges, timers, sets };
}

const RENDER_QUERIES = [
  {
    id: 'sum',
    what: 'sumSeries(stats.timers.api.*.upper_99), 24 h, raw (8,640 pts)',
    targets: ['sumSeries(stats.timers.api.*.upper_99)'],
    limitMs: 150,
  },
  {
    id: 'sumMdp',
    what: '  same with maxDataPoints=1500 (as Grafana sends)',
    targets: ['sumSeries(stats.timers.api.*.upper_99)'],
    maxDataPoints: 1500,
    limitMs: 150,
  },
  {
    id: 'raw100',
    what: '  stats.timers.api.*.upper_99: the 100 inputs, unsummed',
    targets: ['stats.timers.api.*.upper_99'],
  },
  {
    id: 'raw100Mdp',
    what: '  the 100 inputs with maxDataPoints=1500',
    targets: ['stats.timers.api.*.upper_99'],
    maxDataPoints: 1500,
  },
  {
    id: 'sumMean',
    what: '  sumSeries(stats.timers.api.*.mean): no sketch quantile',
    targets: ['sumSeries(stats.timers.api.*.mean)'],
  },
  {
    id: 'grafana',
    what: 'Grafana-style: aliasByNode(sumSeries(…upper_99),2), POST-equivalent GET, maxDataPoints=1500',
    targets: ['aliasByNode(sumSeries(stats.timers.api.*.upper_99), 2)'],
    maxDataPoints: 1500,
    limitMs: 150,
  },
];

/** What Grafana's query editor asks while a user clicks down the tree, then two wider globs. */
const FIND_QUERIES = [
  { q: '*', typical: true },
  { q: 'stats.*', typical: true },
  { q: 'stats.counters.*', typical: true },
  { q: 'stats.counters.app.*', typical: true },
  { q: 'stats.counters.app.svc07.*', typical: true },
  { q: 'stats.counters.app.svc07.ep42.*', typical: true },
  { q: 'stats.counters.app.svc07.ep42.m3.*', typical: true },
  { q: 'stats.timers.app.svc07.ep42.t1.*', typical: true },
  { q: 'stats.gauges.app.svc07.host1*.*', typical: true },
  { q: 'stats.counters.app.{svc01,svc02}.ep4[0-4].*', typical: true },
  { q: 'stats.counters.app.*.ep42.*', typical: false, note: '500 nodes across all services' },
  { q: 'stats.counters.app.*.*.m3', typical: false, note: '2,000 nodes: scans 50k counters' },
  { q: 'stats.*.app.*.*.*', typical: false, note: 'the whole tree (~100k nodes, ~10 MB JSON)' },
];

/** Typical panel targets, as Grafana's Graphite editor writes them. */
const PARSE_TARGETS = [
  'stats.timers.api.ep1.upper_99',
  'sumSeries(stats.timers.api.*.upper_99)',
  'aliasByNode(sumSeries(stats.timers.api.*.upper_99), 2)',
  "aliasSub(movingAverage(scale(perSecond(stats.counters.app.svc0[1-3].ep*.m3.count), 60), '5min'), '^stats\\.(\\w+)\\.(.*)$', '\\2')",
  "groupByNodes(highestAverage(stats.gauges.app.svc07.host{01,02,03}.g*, 5), 'sum', 3, 4)",
  "alias(asPercent(sumSeries(stats.counters.app.svc07.ep*.m1.count), sumSeries(stats.counters.app.*.ep*.m1.count)), 'share')",
];

// ---------------------------------------------------------------------------------------------------------
// Dataset

function summaryPool(random) {
  const pool = [];
  for (let i = 0; i < SUMMARY_POOL; i++) pool.push(timerInterval(random, 10 + Math.floor(random() * 190)));
  return pool;
}

/**
 * 24 h of 10 s flushes of the 100 api timers. maintain() (rollups, sealing, retention) runs once per minute of
 * data rather than per write: it rolls up the same buckets either way, and catch-up calls finish the sealing.
 */
export function buildTimers(path) {
  const started = performance.now();
  const now = Math.floor(Date.now() / 1000);
  const end = now - (now % 10) - 10;
  const random = rng(7);
  const pool = summaryPool(random);
  const pick = () => pool[Math.floor(random() * pool.length)];
  const writer = SqliteWriter.open(path, parseRetention(RETENTION));
  try {
    const keys = { timers: API_TIMERS };
    for (let ts = end - DAY + 10; ts <= end; ts += 10) {
      writer.write(makeBatch(ts, 10, keys, () => 0, pick));
      if ((ts + 10) % 60 === 0) writer.maintain(ts + 10);
    }
    for (let i = 0; i < 20; i++) writer.maintain(end + 10);
  } finally {
    writer.close();
  }
  return { builtInMs: performance.now() - started, end };
}

/**
 * The 100,000-series catalog for /metrics/find: two flushes of every series, a minute apart. Kept in its own
 * file: see the note in run() on why the catalog and 24 h of timer chunks don't share one database here.
 */
export function buildCatalog(path) {
  const started = performance.now();
  const now = Math.floor(Date.now() / 1000);
  const end = now - (now % 10) - 10;
  const random = rng(8);
  const pool = summaryPool(random).slice(0, 200);
  const keys = catalog();
  const value = (kind, i) => (kind === 'gauges' ? 100 + (i % 50) : 1 + (i % 20));
  const writer = SqliteWriter.open(path, parseRetention(RETENTION));
  try {
    for (const ts of [end - 60, end]) {
      writer.write(makeBatch(ts, 10, keys, value, (i) => pool[i % pool.length]));
      writer.maintain(ts + 10);
    }
  } finally {
    writer.close();
  }
  return { builtInMs: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------------------
// Measurements

function renderPath(q) {
  const t = q.targets.map((x) => `target=${encodeURIComponent(x)}`).join('&');
  const mdp = q.maxDataPoints ? `&maxDataPoints=${q.maxDataPoints}` : '';
  return `/render?${t}&from=-24h&until=now&format=json${mdp}`;
}

/** Times `path` after 3 warm-ups: REQUESTS requests (at least 5, at most ~20 s). Checks the first reply. */
async function timeGet(port, path, ctx, check) {
  const first = await get(port, path);
  // A refusal (e.g. the query timeout's 422) is a result too: reported as a MISS with its reason.
  if (first.status !== 200) {
    const error = `HTTP ${first.status} after ${first.ms.toFixed(0)} ms: ${first.body.toString().slice(0, 120)}`;
    return { error, medianMs: Number.NaN, p99Ms: Number.NaN, times: [] };
  }
  const info = check(first.body);
  for (let i = 0; i < 2; i++) await get(port, path);
  const times = [];
  const deadline = performance.now() + (ctx.quick ? 5000 : 20000);
  while (times.length < (ctx.quick ? 10 : REQUESTS) && (times.length < 5 || performance.now() < deadline)) {
    times.push((await get(port, path)).ms);
  }
  return { ...info, medianMs: median(times), p99Ms: percentile(times, 99), times };
}

function renderShape(body) {
  const series = JSON.parse(body.toString());
  const pts = series[0]?.datapoints ?? [];
  const nonNull = pts.filter(([v]) => v !== null).length;
  if (nonNull < pts.length * 0.9) throw new Error(`render: only ${nonNull} of ${pts.length} points have values`);
  const step = pts.length > 1 ? pts[1][1] - pts[0][1] : null;
  return { series: series.length, points: pts.length, step, bytes: body.length, name: series[0]?.target };
}

function findShape(body) {
  const nodes = JSON.parse(body.toString());
  if (!Array.isArray(nodes) || nodes.length === 0) throw new Error('find: no nodes');
  return { nodes: nodes.length, bytes: body.length };
}

/**
 * The floor under the render query: the 100 timers' upper_99 read in-process through the collector's own
 * read path (SqliteReader.readTimerStatInto), with no HTTP, no sumSeries and no JSON.
 */
function readFloorMs(path) {
  const reader = SqliteReader.open(path);
  try {
    const series = reader.listSeries().filter((s) => s.name.startsWith('stats.timers.api.'));
    const now = Math.floor(Date.now() / 1000);
    const start = now - (now % 10) - DAY + 10;
    const upper99 = parseTimerStat('upper_99');
    const times = [];
    for (let rep = 0; rep < 5; rep++) {
      const started = performance.now();
      for (const s of series)
        reader.readTimerStatInto(s.id, 10, start, new Float64Array(DAY / 10).fill(Number.NaN), upper99);
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    reader.close();
  }
}

/**
 * Parser + registry cost per target: the real Evaluator (parse, look up each function, check every argument
 * against its typed parameters, run it) over a stub source whose every path is 3 series of 10 points, so the
 * functions' own arithmetic is negligible. Reported as µs per target: the median of 20 batches.
 */
function parserCost() {
  const registry = createRegistry();
  const step = 10;
  const stub = (path) =>
    [0, 1, 2].map((i) => ({
      name: `${path.replaceAll('*', 'x')}.${i}`,
      tags: { name: `${path}.${i}` },
      pathExpression: path,
      start: 1000,
      end: 1000 + 10 * step,
      step,
      values: Float64Array.from({ length: 10 }, (_, k) => k + i),
      consolidationFunc: 'average',
      xFilesFactor: 0,
    }));
  const evaluator = new Evaluator(registry, { fetch: stub });
  const range = { from: 1000, until: 1100, now: 1100 };
  const out = {};
  for (const target of PARSE_TARGETS) {
    const parseOnly = [];
    const full = [];
    const stubOnly = [];
    const N = 2000;
    for (let i = 0; i < 500; i++) evaluator.evaluateTarget(target, range);
    for (let batch = 0; batch < 20; batch++) {
      let t0 = performance.now();
      for (let i = 0; i < N; i++) parseTarget(target);
      parseOnly.push(((performance.now() - t0) * 1000) / N);
      t0 = performance.now();
      for (let i = 0; i < N; i++) evaluator.evaluateTarget(target, range);
      full.push(((performance.now() - t0) * 1000) / N);
      // What the stub itself costs per target (one call per path in the target).
      const paths = (target.match(/stats\.[\w.*{},[\]-]+/g) ?? []).length;
      t0 = performance.now();
      for (let i = 0; i < N; i++) for (let p = 0; p < paths; p++) stub('stats.x');
      stubOnly.push(((performance.now() - t0) * 1000) / N);
    }
    out[target] = { parseUs: median(parseOnly), evaluateUs: median(full), stubUs: median(stubOnly) };
  }
  return out;
}

/**
 * Two collectors, one per dataset, each on a file of its own. They were split when a retention statement over
 * the chunk tables took 50–90 s on the shared file (docs/benchmarks.md, hot spot 1, fixed since); kept apart,
 * each dataset is built and cached on its own.
 */
export async function run(ctx) {
  const dir = `${ctx.tmp}/query`;
  mkdirSync(dir, { recursive: true });
  const timersDb = `${dir}/timers.db`;
  const catalogDb = `${dir}/catalog.db`;
  const dataset = {};
  if (!existsSync(timersDb)) {
    ctx.log('query: writing 24 h × 100 api timers through SqliteWriter');
    dataset.timers = buildTimers(timersDb);
    ctx.log(`query: timers built in ${Math.round(dataset.timers.builtInMs)} ms`);
  }
  if (!existsSync(catalogDb)) {
    ctx.log('query: writing the 100,000-series catalog through SqliteWriter');
    dataset.catalog = buildCatalog(catalogDb);
    ctx.log(`query: catalog built in ${Math.round(dataset.catalog.builtInMs)} ms`);
  }
  const runs = [];
  for (let r = 1; r <= ctx.runs; r++) {
    const out = { render: {}, find: {} };
    const timers = await startTrendline({ dir: `${dir}/t`, db: timersDb, flushInterval: '10s', retention: RETENTION });
    try {
      for (const q of RENDER_QUERIES)
        out.render[q.id] = await timeGet(timers.httpPort, renderPath(q), ctx, renderShape);
      out.timersRssMB = timers.rss() / 2 ** 20;
    } finally {
      await timers.stop();
    }
    out.floorMs = readFloorMs(timersDb);
    const started = performance.now();
    const cat = await startTrendline({ dir: `${dir}/c`, db: catalogDb, flushInterval: '10s', retention: RETENTION });
    out.startMs = performance.now() - started;
    try {
      const health = await cat.health();
      if (health.series < 100_000) throw new Error(`collector sees ${health.series} series, expected 100,000`);
      out.series = health.series;
      for (const f of FIND_QUERIES) {
        const path = `/metrics/find?query=${encodeURIComponent(f.q)}&from=-6h&until=now`;
        out.find[f.q] = await timeGet(cat.httpPort, path, ctx, findShape);
      }
      out.rssMB = cat.rss() / 2 ** 20;
    } finally {
      await cat.stop();
    }
    out.parser = parserCost();
    runs.push(out);
    ctx.log(
      `query run ${r}: sum ${out.render.sum.medianMs.toFixed(1)} ms, sum+mdp ${out.render.sumMdp.medianMs.toFixed(1)} ms, find max typical ${Math.max(...FIND_QUERIES.filter((f) => f.typical).map((f) => out.find[f.q].medianMs)).toFixed(1)} ms`,
    );
  }
  return { title, rows: rows(ctx, runs), notes: notes(ctx, runs, dataset), raw: { dataset, runs } };
}

function rows(ctx, runs) {
  const m = (f) => median(runs.map(f));
  const range = (f) => {
    const xs = runs.map(f).filter(Number.isFinite);
    const refused = runs.length - xs.length;
    const span = xs.length ? `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}` : 'none';
    return refused ? `${span} (${refused} of ${runs.length} runs refused: query timeout)` : span;
  };
  const out = [];
  for (const q of RENDER_QUERIES) {
    const value = m((r) => r.render[q.id].medianMs);
    const s = runs.find((r) => !r.render[q.id].error)?.render[q.id] ?? runs[0].render[q.id];
    out.push({
      what: q.what,
      value,
      unit: 'ms',
      runs: ctx.runs,
      target: q.limitMs ? `< ${q.limitMs} ms` : '',
      pass: q.limitMs ? value < q.limitMs : undefined,
      note: runs.every((r) => r.render[q.id].error)
        ? s.error
        : `run medians ${range((r) => r.render[q.id].medianMs)}; p99 ${m((r) => r.render[q.id].p99Ms).toFixed(1)} ms; ${s.series} series × ${s.points} pts @${s.step}s, ${(s.bytes / 1024).toFixed(0)} KiB`,
    });
    if (q.id === 'sum') {
      out.push({
        what: '  floor: the 100 timers’ upper_99 read in-process (SqliteReader.readTimerStatInto)',
        value: m((r) => r.floorMs),
        unit: 'ms',
        runs: ctx.runs,
        note: 'the collector’s read path: no HTTP, sumSeries or JSON',
      });
    }
  }
  for (const target of PARSE_TARGETS) {
    const parse = m((r) => r.parser[target].parseUs);
    const added = m((r) => r.parser[target].evaluateUs - r.parser[target].stubUs);
    out.push({
      what: `parse+registry: ${target.length > 60 ? `${target.slice(0, 57)}…` : target}`,
      value: added,
      unit: 'µs',
      runs: ctx.runs,
      target: '< 1 ms',
      pass: added < 1000,
      note: `parse alone ${parse.toFixed(1)} µs; parse+validate+evaluate on 3×10-pt stub series, minus the stub`,
    });
  }
  for (const f of FIND_QUERIES) {
    const value = m((r) => r.find[f.q].medianMs);
    const s = runs[0].find[f.q];
    out.push({
      what: `find ${f.q}`,
      value,
      unit: 'ms',
      runs: ctx.runs,
      target: f.typical ? '< 20 ms' : '(report)',
      pass: f.typical ? value < 20 : undefined,
      note: s.error
        ? s.error
        : `${s.nodes} nodes, ${(s.bytes / 1024).toFixed(0)} KiB; p99 ${m((r) => r.find[f.q].p99Ms).toFixed(1)} ms${f.note ? `; ${f.note}` : ''}`,
    });
  }
  return out;
}

function notes(ctx, runs, dataset) {
  const built = Object.entries(dataset)
    .map(([k, v]) => `${k} ${Math.round(v.builtInMs / 1000)} s`)
    .join(', ');
  return [
    `render: a collector on 100 timers × 24 h (RSS ${median(runs.map((r) => r.timersRssMB)).toFixed(0)} MB after the run); find: a collector on ${runs[0].series} series (start ${median(runs.map((r) => r.startMs)).toFixed(0)} ms, RSS ${median(runs.map((r) => r.rssMB)).toFixed(0)} MB)${built ? `; datasets built: ${built}` : '; datasets reused (--tmp)'}`,
    `per run and request: 3 warm-ups, then ${ctx.quick ? 10 : REQUESTS} timed requests (at least 5, at most ~20 s) over keep-alive HTTP, time to last byte; retention ${RETENTION}`,
  ];
}
