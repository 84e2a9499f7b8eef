import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { type Collector, type CollectorConfig, DEFAULT_CONFIG, startCollector } from 'trendline-collector';

/** Test harness: a real collector on 127.0.0.1 with ephemeral ports and a real SQLite file in a temp dir. */

export interface GraphiteSeries {
  target: string;
  tags: Record<string, string>;
  datapoints: Array<[number | null, number]>;
}

export interface TestCollector {
  collector: Collector;
  config: CollectorConfig;
  dir: string;
  url: string;
  get(path: string): Promise<Response>;
  render(targets: string | string[], params?: Record<string, string>): Promise<GraphiteSeries[]>;
  /** Sends one datagram and waits until the collector has read it. */
  udp(payload: string | Buffer): Promise<void>;
  tcp(chunks: Array<string | Buffer>): Promise<void>;
  health(): Promise<Record<string, number | string | null>>;
  stop(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'trendline-test-'));
}

let clickhouseDatabases = 0;

/**
 * With TRENDLINE_TEST_CLICKHOUSE_URL set (test/integration/clickhouse-core.test.ts sets it), collectors
 * that don't name their own store run on ClickHouse, each in a database of its own.
 */
function storeFromEnv(overrides: Partial<CollectorConfig>): Partial<CollectorConfig> {
  const url = process.env.TRENDLINE_TEST_CLICKHOUSE_URL;
  if (!url || overrides.db || overrides.store) return {};
  return { store: 'clickhouse', clickhouseUrl: url, clickhouseDatabase: `t${process.pid}_${++clickhouseDatabases}` };
}

/** `log` receives the collector's log (silent by default), for tests that check what it says. */
export async function startTestCollector(
  overrides: Partial<CollectorConfig> = {},
  log: Logger = pino({ level: 'silent' }),
): Promise<TestCollector> {
  const dir = overrides.db ? '' : tempDir();
  const config: CollectorConfig = {
    ...DEFAULT_CONFIG,
    httpHost: '127.0.0.1',
    httpPort: 0,
    statsdHost: '127.0.0.1',
    statsdPort: 0,
    db: join(dir, 'trendline.db'),
    flushIntervalSec: 1,
    retention: [
      { stepSec: 1, retentionSec: 3600 },
      { stepSec: 60, retentionSec: 86400 },
    ],
    logLevel: 'silent',
    ...storeFromEnv(overrides),
    ...overrides,
  };
  const collector = await startCollector(config, log);
  const url = `http://127.0.0.1:${collector.httpPort}`;
  const get = (path: string) => fetch(`${url}${path}`);
  const health = async () => (await (await get('/health')).json()) as Record<string, number | string | null>;
  const counted = async (field: string) => Number((await health())[field]);
  return {
    collector,
    config,
    dir,
    url,
    get,
    async render(targets, params = {}) {
      const q = new URLSearchParams({ from: '-5min', format: 'json', ...params });
      for (const t of Array.isArray(targets) ? targets : [targets]) q.append('target', t);
      const res = await get(`/render?${q}`);
      if (res.status !== 200) throw new Error(`render ${res.status}: ${await res.text()}`);
      return (await res.json()) as GraphiteSeries[];
    },
    // Resolves once the collector has read the datagram, so a flush right after includes it.
    async udp(payload) {
      const before = await counted('packets_received');
      await sendUdp(collector.statsdPort, payload);
      await waitFor(async () => (await counted('packets_received')) > before, 'the datagram to arrive');
    },
    async tcp(chunks) {
      const before = await counted('metrics_received');
      await sendTcp(collector.statsdPort, chunks);
      // The last chunk's lines are parsed when the stream ends; wait until some arrived.
      await waitFor(async () => (await counted('metrics_received')) > before, 'the TCP lines to arrive');
    },
    health,
    async stop() {
      await collector.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sendUdp(port: number, payload: string | Buffer): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.send(payload, port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Writes each chunk separately (with a pause), so the server sees lines split across reads. */
export function sendTcp(port: number, chunks: Array<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 20));
      }
      socket.end();
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

/** Sum of the non-null values of a series. */
export function total(series: GraphiteSeries | undefined): number {
  return (series?.datapoints ?? []).reduce((acc, [v]) => acc + (v ?? 0), 0);
}

/** The largest non-null value of a series. */
export function max(series: GraphiteSeries | undefined): number | null {
  const values = (series?.datapoints ?? []).map(([v]) => v).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
}

/** The last non-null value of a series. */
export function last(series: GraphiteSeries | undefined): number | null {
  const points = (series?.datapoints ?? []).filter(([v]) => v !== null);
  return points.length ? points[points.length - 1][0] : null;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `trendline` as a user runs it, in a child process. */
export const CLI = join(import.meta.dirname, '..', '..', 'collector', 'dist', 'cli', 'main.js');

export interface RunningCli {
  child: ChildProcess;
  httpPort: number;
  statsdPort: number;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `trendline serve` flags for a test: loopback only, any free HTTP port, the StatsD port given (any free one by
 * default) and the SQLite file, then `more`.
 */
export function serveArgs(db: string, more: string[] = [], statsdPort = 0): string[] {
  return [
    ...['--http-host', '127.0.0.1', '--http-port', '0', '--statsd-host', '127.0.0.1'],
    ...['--statsd-port', String(statsdPort), '--db', db, ...more],
  ];
}

/** Starts `trendline serve` and waits for its "started" log line, which names the ports it bound. */
export async function spawnServe(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await Promise.race([
    waitFor(
      async () => out.split('\n').find((l) => l.includes('trendline collector started')),
      'collector start',
      20_000,
    ),
    exited.then((code) => {
      throw new Error(`trendline serve exited ${code}: ${out}`);
    }),
  ]);
  const line = JSON.parse(started) as { http: string; statsd: string };
  const port = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));
  return { child, httpPort: port(line.http), statsdPort: port(line.statsd), output: () => out, exited };
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
