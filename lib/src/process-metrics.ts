import { constants, monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { MetricsOptionError } from './errors.js';
import { roundMs } from './format.js';
import type { Metrics } from './metrics.js';
import type { ProcessMetricsOptions } from './options.js';

/**
 * Opt-in runtime metrics, under `<prefix>.process.` by default, every `intervalMs`:
 *   gauges  memory.rss, memory.heap_used, memory.heap_total, memory.external       (bytes)
 *           event_loop.delay.{mean,p50,p99,max}                                   (ms, over the interval)
 *           event_loop.utilization                                                (0..1, over the interval)
 *   timer   gc.pause;kind=major|minor|incremental|weakcb                           (ms, one per collection)
 * Returns a function that stops it all.
 */
export function startProcessMetrics(metrics: Metrics, options: ProcessMetricsOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 10_000;
  if (!Number.isInteger(intervalMs) || intervalMs < 100) {
    throw new MetricsOptionError(
      `trendline: processMetrics.intervalMs ${intervalMs}: expected whole milliseconds, at least 100`,
    );
  }
  const m = metrics.child({ prefix: options.prefix ?? 'process' });

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let elu = performance.eventLoopUtilization();

  let gc: PerformanceObserver | null = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) m.timing('gc.pause', roundMs(entry.duration), { kind: gcKind(entry) });
  });
  try {
    gc.observe({ entryTypes: ['gc'] });
  } catch {
    gc = null; // a runtime without GC entries: the rest still works
  }

  const collect = () => {
    const mem = process.memoryUsage();
    m.gauge('memory.rss', mem.rss);
    m.gauge('memory.heap_used', mem.heapUsed);
    m.gauge('memory.heap_total', mem.heapTotal);
    m.gauge('memory.external', mem.external);
    if (delay.count > 0) {
      m.gauge('event_loop.delay.mean', roundMs(delay.mean / 1e6));
      m.gauge('event_loop.delay.p50', roundMs(delay.percentile(50) / 1e6));
      m.gauge('event_loop.delay.p99', roundMs(delay.percentile(99) / 1e6));
      m.gauge('event_loop.delay.max', roundMs(delay.max / 1e6));
    }
    delay.reset();
    const now = performance.eventLoopUtilization();
    m.gauge('event_loop.utilization', Math.round(performance.eventLoopUtilization(now, elu).utilization * 1e4) / 1e4);
    elu = now;
  };
  const sample = () => {
    try {
      collect();
    } catch {
      // Best effort: a failed sample (e.g. /proc unreadable) must never reach the app.
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    delay.disable();
    gc?.disconnect();
  };
}

function gcKind(entry: PerformanceEntry): string {
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MAJOR:
      return 'major';
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return 'minor';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return 'weakcb';
    default:
      return 'other';
  }
}
