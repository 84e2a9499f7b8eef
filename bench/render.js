import { existsSync, mkdirSync } from 'node:fs';
import { parseTimerStat } from '../collector/dist/aggregate/timer-stats.js';
import { get } from './lib/http.js';
import { AS_NPM_START, startTrendline } from './lib/receivers.js';
import { median, percentile, rng } from './lib/stats.js';
import {
  makeBatch,
  names,
  parseRetention,
  SqliteReader,
  SqliteWriter,
  TIMER_KIND,
  timerInterval,
} from './lib/store.js';

/**
 * Target 3: /render of 100 series × 24 h at 10 s (8,640 points each) in under 100 ms, and one series over
 * a year through rollups in under 50 ms. The data is written with the store's real writer: 24 h of 10 s
 * flushes for 100 series (60 counters, 30 gauges, 10 timers); a year of 1-minute flushes for three more
 * series, rolled up to 10 minutes by the writer's own maintain().
 */

export const title = 'Render: GET /render, format=json, time to last byte';

// The 10 s tier must keep 24 h for a 24 h query to be served at 10 s (the default keeps 6 h).
const RETENTION = '10s:1d,1m:7d,10m:5y';
const DAY = 86_400;
const YEAR_DAYS = 366;
const REQUESTS = 30;
const YEAR_MAINTAIN_SEC = 6 * 3600;

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
  {
    id: 'mix100Mdp',
    what: '  same with maxDataPoints=1500 (Grafana always sends it)',
    targets: [
      'stats.counters.bench.render.*.count',
      'stats.gauges.bench.render.*',
      'stats.timers.bench.render.*.upper_99',
    ],
    from: '-24h',
    maxDataPoints: 1500,
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
    id: 'yearCounterMdp',
    what: '  same with maxDataPoints=1500',
    targets: ['stats.counters.bench.year.c0.count'],
    from: '-1y',
    maxDataPoints: 1500,
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

/** 24 h of 10 s flushes, each written and maintained (rollups, sealing, retention) as the writer thread does. */
function writeDay(writer, end, random) {
  for (let ts = end - DAY + 10; ts <= end; ts += 10) {
    const value = (kind, i) => (kind === 'counters' ? Math.floor(random() * 100) : 50 + i + random() * 10);
    writer.write(makeBatch(ts, 10, RENDER_KEYS, value, () => timerInterval(random, 50)));
    writer.maintain(ts + 10);
  }
}

/**
 * A year of 1-minute flushes for three series, through a writer whose finest tier is 1 m (the same tables
 * the collector's 1 m tier uses), rolled up into 10 m by its maintain(). maintain() runs once per 6 h of
 * data rather than per write: it rolls up the same buckets either way, and this keeps the build short.
 */
function writeYear(path, end, random) {
  const writer = SqliteWriter.open(path, parseRetention('1m:2y,10m:5y'));
  const start = end - YEAR_DAYS * DAY;
  const value = (kind) => (kind === 'counters' ? Math.floor(random() * 600) : random() * 100);
  try {
    for (let ts = start - (start % 600); ts < end - (end % 600); ts += 60) {
      writer.write(makeBatch(ts, 60, YEAR_KEYS, value, () => timerInterval(random, 60)));
      if ((ts + 60) % YEAR_MAINTAIN_SEC === 0) writer.maintain(ts + 60);
    }
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
  const yearMs = performance.now() - started;
  const writer = SqliteWriter.open(path, parseRetention(RETENTION));
  try {
    writeDay(writer, end, random);
  } finally {
    writer.close();
  }
  return { builtInMs: performance.now() - started, yearMs };
}

function query(q) {
  const t = q.targets.map((x) => `target=${encodeURIComponent(x)}`).join('&');
  const mdp = q.maxDataPoints ? `&maxDataPoints=${q.maxDataPoints}` : '';
  return `/render?${t}&from=${q.from}&format=json${mdp}`;
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
    // Up to REQUESTS, but at most ~20 s per query: a slow query still gets at least 5 samples.
    const times = [];
    const deadline = performance.now() + (ctx.quick ? 5000 : 20000);
    while (times.length < (ctx.quick ? 10 : REQUESTS) && (times.length < 5 || performance.now() < deadline)) {
      times.push((await get(port, path)).ms);
    }
    out[q.id] = { ...shape(first.body), medianMs: median(times), p99Ms: percentile(times, 99), times };
  }
  return out;
}

/**
 * The floor under the 24 h query: the same 100 series read in this process through the collector's own
 * read path (SqliteReader.readInto, and readTimerStatInto for the timers' upper_99), with no HTTP and no JSON.
 */
function readFloorMs(path) {
  const reader = SqliteReader.open(path);
  try {
    const series = reader.listSeries().filter((s) => s.name.includes('.bench.render.'));
    const now = Math.floor(Date.now() / 1000);
    const start = now - (now % 10) - DAY + 10;
    const upper99 = parseTimerStat('upper_99');
    const times = [];
    for (let rep = 0; rep < 5; rep++) {
      const started = performance.now();
      for (const s of series) {
        const out = new Float64Array(DAY / 10).fill(Number.NaN);
        if (s.kind === TIMER_KIND) reader.readTimerStatInto(s.id, 10, start, out, upper99);
        else reader.readInto(s.id, 10, start, out);
      }
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    reader.close();
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
    const collector = await startTrendline({ dir, db, flushInterval: '10s', retention: RETENTION, ...AS_NPM_START });
    try {
      const timed = await timeQueries(collector.httpPort, ctx);
      timed.floorMs = readFloorMs(db);
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
  rows.splice(2, 0, {
    what: '  floor: the same 100 series read in-process with SqliteReader',
    value: median(runs.map((r) => r.floorMs)),
    unit: 'ms',
    runs: ctx.runs,
    note: 'the collector’s read path, no HTTP or JSON',
  });
  return {
    title,
    rows,
    notes: [
      'the collector runs as `npm start` runs it (MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=131072, --max-semi-space-size=4)',
      `per run and query: 3 warm-ups, then ${ctx.quick ? 10 : REQUESTS} timed requests (at least 5, at most ~20 s); p99 is the median over runs of each run's p99; retention ${RETENTION}`,
    ],
    raw: { dataset, runs },
  };
}
