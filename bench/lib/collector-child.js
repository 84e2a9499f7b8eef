import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseServeOptions, startCollector } from 'trendline-collector';

/**
 * `trendline serve` with the same flags, started through the programmatic API inside its own process, plus
 * what only the inside can see: how long the event loop stalled (a flush's main-thread work stalls the UDP
 * socket) and how memory splits between the JS heap and buffers. Forked with IPC; answers {type:'probe'}.
 */
const { pino } = createRequire(new URL('../../collector/package.json', import.meta.url))('pino');

// 1 ms resolution: the stalls that overflow a socket buffer last tens of milliseconds or more.
const delay = monitorEventLoopDelay({ resolution: 1 });

function probe() {
  const m = process.memoryUsage();
  const mb = (x) => Math.round(x / 2 ** 20);
  return {
    eventLoopMaxMs: delay.max / 1e6,
    eventLoopP99Ms: delay.percentile(99) / 1e6,
    memoryMB: {
      rss: mb(m.rss),
      heapUsed: mb(m.heapUsed),
      heapTotal: mb(m.heapTotal),
      external: mb(m.external),
      arrayBuffers: mb(m.arrayBuffers),
    },
  };
}

const config = parseServeOptions(process.argv.slice(2), {}, (path) => readFileSync(path, 'utf8'));
const collector = await startCollector(config, pino({ level: config.logLevel }));
delay.enable();
process.send({ type: 'ready' });

process.on('message', (msg) => {
  if (msg.type !== 'probe') return;
  // With --expose-gc, `gc` first: what is left is the live heap, not garbage V8 hasn't collected yet.
  if (msg.gc && typeof globalThis.gc === 'function') globalThis.gc();
  process.send({ type: 'probe', ...probe() });
  if (msg.reset) delay.reset();
});
process.on('SIGTERM', () => {
  void collector.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
