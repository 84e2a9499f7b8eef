import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Sender } from './sender.js';
import { percentile, sleep } from './stats.js';

/**
 * The soak: a real `trendline serve` under steady mixed UDP load while readers keep asking for graphs
 * (/render as the UI and Grafana ask, the UI's page, the metric tree). It reports what was lost, how RSS
 * moved (a least-squares slope over the run after warm-up), and render latency. Used by bench/soak.js for
 * the ten-minute run and by test/integration/soak.test.ts for the thirty-second one.
 */

const CLI = new URL('../../collector/dist/cli/main.js', import.meta.url).pathname;

/** Queries a browser and Grafana would send: one graph of sums, one per-series graph, the UI, the tree. */
const READS = [
  `/render?${new URLSearchParams({ target: 'sumSeries(stats.counters.app.*.hits.*.rate)', from: '-5min', format: 'json', maxDataPoints: '1000' })}`,
  `/render?${new URLSearchParams({ target: 'aliasByNode(stats.timers.app.api.latency.*.upper_99,4)', from: '-15min', format: 'json', maxDataPoints: '1000' })}`,
  `/render?${new URLSearchParams({ target: 'stats.gauges.app.web.queue.*', from: '-5min', format: 'json', maxDataPoints: '800' })}`,
  '/',
  '/metrics/find?query=stats.counters.app.*',
];

/**
 * The collector's resident memory in MB: all of it, and its two parts. The reader maps the database file,
 * so pages of it that renders touched count as resident (RssFile: clean, shared, dropped by the kernel when
 * memory is short) and grow with the file; RssAnon is the process's own memory, where a leak would show.
 */
function memoryMB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  };
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** /health once the received count has stopped moving: everything sent so far has been read. */
async function settled(health) {
  let last = await health();
  for (let stable = 0; stable < 3; ) {
    await sleep(300);
    const next = await health();
    stable = next.metrics_received === last.metrics_received ? stable + 1 : 0;
    last = next;
  }
  return last;
}

async function startServe(dir, flushInterval, nodeArgs, env) {
  const args = [
    ...nodeArgs,
    CLI,
    'serve',
    '--http-host',
    '127.0.0.1',
    '--http-port',
    '0',
    '--statsd-host',
    '127.0.0.1',
  ];
  args.push('--statsd-port', '0', '--db', join(dir, 'soak.db'), '--flush-interval', flushInterval);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const started = await new Promise((resolve, reject) => {
    const onData = (d) => {
      // Only the start-up lines are kept; after that the log is drained and dropped.
      if (out.length > 100_000) return;
      out += d;
      const line = out.split('\n').find((l) => l.includes('trendline collector started'));
      if (line) resolve(JSON.parse(line));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out.slice(-500)}`)));
  });
  const port = (addr) => Number(addr.slice(addr.lastIndexOf(':') + 1));
  return { child, httpPort: port(started.http), statsdPort: port(started.statsd) };
}

/**
 * Runs one soak. `rate` is lines/s of the realistic mix over `names` series; `readers` loops each send a
 * request every `readEveryMs` (2 × 200 ms: a ten-panel dashboard refreshing every second). Resolves with
 * the figures; the collector and sender are stopped either way.
 */
export async function soak({
  dir,
  durationMs,
  rate,
  names = 10_000,
  readers = 2,
  readEveryMs = 200,
  flushInterval = '10s',
  /** Flags for the collector's node, e.g. --cpu-prof to see where a slow read spends its time. */
  nodeArgs = [],
  /** Extra environment for the collector (e.g. MALLOC_ARENA_MAX, as `npm start` sets it). */
  env = {},
  log = () => {},
}) {
  const serve = await startServe(dir, flushInterval, nodeArgs, env);
  const sender = await Sender.start({ kind: 'mixed', names });
  const base = `http://127.0.0.1:${serve.httpPort}`;
  const health = async () => (await fetch(`${base}/health`)).json();
  try {
    // Warm-up: every series exists and has been flushed once before the clock starts.
    await sender.send(serve.statsdPort, Math.min(rate, 50_000), 2000);
    const before = await settled(health);
    let running = true;
    const latencies = [];
    /** Each render's latency by query, and when it was asked (s into the run), to tell slow queries from slow moments. */
    const byPath = new Map();
    let readErrors = 0;
    const reader = async (offset) => {
      for (let i = offset; running; i++) {
        const path = READS[i % READS.length];
        const t0 = performance.now();
        try {
          const res = await fetch(`${base}${path}`);
          await res.arrayBuffer();
          if (!res.ok) readErrors++;
        } catch {
          // A refused or reset connection is a failed read, not a reason to leave the collector running.
          readErrors++;
        }
        const took = performance.now() - t0;
        if (path.startsWith('/render')) {
          latencies.push(took);
          if (!byPath.has(path)) byPath.set(path, []);
          byPath.get(path).push([(t0 - started) / 1000, took]);
        }
        if (took < readEveryMs) await sleep(readEveryMs - took);
      }
    };
    const rss = [];
    const started = performance.now();
    const sampler = (async () => {
      while (running) {
        const m = memoryMB(serve.child.pid);
        const heap = (await health().catch(() => null))?.memory?.heapTotalMB ?? Number.NaN;
        rss.push([(performance.now() - started) / 60_000, m.rss, m.anon, m.file, heap]);
        log(
          `  ${((performance.now() - started) / 1000).toFixed(0)} s: RSS ${m.rss.toFixed(0)} MB (anon ${m.anon.toFixed(0)}, file ${m.file.toFixed(0)}; main thread's heap ${heap} MB)`,
        );
        await sleep(Math.min(5000, durationMs / 20));
      }
    })();
    const readersDone = Array.from({ length: readers }, (_, i) => reader(i));
    const sent = await sender.send(serve.statsdPort, rate, durationMs);
    running = false;
    await Promise.all([...readersDone, sampler]);
    const after = await settled(health);
    const received = after.metrics_received - before.metrics_received;
    // RSS over the run after its first fifth (heaps are still sizing themselves then).
    const steady = rss.filter(([t]) => t >= rss.at(-1)[0] / 5);
    return {
      seconds: durationMs / 1000,
      rate,
      sentLines: sent.lines,
      receivedLines: received,
      lostLines: sent.lines - received,
      badLines: after.bad_lines_seen - before.bad_lines_seen,
      flushErrors: after.flushErrors,
      readErrors,
      renders: latencies.length,
      renderP50Ms: percentile(latencies, 50),
      renderP99Ms: percentile(latencies, 99),
      renderByQuery: [...byPath].map(([path, samples]) => {
        const ms = samples.map(([, took]) => took);
        const slowest = [...samples].sort((a, b) => b[1] - a[1]).slice(0, 5);
        return {
          target: new URLSearchParams(path.slice(path.indexOf('?'))).get('target'),
          p50Ms: percentile(ms, 50),
          p99Ms: percentile(ms, 99),
          // Seconds into the run with the 10 s flush phase: slow reads bunched at one phase point at the flush.
          slowest: slowest.map(([at, took]) => `${took.toFixed(0)} ms at ${at.toFixed(1)} s`),
        };
      }),
      rssStartMB: steady[0]?.[1] ?? Number.NaN,
      rssEndMB: rss.at(-1)?.[1] ?? Number.NaN,
      rssSlopeMBPerMin: slope(steady.map(([t, total]) => [t, total])),
      anonStartMB: steady[0]?.[2] ?? Number.NaN,
      anonEndMB: rss.at(-1)?.[2] ?? Number.NaN,
      anonSlopeMBPerMin: slope(steady.map(([t, , anon]) => [t, anon])),
      fileEndMB: rss.at(-1)?.[3] ?? Number.NaN,
      fileSlopeMBPerMin: slope(steady.map(([t, , , file]) => [t, file])),
      mainHeapEndMB: rss.at(-1)?.[4] ?? Number.NaN,
      mainHeapSlopeMBPerMin: slope(steady.map(([t, , , , heap]) => [t, heap])),
      dbFileMB: statSync(join(dir, 'soak.db')).size / 2 ** 20,
    };
  } finally {
    await sender.stop();
    serve.child.kill('SIGTERM');
    await new Promise((resolve) => (serve.child.exitCode !== null ? resolve() : serve.child.once('exit', resolve)));
  }
}
