import type { MetricsError } from './errors.js';
import { MetricsOptionError } from './errors.js';
import type { Tags } from './format.js';

/**
 * createMetrics' options. Each scalar one has an environment twin; precedence is the option, then the
 * environment variable, then the default. A bad value throws MetricsOptionError naming its source.
 */

export type Protocol = 'udp' | 'tcp' | 'uds';

export interface DeployOnStart {
  /** The version that is starting, e.g. `1.4.2` or a commit id. */
  version: string;
  /** The marker's text; default `<service tag, else prefix, else "app"> <version>`. */
  what?: string;
  tags?: Tags;
  data?: string;
}

export interface ProcessMetricsOptions {
  /** How often to sample; default 10000 (the collector's flush interval). */
  intervalMs?: number;
  /** Path under the client's prefix; default `process`. */
  prefix?: string;
}

export interface MetricsOptions {
  /** StatsD host. `TRENDLINE_STATSD_HOST`, default `localhost`. */
  host?: string;
  /** StatsD port. `TRENDLINE_STATSD_PORT`, default 8125. */
  port?: number;
  /** `TRENDLINE_STATSD_PROTOCOL`, default `udp` (`uds` when a socket path is set). */
  protocol?: Protocol;
  /** Unix datagram socket for `uds`. `TRENDLINE_STATSD_SOCKET`, no default. */
  socketPath?: string;
  /** Path prepended to every name (`api` → `api.requests`). `TRENDLINE_PREFIX`, default none. */
  prefix?: string;
  /** Tags on every metric. `TRENDLINE_TAGS` (`env:prod,service:api`), default none. */
  tags?: Tags;
  /** Default sample rate for counters, timings, histograms and distributions. `TRENDLINE_SAMPLE_RATE`, default 1. */
  sampleRate?: number;
  /** The collector's HTTP address, for deploy marks. `TRENDLINE_URL`, default `http://localhost:8080`. */
  url?: string;
  /** Bearer token for deploy marks. `TRENDLINE_TOKEN`, default none. */
  token?: string;
  /** Largest datagram. `TRENDLINE_MAX_DATAGRAM_BYTES`, default 1432 (8192 for `uds`). */
  maxDatagramBytes?: number;
  /** How long a line may wait in the buffer. `TRENDLINE_FLUSH_INTERVAL_MS`, default 100. */
  flushIntervalMs?: number;
  /** Marks a deploy when this version starts. `TRENDLINE_DEPLOY_VERSION` sets `{ version }`. */
  deployOnStart?: DeployOnStart;
  /** Per-attempt timeout of a deploy mark. `TRENDLINE_DEPLOY_TIMEOUT_MS`, default 2000. */
  deployTimeoutMs?: number;
  /** Retries of a deploy mark after the first attempt. `TRENDLINE_DEPLOY_RETRIES`, default 2. */
  deployRetries?: number;
  /** Event-loop delay, heap, RSS and GC pauses. `TRENDLINE_PROCESS_METRICS=true`, default off. */
  processMetrics?: boolean | ProcessMetricsOptions;
  /** Receives every error; metrics are never thrown at the app. Default: none (see `dropped`). */
  onError?: (error: MetricsError) => void;
  /** Random source in [0, 1) for sampling; default Math.random. */
  random?: () => number;
  /** Where the environment twins are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  protocol: Protocol;
  socketPath: string | null;
  prefix: string;
  tags: Tags | undefined;
  sampleRate: number;
  url: string;
  token: string | null;
  maxDatagramBytes: number;
  flushIntervalMs: number;
  deployOnStart: DeployOnStart | null;
  deployTimeoutMs: number;
  deployRetries: number;
  processMetrics: ProcessMetricsOptions | null;
  onError: ((error: MetricsError) => void) | null;
  random: () => number;
}

const PROTOCOLS: readonly string[] = ['udp', 'tcp', 'uds'];

export function resolveOptions(options: MetricsOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new MetricsOptionError('trendline: options must be an object');
  const env = options.env ?? process.env;
  const pick = <T>(
    key: keyof MetricsOptions,
    envName: string,
    parse: (raw: unknown, source: string) => T,
  ): T | undefined => {
    const value: unknown = options[key];
    if (value !== undefined) return parse(value, `option "${key}"`);
    const raw = env[envName];
    if (raw !== undefined && raw.trim() !== '') return parse(raw.trim(), envName);
    return undefined;
  };

  const socketPath = pick('socketPath', 'TRENDLINE_STATSD_SOCKET', text('a socket path'));
  const protocol =
    pick('protocol', 'TRENDLINE_STATSD_PROTOCOL', (raw, source) => {
      if (typeof raw !== 'string' || !PROTOCOLS.includes(raw)) throw bad(source, raw, 'expected udp, tcp or uds');
      return raw as Protocol;
    }) ?? (socketPath !== undefined ? 'uds' : 'udp');
  if (protocol === 'uds' && socketPath === undefined) {
    throw new MetricsOptionError(
      'trendline: protocol "uds" needs a socket path (option socketPath or TRENDLINE_STATSD_SOCKET)',
    );
  }

  const resolved: ResolvedOptions = {
    host:
      pick('host', 'TRENDLINE_STATSD_HOST', (raw, source) => {
        if (typeof raw !== 'string' || raw === '' || /[\s/]/.test(raw))
          throw bad(source, raw, 'expected a host name or IP address');
        return raw;
      }) ?? 'localhost',
    port: pick('port', 'TRENDLINE_STATSD_PORT', integer(1, 65535, 'a port number 1-65535')) ?? 8125,
    protocol,
    socketPath: socketPath ?? null,
    prefix:
      pick('prefix', 'TRENDLINE_PREFIX', (raw, source) => {
        if (typeof raw !== 'string') throw bad(source, raw, 'expected a string');
        return raw;
      }) ?? '',
    tags: pick('tags', 'TRENDLINE_TAGS', (raw, source) => {
      if (typeof raw === 'string')
        return raw
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
      if (typeof raw !== 'object' || raw === null) throw bad(source, raw, 'expected an object or an array of tags');
      return raw as Tags;
    }),
    sampleRate:
      pick('sampleRate', 'TRENDLINE_SAMPLE_RATE', (raw, source) => {
        const n = typeof raw === 'number' ? raw : Number(raw);
        if (!(n > 0 && n <= 1)) throw bad(source, raw, 'expected a sample rate in (0, 1]');
        return n;
      }) ?? 1,
    url:
      pick('url', 'TRENDLINE_URL', (raw, source) => {
        let u: URL;
        try {
          u = new URL(String(raw));
        } catch {
          throw bad(source, raw, 'expected an http(s) URL such as http://localhost:8080');
        }
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(source, raw, 'expected an http(s) URL');
        return u.href.replace(/\/+$/, '');
      }) ?? 'http://localhost:8080',
    token:
      pick('token', 'TRENDLINE_TOKEN', (raw, source) => {
        if (typeof raw !== 'string' || raw === '' || /\s/.test(raw))
          throw bad(source, raw, 'expected a token without whitespace');
        return raw;
      }) ?? null,
    maxDatagramBytes:
      pick('maxDatagramBytes', 'TRENDLINE_MAX_DATAGRAM_BYTES', integer(64, 65507, 'a size in bytes, 64-65507')) ??
      (protocol === 'uds' ? 8192 : 1432),
    flushIntervalMs:
      pick('flushIntervalMs', 'TRENDLINE_FLUSH_INTERVAL_MS', integer(1, 60_000, 'milliseconds, 1-60000')) ?? 100,
    deployOnStart:
      pick('deployOnStart', 'TRENDLINE_DEPLOY_VERSION', (raw, source) => {
        const mark = typeof raw === 'string' ? { version: raw } : (raw as DeployOnStart);
        if (
          typeof mark !== 'object' ||
          mark === null ||
          typeof mark.version !== 'string' ||
          mark.version.trim() === ''
        ) {
          throw bad(source, raw, 'expected { version: string }');
        }
        return mark;
      }) ?? null,
    deployTimeoutMs:
      pick('deployTimeoutMs', 'TRENDLINE_DEPLOY_TIMEOUT_MS', integer(1, 600_000, 'milliseconds')) ?? 2000,
    deployRetries: pick('deployRetries', 'TRENDLINE_DEPLOY_RETRIES', integer(0, 10, 'a count 0-10')) ?? 2,
    processMetrics:
      pick('processMetrics', 'TRENDLINE_PROCESS_METRICS', (raw, source) => {
        if (raw === true || raw === 'true' || raw === '1') return {};
        if (raw === false || raw === 'false' || raw === '0') return null;
        if (typeof raw === 'object' && raw !== null) return raw as ProcessMetricsOptions;
        throw bad(source, raw, 'expected true, false or { intervalMs }');
      }) ?? null,
    onError: options.onError ?? null,
    random: options.random ?? Math.random,
  };
  if (resolved.onError !== null && typeof resolved.onError !== 'function') {
    throw new MetricsOptionError('trendline: option "onError" must be a function');
  }
  if (typeof resolved.random !== 'function')
    throw new MetricsOptionError('trendline: option "random" must be a function');
  return resolved;
}

function bad(source: string, raw: unknown, why: string): MetricsOptionError {
  return new MetricsOptionError(`trendline: ${source} ${JSON.stringify(raw)}: ${why}`);
}

function text(what: string) {
  return (raw: unknown, source: string): string => {
    if (typeof raw !== 'string' || raw === '') throw bad(source, raw, `expected ${what}`);
    return raw;
  };
}

function integer(min: number, max: number, what: string) {
  return (raw: unknown, source: string): number => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw bad(source, raw, `expected ${what}`);
    return n;
  };
}
