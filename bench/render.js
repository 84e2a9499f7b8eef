import { existsSync, mkdirSync } from 'node:fs';
import { get } from './lib/http.js';
import { startTrendline } from './lib/receivers.js';
import { median, percentile, rng } from './lib/stats.js';
import { Database, makeBatch, names, parseRetention, resetRollups, SqliteWriter, timerInterval } from './lib/store.js';

/**
 * Target 3: /render of 100 series × 24 h at 10 s (8,640 points each) in under 100 ms, and one series over
 * a year through rollups in under 50 ms. The data is written with the store's real writer: 24 h of 10 s
 * flushes for 100 series (60 counters, 30 gauges, 10 timers); a year of 1-minute points for three more
 * series, rolled up to 10 minutes by the writer's own maintain().
 */

export const title = 'Render: GET /render, format=json, time to last byte';

// The 10 s tier must keep 24 h for a 24 h query to be served at 10 s (the default keeps 6 h).
const RETENTION = '10s:1d,1m:7d,10m:5y';
const DAY = 86_400;
const YEAR_DAYS = 366;
const REQUESTS = 30;

const QUERIES = [
  {
    id: 'mix100',
    what: '100 series × 24 h @10 s (60 counters, 30 gauges, 10 timers upper_99)',
    targets: [
      'stats.counters.bench.render.*.count',
      'stats.gauges.bench.render.*',
      'stats.timers.bench.render.*.upper_99',
    ],
    from: '-24h',
    limitMs: 100,
  },
  { id: 'counters60', what: '  of which 60 counters', targets: ['stats.counters.bench.render.*.count'], from: '-24h' },
  { id: 'gauges30', what: '  of which 30 gauges', targets: ['stats.gauges.bench.render.*'], from: '-24h' },
  {
    id: 'timers10',
    what: '  of which 10 timers upper_99',
    targets: ['stats.timers.bench.render.*.upper_99'],
    from: '-24h',
  },
  {
    id: 'timers10mean',
    what: '  10 timers mean (no sketch decode)',
    targets: ['stats.timers.bench.render.*.mean'],
    from: '-24h',
  },
  {
    id: 'yearCounter',
    what: '1 counter × 1 year (10 min rollup)',
    targets: ['stats.counters.bench.year.c0.count'],
    from: '-1y',
    limitMs: 50,
  },
  {
    id: 'yearGauge',
    what: '1 gauge × 1 year (10 min rollup)',
    targets: ['stats.gauges.bench.year.g0'],
    from: '-1y',
    limitMs: 50,
  },
  {
    id: 'yearTimer',
    what: '1 timer upper_99 × 1 year (10 min rollup)',
    targets: ['stats.timers.bench.year.t0.upper_99'],
    from: '-1y',
    limitMs: 50,
  },
];

const RENDER_KEYS = {
  counters: names('stats.counters.bench.render.c', 60),
  gauges: names('stats.gauges.bench.render.g', 30),
  timers: names('stats.timers.bench.render.t', 10),
};
const YEAR_KEYS = {
  counters: ['stats.counters.bench.year.c0'],
  gauges: ['stats.gauges.bench.year.g0'],
  timers: ['stats.timers.bench.year.t0'],
};

/** 24 h of 10 s flushes through SqliteWriter.write(), one transaction each, as the collector writes them. */
function writeDay(writer, end, random) {
  for (let ts = end - DAY + 10; ts <= end; ts += 10) {
    const batch = makeBatch(
      ts,
      10,
      RENDER_KEYS,
      (kind, i) => (kind === 'counters' ? Math.floor(random() * 100) : 50 + i + random() * 10),
      () => timerInterval(random, 50),
    );
    writer.write(batch);
  }
}

/**
 * A year of 1-minute flushes for three series, through a writer whose finest tier is 1 m (the tables are
 * the same points_60/timers_60 the collector's 1 m tier uses), then rolled up into 10 m by maintain().
 */
function writeYear(path, end, random) {
  const writer = SqliteWriter.open(path, parseRetention('1m:2y,10m:5y'));
  const start = end - YEAR_DAYS * DAY;
  try {
    for (let ts = start - (start % 60); ts < end - (end % 60); ts += 60) {
      const value = (kind) => (kind === 'counters' ? Math.floor(random() * 600) : random() * 100);
      writer.write(makeBatch(ts, 60, YEAR_KEYS, value, () => timerInterval(random, 60)));
    }
    resetRollups(path, [600], start);
    writer.maintain(end);
  } finally {
    writer.close();
  }
}

export function buildDataset(path) {
  const started = performance.now();
  const now = Math.floor(Date.now() / 1000);
  const end = now - (now % 10) - 10;
  const random = rng(42);
  writeYear(path, end, random);
  const writer = SqliteWriter.open(path, parseRetention(RETENTION));
  try {
    writeDay(writer, end, random);
    // Roll the day up too (10 s → 1 m → 10 m), and let retention run once, as a live collector would.
    resetRollups(path, [60, 600], end - DAY);
    writer.maintain(end + 10);
  } finally {
    writer.close();
  }
  return { builtInMs: performance.now() - started };
}

function query(q) {
  const t = q.targets.map((x) => `target=${encodeURIComponent(x)}`).join('&');
  return `/render?${t}&from=${q.from}&format=json`;
}

/** Checks a response once: how many series and points came back, and at what step. */
function shape(body) {
  const series = JSON.parse(body.toString());
  const pts = series[0]?.datapoints ?? [];
  const step = pts.length > 1 ? pts[1][1] - pts[0][1] : null;
  return { series: series.length, pointsPerSeries: pts.length, step, bytes: body.length };
}

async function timeQueries(port, ctx) {
  const out = {};
  for (const q of QUERIES) {
    const path = query(q);
    const first = await get(port, path);
    if (first.status !== 200) throw new Error(`${path}: HTTP ${first.status} ${first.body.toString().slice(0, 200)}`);
    for (let i = 0; i < 2; i++) await get(port, path);
    const times = [];
    for (let i = 0; i < (ctx.quick ? 10 : REQUESTS); i++) times.push((await get(port, path)).ms);
    out[q.id] = { ...shape(first.body), medianMs: median(times), p99Ms: percentile(times, 99), times };
  }
  return out;
}

/**
 * The floor under the 24 h query: the same rows (100 series × 8,640) read in this process with
 * better-sqlite3, as the collector's reader does, with no HTTP, no JSON and no sketch decoding.
 */
function rowReadFloorMs(path) {
  const db = new Database(path, { readonly: true });
  try {
    const series = db.prepare("SELECT id, kind FROM series WHERE name LIKE 'stats.%.bench.render.%'").all();
    const from = Math.floor(Date.now() / 1000) - DAY;
    const points = db.prepare('SELECT ts, value FROM points_10 WHERE series_id = ? AND ts > ? ORDER BY ts').raw(true);
    const timers = db.prepare('SELECT * FROM timers_10 WHERE series_id = ? AND ts > ? ORDER BY ts').raw(true);
    const times = [];
    for (let rep = 0; rep < 5; rep++) {
      const started = performance.now();
      for (const s of series) (s.kind === 4 ? timers : points).all(s.id, from);
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    db.close();
  }
}

export async function run(ctx) {
  const dir = `${ctx.tmp}/render`;
  mkdirSync(dir, { recursive: true });
  const db = `${dir}/render.db`;
  ctx.log('render: writing 24 h × 100 series and a year of rollups through SqliteWriter');
  const dataset = existsSync(db) ? {} : buildDataset(db);
  ctx.log(`render: dataset built in ${Math.round(dataset.builtInMs ?? 0)} ms`);
  const runs = [];
  for (let r = 1; r <= ctx.runs; r++) {
    const collector = await startTrendline({ dir, db, flushInterval: '10s', retention: RETENTION });
    try {
      const timed = await timeQueries(collector.httpPort, ctx);
      timed.floorMs = rowReadFloorMs(db);
      runs.push(timed);
    } finally {
      await collector.stop();
    }
  }
  const rows = QUERIES.map((q) => {
    const med = median(runs.map((r) => r[q.id].medianMs));
    const p99 = median(runs.map((r) => r[q.id].p99Ms));
    const s = runs[0][q.id];
    return {
      what: q.what,
      value: med,
      unit: 'ms',
      runs: ctx.runs,
      target: q.limitMs ? `< ${q.limitMs} ms` : '',
      pass: q.limitMs ? med < q.limitMs : undefined,
      note: `p99 ${p99.toFixed(1)} ms; ${s.series} series × ${s.pointsPerSeries} pts @${s.step}s, ${(s.bytes / 1024).toFixed(0)} KiB`,
    };
  });
  rows.splice(1, 0, {
    what: '  floor: the same 864k rows read with better-sqlite3 in-process',
    value: median(runs.map((r) => r.floorMs)),
    unit: 'ms',
    runs: ctx.runs,
    note: 'no HTTP, JSON or sketch decoding',
  });
  return {
    title,
    rows,
    notes: [`${ctx.quick ? 10 : REQUESTS} timed requests per query per run after 3 warm-ups; retention ${RETENTION}`],
    raw: { dataset, runs },
  };
}
