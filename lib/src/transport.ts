import type { SocketOptions } from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { constants } from 'node:os';
import { StatsD } from 'hot-shots';
import type { Protocol } from './options.js';

/**
 * The socket layer, on hot-shots: it owns the UDP, TCP and Unix-datagram transports. The library hands it
 * datagrams it has already batched (hot-shots' own buffer is off), so each send reports back, and a
 * failed send costs exactly the metrics in that datagram.
 *
 * On top of hot-shots: a circuit breaker (after a failed send, datagrams are dropped without touching the
 * network for a back-off of 250 ms doubling to 5 s, so a dead collector or DNS costs the app nothing),
 * a fresh hot-shots client after a TCP or Unix-socket failure (hot-shots stops reconnecting after an early
 * refusal), a DNS cache for UDP host names, and an idle close for Unix sockets, whose native handle would
 * otherwise keep the process alive.
 */

export interface TransportOptions {
  protocol: Protocol;
  host: string;
  port: number;
  socketPath: string | null;
}

export type SendDone = (error: Error | null, report: boolean) => void;

export interface Transport {
  /** Sends one datagram. `done` runs exactly once, possibly synchronously; `report` is false for the
   *  repeats of a failure already reported (an open breaker, the other datagrams of a dead connection). */
  send(datagram: string, done: SendDone): void;
  /** Waits for nothing: callers drain their sends first. */
  close(): Promise<void>;
}

/** hot-shots' one-datagram send: public in its JavaScript, absent from its typings. */
interface RawSender {
  sendMessage(message: string, callback: (error?: Error | null) => void): void;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;
const DNS_TTL_MS = 60_000;
const UDS_IDLE_CLOSE_MS = 1000;

export function createTransport(options: TransportOptions): Transport {
  return new HotShotsTransport(options);
}

class HotShotsTransport implements Transport {
  private client: (StatsD & RawSender) | null = null;
  private readonly lookup: SocketOptions['lookup'] | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private retryAt = 0;
  /** Bumped at each failure that opens the breaker; a send remembers the epoch it started in. */
  private epoch = 0;
  private lastError: Error | null = null;
  private socketError: Error | null = null;
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    this.lookup = options.protocol === 'udp' && net.isIP(options.host) === 0 ? cachedLookup(DNS_TTL_MS) : undefined;
  }

  send(datagram: string, done: SendDone): void {
    if (this.closed) {
      done(new Error('the client is closed'), false);
      return;
    }
    if (this.retryAt !== 0 && Date.now() < this.retryAt) {
      done(this.lastError ?? new Error('collector unavailable'), false);
      return;
    }
    const client = this.client ?? this.open();
    const epoch = this.epoch;
    this.inFlight++;
    client.sendMessage(datagram, (error) => {
      this.inFlight--;
      if (error) {
        const [reported, first] = this.fail(error, epoch, client);
        done(reported, first);
      } else {
        this.backoffMs = MIN_BACKOFF_MS;
        this.retryAt = 0;
        done(null, false);
      }
      if (this.options.protocol === 'uds') this.armIdleClose();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const client = this.client;
    this.client = null;
    if (client) await closeClient(client);
  }

  private open(): StatsD & RawSender {
    const { protocol, host, port, socketPath } = this.options;
    this.socketError = null;
    let client: (StatsD & RawSender) | null = null;
    client = new StatsD({
      protocol,
      host,
      port,
      path: socketPath ?? undefined,
      // Batching is ours (byte-counted, with a result per datagram): hot-shots sends each one as it comes.
      maxBufferSize: 0,
      // Plain StatsD: no DD_* environment tags, container ids or telemetry, whatever the environment says.
      datadog: false,
      includeDataDogTags: false,
      includeDatadogTelemetry: false,
      // Reconnection is ours too (see fail()); hot-shots' own gives up after an early refusal.
      tcpGracefulErrorHandling: false,
      udsGracefulErrorHandling: false,
      closingFlushInterval: 5,
      udpSocketOptions: this.lookup ? { type: 'udp4', lookup: this.lookup } : undefined,
      // Socket-level errors (a refused connect, a reset) also fail the sends they affect; keep the cause.
      errorHandler: (error) => {
        if (client === null || this.client === client) this.socketError = error;
      },
    }) as StatsD & RawSender;
    if (typeof client.sendMessage !== 'function') {
      throw new Error('trendline: this hot-shots version has no sendMessage(); install hot-shots 17.1.1');
    }
    this.client = client;
    return client;
  }

  /**
   * Opens the breaker (once per epoch) and drops a broken connection. Returns the error to report and
   * whether this failure is the first of its outage.
   */
  private fail(error: Error, epoch: number, client: StatsD & RawSender): [Error, boolean] {
    const code = (error as NodeJS.ErrnoException).code;
    // An oversized datagram is that datagram's problem, not the collector's.
    if (code === 'EMSGSIZE' || String(error.message).includes('EMSGSIZE')) return [error, true];
    const cause = this.socketError && this.socketError !== error ? this.socketError : null;
    const where = this.options.protocol === 'uds' ? ` ${this.options.socketPath}` : '';
    const reported = cause
      ? new Error(`${readable(error)} (${readable(cause)}${where})`, { cause })
      : new Error(`${readable(error)}${where}`, { cause: error });
    if (epoch !== this.epoch) return [reported, false];
    this.epoch++;
    this.lastError = reported;
    this.retryAt = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    if (this.options.protocol !== 'udp' && this.client === client) {
      this.client = null;
      // Never from inside a send callback: unix-dgram calls back synchronously and crashes on close there.
      setImmediate(() => void closeClient(client));
    }
    return [reported, true];
  }

  private armIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.inFlight > 0 || this.client === null) return;
      const client = this.client;
      this.client = null;
      void closeClient(client);
    }, UDS_IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }
}

/** An error's message with unix-dgram's bare `-errno` (`connect -2`) named (`connect ENOENT`). */
function readable(error: Error): string {
  return error.message
    .replace(/^Error sending hot-shots message: (Error: )?/, '')
    .replace(/(\w+) -(\d+)$/, (whole, call: string, n: string) => {
      const name = Object.entries(constants.errno).find(([, v]) => v === Number(n))?.[0];
      return name ? `${call} ${name}` : whole;
    });
}

/**
 * Closes hot-shots' socket directly. Its own close() waits for (and, after a grace period, complains on the
 * console about) messages in flight; by the time this runs the sink has drained or given up on them, and
 * with maxBufferSize 0 and no Datadog extras the socket is all a client holds.
 */
function closeClient(client: StatsD): Promise<void> {
  try {
    (client as unknown as { socket?: { close(): void } | null }).socket?.close();
  } catch {
    // Already closed.
  }
  return Promise.resolve();
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dns.lookup with a positive cache (one resolution per host and family per `ttlMs`, not one per datagram)
 * and one lookup at a time per key: datagrams sent while a lookup is pending wait for it. Without that, a
 * slow failing resolver would get one getaddrinfo per datagram and tie up libuv's thread pool.
 */
function cachedLookup(ttlMs: number): NonNullable<SocketOptions['lookup']> {
  const cache = new Map<string, { address: string; family: number; expires: number }>();
  const pending = new Map<string, LookupCallback[]>();
  return ((hostname: string, options: unknown, callback: LookupCallback) => {
    let cb = callback;
    let opts = options;
    if (typeof opts === 'function') {
      cb = opts as LookupCallback;
      opts = undefined;
    }
    const family = typeof opts === 'number' ? opts : ((opts as { family?: number } | undefined)?.family ?? 0);
    const key = `${family}/${hostname}`;
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) {
      cb(null, hit.address, hit.family);
      return;
    }
    const waiting = pending.get(key);
    if (waiting) {
      waiting.push(cb);
      return;
    }
    pending.set(key, [cb]);
    dns.lookup(hostname, { family: family as 0 | 4 | 6 }, (error, address, fam) => {
      if (!error) cache.set(key, { address, family: fam, expires: Date.now() + ttlMs });
      const callbacks = pending.get(key) ?? [];
      pending.delete(key);
      for (const each of callbacks) each(error, address, fam);
    });
  }) as NonNullable<SocketOptions['lookup']>;
}
