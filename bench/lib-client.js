// Client micro-benchmarks for the targets (not a test; run: node lib/bench/client.js after `tsc -b`).
//   1. increment() with buffering: amortised ns per call and ops/s (target < 1 µs).
//   2. time(): added ns per call over calling the function directly (target < 2 µs).
//   3. App throughput with the collector down (TCP refused, DNS failure, UDP nobody listening) relative to
//      the collector up (target: less than 5% slower).
// Prints one JSON object. Numbers are the median of several rounds.
import dgram from 'node:dgram';
import net from 'node:net';
import { createMetrics } from 'trendline';

const ROUNDS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tick = () => new Promise((r) => setImmediate(r));

async function receiver() {
  const s = dgram.createSocket('udp4');
  let datagrams = 0;
  s.on('message', () => datagrams++);
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  return { port: s.address().port, count: () => datagrams, close: () => new Promise((r) => s.close(r)) };
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** ns per call of `op`, run `n` times in slices of 10,000 with a yield between (as a server would). */
async function perCall(op, n) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < n; done += 10_000) {
      for (let i = 0; i < 10_000; i++) op(i);
      await tick();
    }
    rounds.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return median(rounds);
}

async function benchIncrement(port) {
  const m = createMetrics({ host: '127.0.0.1', port, prefix: 'bench', tags: { env: 'bench' }, env: {} });
  const untagged = await perCall(() => m.increment('requests'), 1_000_000);
  const tagged = await perCall((i) => m.increment('requests', 1, { route: i & 1 ? 'a' : 'b' }), 500_000);
  await m.close();
  return { untaggedNs: untagged, untaggedOpsPerSec: Math.round(1e9 / untagged), taggedNs: tagged, dropped: m.dropped };
}

async function benchTime(port) {
  const m = createMetrics({ host: '127.0.0.1', port, env: {} });
  let sink = 0;
  const fn = () => {
    sink++;
    return sink;
  };
  const direct = await perCall(() => fn(), 500_000);
  const timed = await perCall(() => m.time('work', fn), 500_000);
  await m.close();
  return { directNs: direct, timedNs: timed, addedNs: timed - direct, sink };
}

/** A request-like unit of app work that emits 5 metrics. */
function appWork(m, i) {
  let x = 0;
  for (let k = 0; k < 2000; k++) x += Math.sqrt(k + i);
  m.increment('app.requests', 1, { route: 'r' });
  m.timing('app.latency', x % 50);
  m.gauge('app.queue', i % 10);
  m.increment('app.bytes', 512);
  m.histogram('app.size', i % 100);
  return x;
}

/** ops/s of appWork per client, rounds interleaved across clients so machine load hits them alike. */
async function throughput(clients) {
  const n = 100_000;
  const rounds = clients.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [c, m] of clients.entries()) {
      const t0 = process.hrtime.bigint();
      for (let done = 0; done < n; done += 1000) {
        for (let i = 0; i < 1000; i++) appWork(m, i);
        await tick();
      }
      rounds[c].push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
  }
  await Promise.all(clients.map((m) => m.close()));
  return clients.map((m, c) => ({ opsPerSec: Math.round(median(rounds[c])), dropped: m.dropped }));
}

const rx = await receiver();
const increment = await benchIncrement(rx.port);
const time = await benchTime(rx.port);
const closedPort = await freePort();
const quiet = { env: {}, onError: () => undefined };
const [up, downTcp, downUdp, downDns] = await throughput([
  createMetrics({ ...quiet, host: '127.0.0.1', port: rx.port }),
  createMetrics({ ...quiet, host: '127.0.0.1', port: closedPort, protocol: 'tcp' }),
  createMetrics({ ...quiet, host: '127.0.0.1', port: closedPort }),
  createMetrics({ ...quiet, host: 'does-not-exist.invalid' }),
]);
await rx.close();
const slower = (x) => Math.round((1 - x.opsPerSec / up.opsPerSec) * 1000) / 10;
console.log(
  JSON.stringify(
    {
      node: process.version,
      increment,
      time,
      collectorDown: {
        upOpsPerSec: up.opsPerSec,
        tcpRefused: { ...downTcp, slowerPct: slower(downTcp) },
        udpNobodyListening: { ...downUdp, slowerPct: slower(downUdp) },
        dnsFailure: { ...downDns, slowerPct: slower(downDns) },
      },
    },
    null,
    2,
  ),
);
