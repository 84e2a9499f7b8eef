import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorConfig } from 'trendline-collector';
import { startTestCollector, type TestCollector } from './collector.js';
import { capturingLog, type LogLine } from './log.js';

/**
 * Test harness: Debian's clickhouse-server as two shards of one cluster (`trendline_test`) on loopback,
 * each with its own data directory under one temp dir. Ports are picked free at start; a shard can be
 * killed and started again on the same ports and data (the outage test).
 */

export const CLICKHOUSE_BIN = '/usr/sbin/clickhouse-server';
export const CLUSTER = 'trendline_test';

export function clickhouseAvailable(): boolean {
  return existsSync(CLICKHOUSE_BIN);
}

export interface ClickHouseShard {
  readonly url: string;
  /** SIGKILLs the server (no clean shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it answers. */
  start(): Promise<void>;
  /** SIGSTOP: the server hangs (connections are still accepted by the kernel, nothing answers). */
  pause(): void;
  /** SIGCONT: it answers again, where it stopped. */
  resume(): void;
  /** Runs one statement on this server alone (not through the cluster); its answer as text, or throws. */
  query(statement: string): Promise<string>;
}

export interface ClusterOptions {
  /** Each shard's data directory (default, or undefined: under the cluster's temp dir), e.g. on a small mount. */
  dataDirs?: Array<string | undefined>;
  /** With a ZooKeeper port, the servers are the replicas of the cluster's one shard, not its shards. */
  replicasWithZooKeeperPort?: number;
  /**
   * receive_timeout of the servers' default profile (default 300 s): how long a server waits on another
   * shard's answer. 18.16 takes it from the profile when it starts, not from a query's own settings.
   */
  receiveTimeoutSec?: number;
}

export interface ClickHouseCluster {
  readonly shards: ClickHouseShard[];
  readonly cluster: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Ports {
  http: number;
  tcp: number;
  interserver: number;
}

function configXml(dir: string, data: string, ports: Ports, all: Ports[], options: ClusterOptions): string {
  const replica = (p: Ports) => `<replica><host>127.0.0.1</host><port>${p.tcp}</port></replica>`;
  const zk = options.replicasWithZooKeeperPort;
  const shards =
    zk === undefined
      ? all.map((p) => `<shard>${replica(p)}</shard>`).join('')
      : `<shard><internal_replication>true</internal_replication>${all.map(replica).join('')}</shard>`;
  const replication =
    zk === undefined
      ? ''
      : `<zookeeper><node><host>127.0.0.1</host><port>${zk}</port></node></zookeeper>
  <macros><shard>01</shard><replica>r${all.indexOf(ports) + 1}</replica></macros>`;
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers><${CLUSTER}>${shards}</${CLUSTER}></remote_servers>
  ${replication}
</yandex>
`;
}

const usersXml = (options: ClusterOptions) => `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage>${
    options.receiveTimeoutSec === undefined ? '' : `<receive_timeout>${options.receiveTimeoutSec}</receive_timeout>`
  }</default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server at ${url} did not answer within ${timeoutMs} ms`);
}

/** Waits until `shard` reads ZooKeeper's root (its session is open). */
async function untilZooKeeper(shard: ClickHouseShard, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await shard.query("SELECT count() FROM system.zookeeper WHERE path = '/'");
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The ports are picked free just before the servers start; another process of the suite (files run side by side)
 * can take one in between, and the server exits at start. Such a start is tried again on new ports, twice at most.
 */
export async function startClickHouseCluster(shardCount = 2, options: ClusterOptions = {}): Promise<ClickHouseCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(shardCount, options);
    } catch (err) {
      if (attempt >= 3 || !/clickhouse-server exited with/.test((err as Error).message)) throw err;
    }
  }
}

async function startClusterOnce(shardCount: number, options: ClusterOptions): Promise<ClickHouseCluster> {
  const root = mkdtempSync(join(tmpdir(), 'trendline-ch-'));
  const ports: Ports[] = [];
  for (let i = 0; i < shardCount; i++) {
    ports.push({ http: await freePort(), tcp: await freePort(), interserver: await freePort() });
  }
  const shards = ports.map((p, i) => {
    const dir = join(root, `ch${i + 1}`);
    const data = options.dataDirs?.[i] ?? join(dir, 'data');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(data, 'tmp'), { recursive: true });
    writeFileSync(join(dir, 'config.xml'), configXml(dir, data, p, ports, options));
    writeFileSync(join(dir, 'users.xml'), usersXml(options));
    const url = `http://127.0.0.1:${p.http}`;
    let child: ChildProcess | null = null;
    const shard: ClickHouseShard = {
      url,
      async start() {
        const proc = spawn(CLICKHOUSE_BIN, [`--config-file=${join(dir, 'config.xml')}`], {
          cwd: dir,
          stdio: 'ignore',
        });
        child = proc;
        await waitUntilUp(url, proc);
      },
      pause() {
        child?.kill('SIGSTOP');
      },
      resume() {
        child?.kill('SIGCONT');
      },
      async query(statement) {
        const res = await fetch(`${url}/`, { method: 'POST', body: statement });
        const text = await res.text();
        if (!res.ok) throw new Error(`ClickHouse at ${url} answered ${res.status} to ${statement}: ${text}`);
        return text;
      },
      async kill() {
        const proc = child;
        child = null;
        if (!proc || proc.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGKILL');
        await exited;
      },
    };
    return shard;
  });
  try {
    await Promise.all(shards.map((s) => s.start()));
    // Replicated tables need the servers' ZooKeeper session, which a loaded machine can take seconds to open.
    if (options.replicasWithZooKeeperPort !== undefined) await Promise.all(shards.map(untilZooKeeper));
  } catch (err) {
    await Promise.all(shards.map((s) => s.kill()));
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    shards,
    cluster: CLUSTER,
    async stop() {
      await Promise.all(shards.map((s) => s.kill()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A collector on each of the first two shards of `cluster` (1 s flushes; tiers of 1 s for an hour and 1 minute
 * for a day; `database`; `more` on top, the same for both or per shard index): `a` on shard 1, `b` on shard 2,
 * each with its log kept, for the tests in which shard 2 fails.
 */
export async function collectorsOnShards(
  cluster: ClickHouseCluster,
  database: string,
  more: Partial<CollectorConfig> | ((shard: number) => Partial<CollectorConfig>) = {},
): Promise<{ a: TestCollector; b: TestCollector; aLog: LogLine[]; bLog: LogLine[] }> {
  const on = (shard: number, log: ReturnType<typeof capturingLog>['log']) =>
    startTestCollector(
      {
        store: 'clickhouse',
        clickhouseUrl: cluster.shards[shard].url,
        clickhouseCluster: cluster.cluster,
        clickhouseDatabase: database,
        retention: [
          { stepSec: 1, retentionSec: 3600 },
          { stepSec: 60, retentionSec: 86_400 },
        ],
        ...(typeof more === 'function' ? more(shard) : more),
      },
      log,
    );
  const aLog = capturingLog();
  const a = await on(0, aLog.log);
  const bLog = capturingLog();
  try {
    return { a, b: await on(1, bLog.log), aLog: aLog.lines, bLog: bLog.lines };
  } catch (err) {
    await a.stop();
    throw err;
  }
}
