import { debuglog } from 'node:util';
import { Batcher } from './batcher.js';
import { alreadyMarked, postEvent } from './deploy.js';
import { MetricsError } from './errors.js';
import { MAX_LINE_BYTES } from './format.js';
import type { ResolvedOptions } from './options.js';
import { type EventBody, encodeEntry, type MetricKind, type Sink } from './sink.js';
import type { Transport } from './transport.js';

const debug = debuglog('trendline');

/**
 * Bytes handed to the transport and not yet called back (a burst within one tick, or a stuck TCP
 * connection); past this, new datagrams are dropped. About 200,000 typical lines.
 */
const MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024;
/** How long close() waits for sends before closing the socket anyway. */
const CLOSE_TIMEOUT_MS = 2000;
/** deployOnStart marks a version once: not again if a mark with its tags exists from the last 7 days. */
const DEDUPE_WINDOW_SEC = 7 * 86400;

/** Flushes every live client's buffer when the event loop empties, so a short script loses nothing. */
const live = new Set<SocketSink>();
const flushAllBeforeExit = () => {
  for (const sink of live) sink.flushBuffer();
};

/** The sink of createMetrics: encodes lines, batches them by bytes and sends the datagrams. */
export class SocketSink implements Sink {
  dropped = 0;
  closed = false;
  private readonly batcher: Batcher;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private bytesInFlight = 0;
  private metricsInFlight = 0;
  /** Set when close() stops waiting: late callbacks are then already counted. */
  private abandoned = false;
  private overloaded = false;
  private closedReported = false;
  private idleWaiters: Array<() => void> = [];
  private readonly deploys = new Set<Promise<boolean>>();
  private closing: Promise<void> | null = null;
  private readonly onTimer = () => {
    this.timer = null;
    this.batcher.flush();
  };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly transport: Transport,
  ) {
    this.batcher = new Batcher(options.maxDatagramBytes, (datagram, metrics) => this.send(datagram, metrics));
    if (live.size === 0) process.on('beforeExit', flushAllBeforeExit);
    live.add(this);
  }

  sample(rate: number): boolean {
    return this.options.random() < rate;
  }

  record(kind: MetricKind, name: string, value: number | string, rate: number, tags: string): void {
    if (this.closed) {
      this.dropped++;
      if (!this.closedReported) {
        this.closedReported = true;
        this.report(new MetricsError('TRENDLINE_CLOSED', `metric ${name} recorded after close(); dropped`, 1));
      }
      return;
    }
    const [entry, longest] = encodeEntry(kind, name, value, rate, tags);
    if (longest > MAX_LINE_BYTES) {
      this.fail(
        new MetricsError(
          'TRENDLINE_LINE_TOO_LONG',
          `metric ${name}: line of ${longest} bytes exceeds ${MAX_LINE_BYTES}`,
          1,
        ),
      );
      return;
    }
    this.batcher.add(entry);
    if (this.timer === null && this.batcher.size > 0) {
      this.timer = setTimeout(this.onTimer, this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  fail(error: MetricsError): void {
    this.dropped += error.dropped;
    this.report(error);
  }

  deploy(event: EventBody, onlyIfNew: boolean): Promise<boolean> {
    const { url, token, deployTimeoutMs, deployRetries } = this.options;
    const endpoint = { url, token, timeoutMs: deployTimeoutMs, retries: deployRetries };
    const post = () => postEvent(endpoint, event, (e) => this.report(e));
    const p = onlyIfNew
      ? alreadyMarked(endpoint, event.tags, event.when - DEDUPE_WINDOW_SEC).then((marked) => marked || post())
      : post();
    this.deploys.add(p);
    void p.finally(() => this.deploys.delete(p));
    return p;
  }

  /** Sends what is buffered now, without waiting. */
  flushBuffer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.batcher.flush();
  }

  flush(): Promise<void> {
    this.flushBuffer();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      // Metrics get CLOSE_TIMEOUT_MS to drain. Deploy marks in flight (deployOnStart in a short script) are
      // part of "everything" too; each settles within its own timeouts and retries.
      let timeout: NodeJS.Timeout | undefined;
      const drained = Promise.race([
        this.flush(),
        new Promise<void>((r) => (timeout = setTimeout(r, CLOSE_TIMEOUT_MS))),
      ]);
      await Promise.all([drained, ...this.deploys]);
      clearTimeout(timeout);
      if (this.inFlight > 0) {
        const lost = this.metricsInFlight;
        this.abandoned = true;
        this.fail(
          new MetricsError(
            'TRENDLINE_SEND_FAILED',
            `close(): ${lost} metrics still unsent after ${CLOSE_TIMEOUT_MS} ms; giving up on them`,
            lost,
          ),
        );
      }
      live.delete(this);
      if (live.size === 0) process.off('beforeExit', flushAllBeforeExit);
      await this.transport.close().catch(() => undefined);
    })();
    return this.closing;
  }

  private send(datagram: string, metrics: number): void {
    if (this.bytesInFlight + datagram.length > MAX_BYTES_IN_FLIGHT) {
      this.dropped += metrics;
      if (!this.overloaded) {
        this.overloaded = true;
        this.report(
          new MetricsError(
            'TRENDLINE_OVERLOADED',
            `${MAX_BYTES_IN_FLIGHT} bytes are waiting on the transport; dropping until it catches up`,
            metrics,
          ),
        );
      }
      return;
    }
    this.inFlight++;
    this.metricsInFlight += metrics;
    this.bytesInFlight += datagram.length;
    const bytes = datagram.length;
    try {
      this.transport.send(datagram, (error, report) => this.sent(metrics, bytes, error, report));
    } catch (error) {
      this.sent(metrics, bytes, error as Error, true);
    }
  }

  private sent(metrics: number, bytes: number, error: Error | null, report: boolean): void {
    if (this.abandoned) return;
    this.inFlight--;
    this.metricsInFlight -= metrics;
    this.bytesInFlight -= bytes;
    if (error) {
      this.dropped += metrics;
      if (report) {
        this.report(
          new MetricsError(
            'TRENDLINE_SEND_FAILED',
            `could not send ${metrics} metrics: ${error.message}`,
            metrics,
            error,
          ),
        );
      }
    }
    if (this.bytesInFlight < MAX_BYTES_IN_FLIGHT / 2) this.overloaded = false;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private report(error: MetricsError): void {
    debug('%s: %s', error.code, error.message);
    const handler = this.options.onError;
    if (handler === null) return;
    try {
      handler(error);
    } catch {
      // A throwing onError must not turn a lost metric into a crash.
    }
  }
}
