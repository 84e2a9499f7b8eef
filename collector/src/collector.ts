import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SelfCounter } from './aggregate/aggregator.js';
import { selfSeries } from './aggregate/self-series.js';
import type { CollectorConfig } from './config.js';
import { buildApp } from './http/app.js';
import { crashRoute } from './http/crash-route.js';
import { IngestThread } from './ingest/ingest-handle.js';
import { startUnixSocketServer, type UnixSocketServer } from './ingest/unix-socket.js';
import { createRegistry } from './query/functions/index.js';
import { NameIndex } from './query/name-index.js';
import { QueryEngine } from './query/query-engine.js';
import { SeriesCatalog } from './query/series-catalog.js';
import { TagIndex } from './query/tag-index.js';
import { FlushRetry, type FlushRetryStats } from './store/flush-retry.js';
import { openStorage } from './store/open-storage.js';
import type { SeriesRow } from './store/series-kind.js';
import { StoreWriter } from './store/store-writer.js';
import { emptyWriteBatch, type WriteBatch } from './store/write-batch.js';
import { givenUpReason, type Supervised, type ThreadHealth } from './supervised-thread.js';

/**
 * The composition root: store, then aggregator and sockets, then HTTP; stopped in reverse, with a last
 * flush so SIGTERM loses nothing. Everything else receives its dependencies from here.
 */

export interface Collector {
  readonly httpPort: number;
  readonly statsdPort: number;
  readonly app: FastifyInstance;
  /** Flushes the current interval now (as the timer would at its end) and waits for the write. */
  flushNow(): Promise<void>;
  close(): Promise<void>;
}

export interface CollectorStats {
  startedAt: number;
  flushes: number;
  lastFlushAt: number | null;
  lastFlushMs: number | null;
  flushErrors: number;
  lastFlushError: string | null;
  pendingWrites: number;
  /** Failed flushes kept for another attempt, and what had to be given up (flush-retry.ts). */
  store: FlushRetryStats;
  totals: Record<SelfCounter, number>;
  udpReceiveBufferBytes: number;
  /** How long the store write in flight has gone unanswered, once that is over two intervals and 10 s (else null). */
  storeStalledMs: number | null;
  /** The worker threads (the writer thread with SQLite only): up, or down and being restarted. */
  threads: Record<string, ThreadHealth>;
}

export async function startCollector(config: CollectorConfig, log: Logger): Promise<Collector> {
  const tiers = config.retention;
  const storage = await openStorage(config, log);
  const writer = storage.writer;
  const catalog = new SeriesCatalog();
  const index = new NameIndex(config.percentiles, catalog);
  const tags = new TagIndex(config.percentiles, catalog);
  // The writer thread's handle holds the key of every series it was sent: the catalog takes names from
  // those strings rather than keeping the copies the writer's answer brought.
  const writerKeys = storage.writer instanceof StoreWriter ? storage.writer : null;
  // Rows may come twice (own flush and a refresh of what every collector wrote); each is indexed once.
  const addSeries = (rows: Iterable<SeriesRow>) => {
    for (const row of rows) {
      const n = catalog.add(row, writerKeys?.heldKey(row.tags === '' ? row.name : row.name + row.tags));
      if (n < 0) continue;
      index.insert(n);
      tags.insert(n);
    }
  };
  try {
    addSeries(await storage.listSeries());
  } catch (err) {
    await storage.close();
    throw err;
  }

  const interval = config.flushIntervalSec;
  const retry = new FlushRetry(MAX_PENDING_POINTS);
  const stats: Omit<CollectorStats, 'totals' | 'threads' | 'storeStalledMs'> = {
    startedAt: Date.now(),
    flushes: 0,
    lastFlushAt: null,
    lastFlushMs: null,
    flushErrors: 0,
    lastFlushError: null,
    pendingWrites: 0,
    store: retry.stats,
    udpReceiveBufferBytes: 0,
  };

  // The worker threads, restarted when they die (supervised-thread.ts).
  const writerThread = storage.writer instanceof StoreWriter ? storage.writer : null;
  const threads: Record<string, Supervised> = {};
  if (writerThread) threads.writer = writerThread.thread;
  const threadHealth = () => Object.fromEntries(Object.entries(threads).map(([k, t]) => [k, { ...t.health }]));
  let ingestThread: IngestThread | null = null;
  let unixSocket: UnixSocketServer | null = null;
  let app: FastifyInstance | null = null;
  try {
    // Sockets and aggregation run on a thread of their own, so queries and flushes never delay a read.
    ingestThread = await IngestThread.start({
      statsd: {
        host: config.statsdHost,
        port: config.statsdPort,
        udpReceiveBufferBytes: config.udpReceiveBufferBytes,
        maxTcpConnections: config.maxTcpConnections,
        parse: { maxLineLength: config.maxLineLength },
      },
      aggregator: {
        flushIntervalSec: interval,
        maxSeries: config.maxSeries,
        maxSetMembers: config.maxSetMembers,
        maxTimedPoints: config.maxTimedPoints,
        deleteCounters: config.deleteCounters,
        deleteTimers: config.deleteTimers,
        deleteGauges: config.deleteGauges,
        deleteSets: config.deleteSets,
        gaugesMaxTtl: config.gaugesMaxTtl,
        prefixStats: config.prefixStats,
      },
    });
    if (config.statsdSocket !== null) {
      unixSocket = await startUnixSocketServer({ path: config.statsdSocket }, (text) => ingestThread?.forward(text));
    }
    stats.udpReceiveBufferBytes = ingestThread.udpReceiveBufferBytes;
    threads.ingest = ingestThread.thread;
    if (ingestThread.udpReceiveBufferBytes < config.udpReceiveBufferBytes) {
      log.warn(
        { requested: config.udpReceiveBufferBytes, granted: ingestThread.udpReceiveBufferBytes },
        'UDP receive buffer is smaller than asked; raise net.core.rmem_max to avoid drops under bursts',
      );
    }
    const engine = new QueryEngine({
      index,
      tags,
      source: storage.source,
      bulk: storage.bulk,
      events: storage.events,
      tiers,
      registry: createRegistry(),
      maxSeries: config.maxQuerySeries,
    });
    app = buildApp({
      config,
      index,
      tags,
      engine,
      events: writer,
      dashboards: { read: storage.dashboards, write: writer },
      log,
      stats: async () => ({
        ...stats,
        totals: await ingest.totals(),
        threads: threadHealth(),
        storeStalledMs: stalledMs(),
      }),
    });
    if (process.env.TRENDLINE_TEST_HOOKS === '1') {
      const hooks = { ingest: (how: 'throw' | 'exit') => ingest.crash(how) };
      crashRoute(app, writerThread ? { ...hooks, writer: (how) => writerThread.crash(how) } : hooks);
    }
    await app.listen({ host: config.httpHost, port: config.httpPort }).catch((err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${err.code ?? err.message})`;
      throw new Error(`HTTP port ${config.httpHost}:${config.httpPort} ${why}`);
    });
  } catch (err) {
    await unixSocket?.close();
    await ingestThread?.stopListening();
    await ingestThread?.terminate();
    await app?.close();
    await storage.close();
    throw err;
  }
  const httpApp = app;
  const ingest = ingestThread;
  superviseLogs(log, threads);

  const own = selfSeries(config.prefixStats);
  let extraGauges: Array<[string, number]> = [];
  let lastHeldTick = 0;
  /** Ends the interval at tickSec and holds its batch for the store (`drain` writes it). */
  const take = async (tickSec: number): Promise<void> => {
    const { batch, processingMs } = await ingest.flush(tickSec).catch((err: Error) => {
      // The interval's aggregates died with the thread; held flushes and own metrics are still written.
      log.error({ err, ts: tickSec }, 'ingest thread is down at the flush: this interval is lost');
      return { batch: emptyWriteBatch(tickSec, interval), processingMs: 0 };
    });
    const r = retry.stats;
    extraGauges.push(
      [own.stat('store.pending_points'), r.pendingPoints],
      [own.stat('store.failed_writes'), r.failedWrites],
      [own.stat('store.dropped_points'), r.droppedPoints],
      [own.stat('store.write_stalled_ms'), stalledMs() ?? 0],
    );
    for (const [name, t] of Object.entries(threads)) {
      extraGauges.push(
        [own.stat(`threads.${name}.restarts`), t.health.restarts],
        [own.stat(`threads.${name}.up`), t.health.state === 'up' ? 1 : 0],
        [own.stat(`threads.${name}.given_up`), t.health.state === 'given-up' ? 1 : 0],
      );
    }
    for (const [key, value] of [...extraGauges, [own.stat('processing_time'), processingMs] as [string, number]]) {
      batch.gauges.keys.push(key);
      batch.gauges.values.push(value);
    }
    extraGauges = [];
    retry.hold(batch);
    lastHeldTick = tickSec;
  };

  // A write that neither succeeds nor fails (a server that hangs) is reported once it has taken two intervals,
  // and never before 10 s: SQLite waits up to 5 s for a lock before it fails a write.
  const stallMs = Math.max(2 * interval, 10) * 1000;
  let writeSince: number | null = null;
  let stallWarned = false;
  const stalledMs = () => (writeSince !== null && Date.now() - writeSince >= stallMs ? Date.now() - writeSince : null);
  const watchedWrite = async (b: WriteBatch) => {
    writeSince = Date.now();
    const warn = setTimeout(() => {
      stallWarned = true;
      log.warn(
        { ts: b.ts, stalledMs: stallMs, pendingBatches: retry.stats.pendingBatches },
        'store write has not answered: new flushes are held in memory meanwhile',
      );
    }, stallMs);
    try {
      return await writer.write(b);
    } finally {
      clearTimeout(warn);
      writeSince = null;
    }
  };

  /** Writes what is held, oldest first, until the store refuses one. */
  const writeHeld = async (): Promise<void> => {
    const upTo = lastHeldTick;
    stats.pendingWrites++;
    try {
      const drained = await retry.drain(watchedWrite);
      for (const { batch, written } of drained.written) {
        addSeries(written.result.newSeries);
        stats.flushes++;
        stats.lastFlushMs = written.totalMs;
        extraGauges = [
          [own.stat('sqliteStats.flush_time'), written.writtenMs],
          [own.stat('sqliteStats.flush_length'), written.result.rows],
        ];
        if (written.result.droppedTimed > 0) ingest.count('statsd.timed_points_dropped', written.result.droppedTimed);
        if (written.maintainError) {
          log.warn(
            { err: written.maintainError, ts: batch.ts },
            'flush stored, but rollups after it failed: retried later',
          );
        }
      }
      const r = retry.stats;
      if (drained.error === null) {
        if (stats.lastFlushError !== null || stallWarned) {
          log.warn(
            { written: drained.written.length, droppedPoints: r.droppedPoints },
            'store takes writes again: the flushes held in memory are written',
          );
        }
        stallWarned = false;
        stats.lastFlushAt = upTo;
        stats.lastFlushError = null;
      } else {
        stats.flushErrors++;
        stats.lastFlushError = drained.error.message;
        log.error(
          {
            err: drained.error,
            pendingBatches: r.pendingBatches,
            pendingPoints: r.pendingPoints,
            droppedPoints: r.droppedPoints,
          },
          'flush failed: kept in memory and retried at the next flush',
        );
      }
    } finally {
      stats.pendingWrites--;
    }
  };

  // One write loop at a time, and at most one waiting behind it (it writes everything held before it starts):
  // a store that hangs delays writes, never the flushes that take each interval's batch on time.
  let writing: Promise<void> | null = null;
  let waiting: Promise<void> | null = null;
  const drain = (): Promise<void> => {
    if (writing === null) {
      writing = writeHeld().finally(() => {
        writing = null;
      });
      return writing;
    }
    waiting ??= writing.then(() => {
      waiting = null;
      return drain();
    });
    return waiting;
  };

  // Taking batches is ordered (each interval once, in order); writing them follows on its own.
  let taking = Promise.resolve();
  const flush = (tickSec: number): Promise<void> => {
    taking = taking.then(() => take(tickSec)).catch((err: Error) => log.error({ err, ts: tickSec }, 'flush failed'));
    return taking.then(drain);
  };

  // Flushes run on the interval grid (k * interval), so every collector's buckets line up.
  let timer: NodeJS.Timeout | null = null;
  const nextTick = () => (Math.floor(Date.now() / 1000 / interval) + 1) * interval;
  const schedule = () => {
    const tick = nextTick();
    timer = setTimeout(
      () => {
        void flush(tick);
        schedule();
      },
      Math.max(0, tick * 1000 - Date.now()),
    );
  };
  schedule();

  // A shared store: series, events and dashboards other collectors wrote show up here too.
  const refresh = storage.refresh;
  let refreshTimer: NodeJS.Timeout | null = null;
  if (refresh !== null) {
    const refreshEvery = Math.max(1, Math.min(interval, 10)) * 1000;
    const again = () => {
      refreshTimer = setTimeout(() => {
        refresh()
          .then(addSeries, (err: Error) => log.warn({ err }, 'refresh from the store failed'))
          .finally(() => {
            if (refreshTimer !== null) again();
          });
      }, refreshEvery);
    };
    again();
  }

  log.info(
    {
      http: `${config.httpHost}:${httpAddressPort(httpApp)}`,
      statsd: `${config.statsdHost}:${ingest.statsdPort}`,
      statsdSocket: unixSocket?.path,
      db: config.db,
    },
    'trendline collector started',
  );

  let closing: Promise<void> | null = null;
  return {
    httpPort: httpAddressPort(httpApp),
    statsdPort: ingest.statsdPort,
    app: httpApp,
    flushNow: () => flush(nextTick()),
    close: () => {
      closing ??= (async () => {
        if (timer) clearTimeout(timer);
        if (refreshTimer) clearTimeout(refreshTimer);
        refreshTimer = null;
        await unixSocket?.close();
        await ingest.stopListening();
        // What arrived in the unfinished interval is written to its bucket; a restart merges into it.
        await flush(nextTick());
        await ingest.terminate();
        if (retry.stats.pendingPoints > 0) {
          log.error({ store: retry.stats }, 'stopping with flushes the store refused: their points are lost');
        }
        await httpApp.close();
        await storage.close();
        log.info('trendline collector stopped');
      })();
      return closing;
    },
  };
}

/** Points of failed flushes held for retry before the oldest are dropped (and counted): ~100 MB at most. */
const MAX_PENDING_POINTS = 2_000_000;

function httpAddressPort(app: FastifyInstance): number {
  const addr = app.server.address();
  return typeof addr === 'object' && addr !== null ? addr.port : 0;
}

/** Says in the log when a thread dies, what that costs, and when it is back. */
function superviseLogs(log: Logger, threads: Record<string, Supervised>): void {
  const cost: Record<string, string> = {
    ingest: 'what it aggregated since the last flush is lost',
    writer: 'flushes are held in memory and written when it is back',
  };
  for (const [name, thread] of Object.entries(threads)) {
    thread.onEvent((e) => {
      const fields = { thread: name, restarts: thread.health.restarts };
      if (e.type === 'restarted') log.warn({ ...fields, downMs: e.downMs }, `${name} thread restarted`);
      else if (e.retryInMs === null) {
        log.fatal({ ...fields, reason: e.reason }, `${givenUpReason(name, thread.health)} (/health: 503 down)`);
      } else if (e.type === 'died') {
        log.error({ ...fields, reason: e.reason, retryInMs: e.retryInMs }, `${name} thread died: ${cost[name]}`);
      } else log.error({ ...fields, reason: e.reason, retryInMs: e.retryInMs }, `${name} thread failed to restart`);
    });
  }
}
