import { getJson } from './lib/http.js';
import { waitFor } from './lib/proc.js';
import { startTrendline } from './lib/receivers.js';
import { Sender } from './lib/sender.js';
import { max, median, sleep } from './lib/stats.js';
import { searchZeroLoss, trial } from './lib/zero-loss.js';

/**
 * Target 2: 100,000 active series (the realistic mix: 40% counters, 30% timers, 20% gauges, 10% sets)
 * written in under 1 s per flush, without stalling ingest, with collector RSS under 300 MB.
 * The collector runs its defaults (10 s flush, 10s:6h,1m:7d,10m:5y), so runs also cross minute
 * boundaries, where the 10s → 1m rollup of all 100k series rides on the same writer thread.
 * It runs in collector-child.js, which reports the event loop's longest stall per trial.
 */

export const title = 'Flush: 100,000 active series (mix), 10 s flush interval, default retention';

const SERIES = 100_000;
const FLUSH_SEC = 10;
const MIXED_TARGET = 325e3;
/** A moderate steady load: every series touched ~4 times per flush, far below any receive limit. */
const STEADY_RATE = 40e3;
/** How `npm start` runs node: the main thread's young generation can only be limited at start. */
const MAIN_NODE_ARGS = ['--max-semi-space-size=4'];
/** And its environment: fewer malloc arenas, and allocations over 128 KB (a flush's buffers) always mmap'd, so freeing them returns them. */
const MAIN_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
const AS_NPM_START = `${Object.entries(MAIN_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')} node ${MAIN_NODE_ARGS.join(' ')}`;

/** Polls /health and /proc while trials run: each flush's writer time as it lands, and the peak RSS. */
function monitor(receiver) {
  const seen = { flushes: [], rssPeak: 0, stopped: false, lastCount: -1 };
  const loop = async () => {
    while (!seen.stopped) {
      const h = await receiver.health().catch(() => null);
      if (h && h.flushes !== seen.lastCount) {
        if (seen.lastCount >= 0) seen.flushes.push({ at: h.lastFlushAt, totalMs: h.lastFlushMs });
        seen.lastCount = h.flushes;
      }
      seen.rssPeak = Math.max(seen.rssPeak, receiver.rss() || 0);
      await sleep(250);
    }
  };
  seen.done = loop();
  return seen;
}

/**
 * The collector's own gauges since `sinceSec`: the write transaction (sqliteStats.flush_time) and the main
 * thread's aggregation (processing_time). Each is stored one flush later, hence the extra interval.
 */
async function selfGauges(receiver, sinceSec) {
  const read = async (target) => {
    const series = await getJson(receiver.httpPort, `/render?target=${target}&from=-15min&format=json`);
    const points = series[0]?.datapoints ?? [];
    return points.filter(([v, ts]) => v !== null && ts >= sinceSec + FLUSH_SEC).map(([v]) => v);
  };
  return {
    flushTimeMs: await read('stats.statsd.sqliteStats.flush_time'),
    processingMs: await read('stats.statsd.processing_time'),
  };
}

/** Touches every series, then waits for the flush that creates them (100k inserts into `series`). */
async function createSeries(receiver, sender) {
  await trial(receiver, sender, 200e3, 1500);
  return waitFor(
    async () => {
      const h = await receiver.health();
      return h.series >= SERIES ? h : null;
    },
    { timeoutMs: 60000, what: '100k series to be stored' },
  );
}

/** STEADY_RATE over `flushes` flush intervals: what a flush costs, and the RSS, when nothing is pushed hard. */
async function steady(receiver, sender, flushes) {
  const watch = monitor(receiver);
  const trials = [];
  for (let i = 0; i < flushes; i++) trials.push(await trial(receiver, sender, STEADY_RATE, (FLUSH_SEC + 0.5) * 1000));
  watch.stopped = true;
  await watch.done;
  const before = (await receiver.probe()).memoryMB;
  const afterGc = (await receiver.probe(false, true)).memoryMB;
  return {
    lost: trials.reduce((n, t) => n + t.lost, 0),
    sent: trials.reduce((n, t) => n + t.sent, 0),
    rssPeak: watch.rssPeak,
    flushes: watch.flushes,
    memory: before,
    memoryAfterGc: afterGc,
    rssAfterGc: receiver.rss(),
  };
}

async function oneRun(ctx, run, hint) {
  const receiver = await startTrendline({
    dir: `${ctx.tmp}/flush-${run}`,
    flushInterval: `${FLUSH_SEC}s`,
    retention: '10s:6h,1m:7d,10m:5y',
    probe: true,
    nodeArgs: ['--expose-gc', ...MAIN_NODE_ARGS],
    env: MAIN_ENV,
  });
  const sender = await Sender.start({ kind: 'mixed', names: SERIES, lines: SERIES * 3, seed: run });
  try {
    const created = await createSeries(receiver, sender);
    const since = Math.floor(Date.now() / 1000);
    const calm = await steady(receiver, sender, 2);
    ctx.log(`  flush run ${run}: steady ${STEADY_RATE}/s lost ${calm.lost}, peak RSS ${mb(calm.rssPeak)} MB`);
    const watch = monitor(receiver);
    const stalls = [];
    await receiver.probe(true);
    const search = await searchZeroLoss(receiver, sender, {
      hint,
      // Each trial spans at least one flush, so the zero-loss check includes the flush's stall.
      durationMs: (FLUSH_SEC + 0.5) * 1000,
      precision: 0.1,
      maxTrials: ctx.quick ? 3 : 6,
      log: (t) => ctx.log(`  flush run ${run}: ${t.target.toFixed(0)}/s → lost ${t.lost}`),
      afterTrial: async (t) => {
        t.eventLoopMaxMs = (await receiver.probe(true)).eventLoopMaxMs;
        stalls.push(t.eventLoopMaxMs);
      },
    });
    watch.stopped = true;
    await watch.done;
    return {
      firstFlushMs: created.lastFlushMs,
      steady: calm,
      flushes: [...calm.flushes, ...watch.flushes],
      rssPeak: watch.rssPeak,
      memoryAtEnd: (await receiver.probe()).memoryMB,
      memoryAtEndAfterGc: (await receiver.probe(false, true)).memoryMB,
      stalls,
      zeroLossRate: search.zeroLossRate,
      trials: search.trials,
      ...(await selfGauges(receiver, since)),
    };
  } finally {
    await sender.stop();
    await receiver.stop();
  }
}

/** The same steady load on a collector run as plain `node main.js serve`: what npm start's settings are worth. */
async function plainRun(ctx, run) {
  const receiver = await startTrendline({
    dir: `${ctx.tmp}/flush-plain-${run}`,
    flushInterval: `${FLUSH_SEC}s`,
    retention: '10s:6h,1m:7d,10m:5y',
    probe: true,
    nodeArgs: ['--expose-gc'],
  });
  const sender = await Sender.start({ kind: 'mixed', names: SERIES, lines: SERIES * 3, seed: run });
  try {
    await createSeries(receiver, sender);
    const result = await steady(receiver, sender, 3);
    ctx.log(`  flush run ${run} (plain node): lost ${result.lost}, peak RSS ${mb(result.rssPeak)} MB`);
    return { ...result, crashed: false };
  } catch (err) {
    ctx.log(`  flush run ${run} (plain node) failed: ${err.message}`);
    return { crashed: true, error: err.message };
  } finally {
    await sender.stop();
    await receiver.stop();
  }
}

const mb = (bytes) => Math.round(bytes / 2 ** 20);

function summarize(ctx, runs, plain) {
  const per = (f) => median(runs.map(f));
  const span = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const tx = per((r) => median(r.flushTimeMs));
  const txMax = per((r) => max(r.flushTimeMs));
  const stall = per((r) => median(r.stalls));
  const rss = per((r) => r.rssPeak) / 2 ** 20;
  const zeroLoss = per((r) => r.zeroLossRate);
  const mem = runs[runs.length - 1].memoryAtEnd;
  const gcMem = runs[runs.length - 1].memoryAtEndAfterGc;
  const steadyRss = per((r) => r.steady.rssPeak) / 2 ** 20;
  const ok = plain.filter((c) => !c.crashed);
  const plainRss = median(ok.map((c) => c.rssPeak)) / 2 ** 20;
  return [
    { what: 'write transaction (sqliteStats.flush_time)', value: tx, unit: 'ms', target: '< 1000 ms', pass: tx < 1000 },
    { what: '  worst flush per run', value: txMax, unit: 'ms', target: '< 1000 ms', pass: txMax < 1000 },
    {
      what: 'writer thread incl. rollups/retention (lastFlushMs)',
      value: per((r) => median(r.flushes.map((f) => f.totalMs))),
      unit: 'ms',
    },
    {
      what: '  worst per run',
      value: per((r) => max(r.flushes.map((f) => f.totalMs))),
      unit: 'ms',
      note: 'minute boundaries add the 10s→1m rollup',
    },
    { what: 'first flush (also inserts 100k series rows)', value: per((r) => r.firstFlushMs), unit: 'ms' },
    {
      what: 'ingest thread per flush (processing_time)',
      value: per((r) => median(r.processingMs)),
      unit: 'ms',
      note: 'aggregation, batch, slot encoding; its sockets are not read meanwhile',
    },
    {
      what: 'main thread: longest event-loop stall per trial',
      value: stall,
      unit: 'ms',
      note: 'HTTP, batch decode and hand-off to the writer; no socket is read there',
    },
    {
      what: 'zero-loss mixed rate while flushing 100k series',
      value: zeroLoss,
      unit: 'lines/s',
      target: `≥ ${MIXED_TARGET / 1e3}k`,
      pass: zeroLoss >= MIXED_TARGET,
      note: 'trials of 10.5 s, each spanning a flush',
    },
    {
      what: `collector peak RSS, steady ${STEADY_RATE / 1e3}k lines/s (${AS_NPM_START}, as npm start)`,
      value: steadyRss,
      unit: 'MB',
      target: '< 300 MB',
      pass: steadyRss < 300,
      note: `run peaks ${span(runs.map((r) => r.steady.rssPeak / 2 ** 20))} MB; lost ${runs.map((r) => r.steady.lost).join('/')} of ~${Math.round(runs[0].steady.sent / 1e3)}k lines per run`,
    },
    {
      what: 'collector peak RSS, during the zero-loss search',
      value: rss,
      unit: 'MB',
      target: '< 300 MB',
      pass: rss < 300,
      note: `run peaks ${span(runs.map((r) => r.rssPeak / 2 ** 20))} MB; last run at end: heap used ${mem.heapUsed}/total ${mem.heapTotal} MB, arrayBuffers ${mem.arrayBuffers} MB, rest (writer thread, SQLite, malloc) ${mem.rss - mem.heapTotal - mem.external} MB`,
    },
    {
      what: '  main-thread heap used after a forced GC (end of run)',
      value: per((r) => r.memoryAtEndAfterGc.heapUsed),
      unit: 'MB',
      note: `before the GC ${per((r) => r.memoryAtEnd.heapUsed)} MB; last run after GC: heap total ${gcMem.heapTotal} MB, RSS ${gcMem.rss} MB`,
    },
    {
      what: `collector peak RSS, plain node (no ${AS_NPM_START}), steady ${STEADY_RATE / 1e3}k/s`,
      value: plainRss,
      unit: 'MB',
      target: '< 300 MB',
      pass: ok.length > 0 && plainRss < 300,
      note: ok.length
        ? `run peaks ${span(ok.map((c) => c.rssPeak / 2 ** 20))} MB; heap used ${median(ok.map((c) => c.memory.heapUsed))} MB, after GC ${median(ok.map((c) => c.memoryAfterGc.heapUsed))} MB; lost ${ok.map((c) => c.lost).join('/')} lines${plain.length > ok.length ? `; ${plain.length - ok.length} run(s) failed` : ''}`
        : `every run failed: ${plain[0]?.error ?? ''}`,
    },
  ].map((row) => ({ runs: ctx.runs, ...row }));
}

export async function run(ctx) {
  const runs = [];
  const plain = [];
  let hint = 200e3;
  for (let r = 1; r <= ctx.runs; r++) {
    ctx.log(`flush run ${r}`);
    const result = await oneRun(ctx, r, hint);
    hint = Math.max(result.zeroLossRate, 25e3);
    runs.push(result);
    plain.push(await plainRun(ctx, r));
  }
  return {
    title,
    rows: summarize(ctx, runs, plain),
    notes: [
      `per run: create 100k series, 2 flushes at a steady ${STEADY_RATE / 1e3}k lines/s, then the zero-loss search (trials of one flush each); then a second collector in plain node (no ${AS_NPM_START}) gets 3 steady flushes`,
    ],
    raw: { series: SERIES, runs, plain },
  };
}
