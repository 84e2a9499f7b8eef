import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { getJson } from './http.js';
import { freePort, rssBytes, startChild, stopChild, track, waitFor } from './proc.js';

/**
 * The receivers under test, each a separate process with the same small interface:
 * { name, pid, port, count() → lines received so far, stop() }.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}collector/dist/cli/main.js`;
const ETSY = `${ROOT}node_modules/statsd/stats.js`;
const CHILD = new URL('./collector-child.js', import.meta.url);

/** How package.json's start script runs the collector: pass these to startTrendline to measure what users run. */
export const AS_NPM_START = {
  env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' },
  nodeArgs: ['--max-semi-space-size=4'],
};

/**
 * Trendline's collector via its CLI; count() is metrics_received from /health. With `probe`, the same flags
 * go to collector-child.js instead, which also reports event-loop stalls and memory (probe()).
 */
export async function startTrendline({
  dir,
  flushInterval = '1s',
  retention = '1s:6h,1m:7d',
  db = `${dir}/bench.db`,
  args = [],
  nodeArgs = [],
  /** Extra environment for the collector's process (e.g. MALLOC_ARENA_MAX). */
  env = {},
  probe = false,
}) {
  mkdirSync(dir, { recursive: true });
  const httpPort = await freePort();
  const port = await freePort();
  const flags = [
    ...['--http-host', '127.0.0.1', '--http-port', String(httpPort)],
    ...['--statsd-host', '127.0.0.1', '--statsd-port', String(port)],
    ...['--db', db, '--flush-interval', flushInterval, '--retention', retention, '--log-level', 'warn'],
    ...args,
  ];
  const childEnv = { ...process.env, ...env };
  const child = probe
    ? track(fork(CHILD, flags, { execArgv: nodeArgs, env: childEnv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }))
    : startChild(process.execPath, [...nodeArgs, CLI, 'serve', ...flags], { env: childEnv });
  const health = () => getJson(httpPort, '/health');
  await waitFor(async () => (await health()).status, { what: 'trendline to start', timeoutMs: 60000 }).catch(
    // The CLI child keeps its stderr: the reason it didn't start is usually there.
    async (err) => {
      await stopChild(child);
      throw new Error(`${err.message} ${child.stderrTail?.() ?? ''}`);
    },
  );
  return {
    name: 'trendline',
    pid: child.pid,
    port,
    httpPort,
    health,
    count: async () => (await health()).metrics_received,
    sanity: async () => {
      const h = await health();
      return { bad_lines_seen: h.bad_lines_seen, series: h.series, series_dropped: h.series_dropped };
    },
    rss: () => rssBytes(child.pid),
    probe: probe ? (reset = false, gc = false) => request(child, { type: 'probe', reset, gc }, 'probe') : null,
    stop: () => stopChild(child),
  };
}

/** One IPC request/reply with a forked child. */
function request(child, message, replyType) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== replyType) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send(message);
  });
}

/** Sends one admin command to etsy's management port and returns the reply up to END. */
function etsyAdmin(port, command) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10000, () => socket.destroy(new Error('etsy admin timed out')));
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('END\n')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

/**
 * etsy StatsD 0.9 as shipped (default receive buffer), no backends, and a flush interval so long it never
 * flushes during a run: its `statsd.metrics_received` counter then stays cumulative. That spares etsy the
 * flush work ours does every second, which only flatters etsy.
 */
export async function startEtsy({ dir }) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const mgmtPort = await freePort();
  const config = `${dir}/etsy-config.js`;
  writeFileSync(
    config,
    `{ port: ${port}, address: '127.0.0.1', mgmt_port: ${mgmtPort}, mgmt_address: '127.0.0.1',
       flushInterval: 2000000000, backends: [], automaticConfigReload: false }\n`,
  );
  const child = startChild(process.execPath, [ETSY, config], { cwd: dir });
  const counter = async (name) => {
    const m = new RegExp(`'statsd\\.${name}': (\\d+)`).exec(await etsyAdmin(mgmtPort, 'counters'));
    if (!m) throw new Error(`etsy admin reply has no statsd.${name}`);
    return Number(m[1]);
  };
  const count = () => counter('metrics_received');
  await waitFor(async () => (await count()) >= 0, { what: `etsy statsd to start (${child.stderrTail()})` });
  return {
    name: 'etsy',
    pid: child.pid,
    port,
    count,
    sanity: async () => ({ bad_lines_seen: await counter('bad_lines_seen') }),
    rss: () => rssBytes(child.pid),
    stop: () => stopChild(child),
  };
}

/** bare-dgram-counter.js; rcvbuf 0 keeps the kernel default. */
export async function startBare({ rcvbuf = 0 }) {
  const child = track(
    fork(new URL('./bare-dgram-counter.js', import.meta.url), [String(rcvbuf)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const ready = await new Promise((resolve) => child.once('message', resolve));
  return {
    name: rcvbuf > 0 ? 'bare-8MB' : 'bare-default',
    pid: child.pid,
    port: ready.port,
    rcvbuf: ready.rcvbuf,
    count: async () => (await request(child, { type: 'count' }, 'count')).lines,
    rss: () => rssBytes(child.pid),
    stop: () => stopChild(child),
  };
}
