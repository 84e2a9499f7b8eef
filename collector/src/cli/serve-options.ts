import { parseArgs } from 'node:util';
import { prefixStatsProblem } from '../aggregate/self-series.js';
import { type CollectorConfig, DEFAULT_CONFIG, validateConfig } from '../config.js';
import { ConfigError } from '../config-error.js';
import { parseDuration, parseRetention } from '../store/retention.js';

/**
 * `trendline serve` settings: each flag has an environment twin (TRENDLINE_ + the flag in upper snake
 * case) and a key in the --config JSON file. Precedence: flag, then environment, then file, then default.
 */

type Key = Exclude<keyof CollectorConfig, 'uiDir'>;
type Kind =
  | 'string'
  | 'host'
  | 'port'
  | 'count'
  | 'bytes'
  | 'duration'
  | 'retention'
  | 'percentiles'
  | 'bool'
  | 'token'
  | 'level'
  | 'store'
  | 'url'
  | 'identifier'
  | 'prefix';

interface FlagSpec {
  key: Key;
  kind: Kind;
  help: string;
}

export const SERVE_FLAGS: Record<string, FlagSpec> = {
  'http-host': { key: 'httpHost', kind: 'host', help: 'HTTP address to listen on' },
  'http-port': { key: 'httpPort', kind: 'port', help: 'HTTP port (API and UI)' },
  'statsd-host': { key: 'statsdHost', kind: 'host', help: 'StatsD address (UDP and TCP)' },
  'statsd-port': { key: 'statsdPort', kind: 'port', help: 'StatsD port, UDP and TCP' },
  'statsd-socket': { key: 'statsdSocket', kind: 'string', help: 'StatsD Unix datagram socket path' },
  db: { key: 'db', kind: 'string', help: 'SQLite database file' },
  store: { key: 'store', kind: 'store', help: 'storage backend: sqlite or clickhouse' },
  'clickhouse-url': {
    key: 'clickhouseUrl',
    kind: 'url',
    help: 'ClickHouse HTTP endpoint (--store clickhouse); replicas to fail over to after a comma',
  },
  'clickhouse-cluster': { key: 'clickhouseCluster', kind: 'identifier', help: 'cluster for Distributed tables' },
  'clickhouse-database': { key: 'clickhouseDatabase', kind: 'identifier', help: 'ClickHouse database' },
  'clickhouse-replicated': {
    key: 'clickhouseReplicated',
    kind: 'bool',
    help: 'Replicated* tables (ZooKeeper, {shard}/{replica} macros)',
  },
  'clickhouse-read-timeout': {
    key: 'clickhouseReadTimeoutSec',
    kind: 'duration',
    help: 'time a ClickHouse read may wait (a hung shard) before a 503, e.g. 5s; inserts wait 5m',
  },
  'flush-interval': { key: 'flushIntervalSec', kind: 'duration', help: 'aggregation interval, whole seconds' },
  retention: { key: 'retention', kind: 'retention', help: 'tiers step:keep, finest first' },
  percentiles: { key: 'percentiles', kind: 'percentiles', help: 'timer percentiles; negative = top' },
  token: { key: 'token', kind: 'token', help: 'bearer token required for HTTP writes' },
  'max-series': { key: 'maxSeries', kind: 'count', help: 'distinct series held; more are dropped and counted' },
  'max-set-members': { key: 'maxSetMembers', kind: 'count', help: 'members per set per interval' },
  'max-timed-points': { key: 'maxTimedPoints', kind: 'count', help: '|T points and events per interval' },
  'max-line-length': { key: 'maxLineLength', kind: 'count', help: 'longest StatsD line accepted' },
  'max-tcp-connections': { key: 'maxTcpConnections', kind: 'count', help: 'concurrent StatsD TCP clients' },
  'udp-receive-buffer': { key: 'udpReceiveBufferBytes', kind: 'bytes', help: 'UDP SO_RCVBUF (capped by rmem_max)' },
  'max-query-series': { key: 'maxQuerySeries', kind: 'count', help: 'series one /render may read' },
  'max-query-points': { key: 'maxQueryPoints', kind: 'count', help: 'points (series x steps) one request may read' },
  'query-timeout': { key: 'queryTimeoutSec', kind: 'duration', help: 'time one request may spend reading series' },
  'delete-idle-stats': { key: 'deleteIdleStats', kind: 'bool', help: 'stop sending idle series (all four below)' },
  'delete-counters': { key: 'deleteCounters', kind: 'bool', help: 'drop idle counters instead of sending 0' },
  'delete-timers': { key: 'deleteTimers', kind: 'bool', help: 'drop idle timers instead of sending count 0' },
  'delete-gauges': { key: 'deleteGauges', kind: 'bool', help: 'drop gauges idle for gauges-max-ttl flushes' },
  'delete-sets': { key: 'deleteSets', kind: 'bool', help: 'drop idle sets instead of sending 0' },
  'gauges-max-ttl': { key: 'gaugesMaxTtl', kind: 'count', help: 'flushes an idle gauge survives (delete-gauges)' },
  'prefix-stats': {
    key: 'prefixStats',
    kind: 'prefix',
    help: "the collector's own series: stats.<prefix>.*; one per collector in a cluster",
  },
  'log-level': { key: 'logLevel', kind: 'level', help: 'fatal, error, warn, info, debug, trace or silent' },
};

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function envName(flag: string): string {
  return `TRENDLINE_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Reads argv (after `serve`), the environment and, when --config names one, a JSON file through `readFile`.
 * Throws ConfigError with one line naming the bad flag and value.
 */
export function parseServeOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): CollectorConfig {
  const options: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' } };
  for (const [flag, spec] of Object.entries(SERVE_FLAGS))
    options[flag] = { type: spec.kind === 'bool' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joinDashValues(argv, options), options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split('\n')[0]} (see trendline serve --help)`);
  }

  const fromFile: Record<string, unknown> = {};
  const configPath = (values.config as string | undefined) ?? env.TRENDLINE_CONFIG;
  if (configPath) Object.assign(fromFile, readConfigFile(configPath, readFile));

  const config: CollectorConfig = { ...DEFAULT_CONFIG };
  const set = config as unknown as Record<Key, unknown>;
  for (const [flag, spec] of Object.entries(SERVE_FLAGS)) {
    const flagValue = values[flag];
    const envValue = env[envName(flag)];
    if (flagValue !== undefined) set[spec.key] = convert(`--${flag}`, spec.kind, flagValue);
    else if (envValue !== undefined && envValue !== '') set[spec.key] = convert(envName(flag), spec.kind, envValue);
    else if (fromFile[spec.key] !== undefined)
      set[spec.key] = convert(`"${spec.key}" in ${configPath}`, spec.kind, fromFile[spec.key]);
  }
  if (config.deleteIdleStats) {
    // etsy: deleteIdleStats turns on every delete flag that was not set explicitly.
    for (const flag of ['delete-counters', 'delete-timers', 'delete-gauges', 'delete-sets']) {
      const spec = SERVE_FLAGS[flag];
      const explicit = values[flag] !== undefined || !!env[envName(flag)] || fromFile[spec.key] !== undefined;
      if (!explicit) set[spec.key] = true;
    }
  }
  return validateConfig(config);
}

/** `--percentiles -10,90` is one flag and its value; parseArgs would call the value ambiguous. */
function joinDashValues(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (options[name]?.type === 'string' && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function readConfigFile(path: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(
      `--config ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`--config ${path}: expected a JSON object of settings`);
  }
  const known = new Set(Object.values(SERVE_FLAGS).map((s) => s.key as string));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new ConfigError(`--config ${path}: unknown setting "${key}"`);
  }
  return parsed as Record<string, unknown>;
}

function convert(source: string, kind: Kind, raw: unknown): unknown {
  const bad = (why: string) => new ConfigError(`${source} ${JSON.stringify(raw)}: ${why}`);
  if (kind === 'bool') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw bad('expected true or false');
  }
  if (kind === 'percentiles' && Array.isArray(raw)) raw = raw.join(',');
  // A config file may give the flush interval as a number of seconds, as its key says.
  if (kind === 'duration' && typeof raw === 'number') raw = `${raw}s`;
  if (typeof raw === 'number') raw = String(raw);
  if (typeof raw !== 'string') throw bad('expected a string');
  const s = raw.trim();
  switch (kind) {
    case 'string':
      if (s === '') throw bad('must not be empty');
      return s;
    case 'token':
      if (s === '' || /\s/.test(s)) throw bad('must be non-empty and contain no whitespace');
      return s;
    case 'host':
      if (s === '' || /[\s/]/.test(s)) throw bad('expected a host name or IP address');
      return s;
    case 'port': {
      const n = Number(s);
      if (!/^\d+$/.test(s) || n > 65535) throw bad('expected a port number 0-65535');
      return n;
    }
    case 'count': {
      const n = Number(s);
      if (!/^\d+$/.test(s) || n < 1 || !Number.isSafeInteger(n)) throw bad('expected a whole number, at least 1');
      return n;
    }
    case 'bytes': {
      const m = /^(\d+)\s*(b|kb|k|mb|m|gb|g)?$/i.exec(s);
      if (!m) throw bad('expected a size such as 8388608, 512kb or 8mb');
      const unit = (m[2] ?? 'b').toLowerCase()[0];
      return Number(m[1]) * ({ b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[unit];
    }
    case 'duration':
      return parseDuration(s, source);
    case 'retention':
      return parseRetention(s, source);
    case 'percentiles': {
      const parts = s.split(',').map((p) => p.trim());
      const nums = parts.map(Number);
      if (parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n) || n === 0 || Math.abs(n) > 100)) {
        throw bad('expected a comma-separated list of percentiles in -100..100, not 0, such as 50,90,99.9');
      }
      return nums;
    }
    case 'level':
      if (!LEVELS.includes(s)) throw bad(`expected one of ${LEVELS.join(', ')}`);
      return s;
    case 'store':
      if (s !== 'sqlite' && s !== 'clickhouse') throw bad('expected sqlite or clickhouse');
      return s;
    case 'url': {
      // One URL, or several (replicas of the same data) separated by commas.
      const urls = s.split(',').map((one) => one.trim());
      for (const one of urls) {
        let url: URL;
        try {
          url = new URL(one);
        } catch {
          throw bad('expected a URL such as http://127.0.0.1:8123');
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('expected an http:// or https:// URL');
      }
      return urls.map((one) => one.replace(/\/+$/, '')).join(',');
    }
    case 'prefix': {
      const problem = prefixStatsProblem(s);
      if (problem !== null) throw bad(problem);
      return s;
    }
    case 'identifier':
      // Cluster and database names are placed in SQL as identifiers; keep them to the plain form.
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(s)) throw bad('expected letters, digits and _ (not first a digit)');
      return s;
  }
}
