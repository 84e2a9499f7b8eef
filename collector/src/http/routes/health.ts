import type { FastifyInstance } from 'fastify';
import type { CollectorStats } from '../../collector.js';
import type { NameIndex } from '../../query/name-index.js';
import { givenUpReason } from '../../supervised-thread.js';

export interface HealthRouteOptions {
  stats: () => Promise<CollectorStats>;
  index: NameIndex;
}

/** Liveness plus the numbers an operator (or a benchmark) asks first: what came in, what was stored. */
export function healthRoutes(app: FastifyInstance, opts: HealthRouteOptions): void {
  app.get('/health', async (_request, reply) => {
    const s = await opts.stats();
    const threads = Object.values(s.threads);
    // Down when a thread is given up on (a 503, so a process manager restarts the collector); degraded while
    // a thread is being restarted, the store refuses or stalls writes (they wait in memory) or after it had to
    // drop some.
    const givenUp = Object.entries(s.threads).filter(([, t]) => t.state === 'given-up');
    const status =
      givenUp.length > 0
        ? 'down'
        : threads.some((t) => t.state !== 'up') ||
            s.lastFlushError !== null ||
            s.storeStalledMs !== null ||
            s.store.droppedPoints > 0
          ? 'degraded'
          : 'ok';
    if (status === 'down') void reply.code(503);
    return {
      status,
      // One line an operator reads first: which thread was given up on, why, and what to do.
      ...(givenUp.length > 0 && { reason: givenUp.map(([name, t]) => givenUpReason(name, t)).join('; ') }),
      uptimeSec: Math.round((Date.now() - s.startedAt) / 1000),
      series: opts.index.size,
      flushes: s.flushes,
      lastFlushAt: s.lastFlushAt,
      lastFlushMs: s.lastFlushMs,
      pendingWrites: s.pendingWrites,
      flushErrors: s.flushErrors,
      lastFlushError: s.lastFlushError,
      storeStalledMs: s.storeStalledMs,
      store: s.store,
      threads: s.threads,
      udpReceiveBufferBytes: s.udpReceiveBufferBytes,
      packets_received: s.totals['statsd.packets_received'],
      metrics_received: s.totals['statsd.metrics_received'],
      bad_lines_seen: s.totals['statsd.bad_lines_seen'],
      series_dropped: s.totals['statsd.series_dropped'],
      memory: memory(),
    };
  });
}

/** The process's memory in MB: RSS covers both threads and SQLite; heap and external are the main thread's. */
function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external) };
}
