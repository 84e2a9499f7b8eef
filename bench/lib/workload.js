import { latency, rng } from './stats.js';

/**
 * StatsD traffic for the benchmarks: lines over a bounded set of names, packed into 1432-byte datagrams
 * (the payload that fits a 1500-byte MTU, as StatsD clients use). The same seed gives the same packets, so
 * every receiver gets byte-identical traffic.
 */

export const PACKET_BYTES = 1432;

const SERVICES = ['api', 'web', 'auth', 'billing', 'search', 'queue', 'mailer', 'images'];

function baseName(i, what) {
  return `app.${SERVICES[i % SERVICES.length]}.${what}.m${i}`;
}

/** Plain counters: `app.api.requests.m17:1|c`. */
function counterLine(i, random) {
  return `${baseName(i, 'requests')}:${1 + Math.floor(random() * 3)}|c`;
}

/**
 * The realistic mix, decided per name so each name keeps one type: 40% counters (half of them sampled),
 * 30% timers, 20% gauges (absolute or +/- delta), 10% sets; 30% of names carry DogStatsD tags.
 */
function mixedLine(i, random) {
  const slot = i % 10;
  const tagged = Math.floor(i / 10) % 10 < 3;
  let line;
  if (slot < 4) {
    const rate = slot === 2 ? '|@0.5' : slot === 3 ? '|@0.1' : '';
    line = `${baseName(i, 'hits')}:1|c${rate}`;
  } else if (slot < 7) {
    line = `${baseName(i, 'latency')}:${latency(random).toFixed(2)}|ms`;
  } else if (slot < 9) {
    const r = random();
    const value = r < 0.3 ? String(Math.floor(r * 1000)) : r < 0.65 ? `+${1 + Math.floor(r * 5)}` : '-1';
    line = `${baseName(i, 'queue')}:${value}|g`;
  } else {
    line = `${baseName(i, 'users')}:u${Math.floor(random() * 5000)}|s`;
  }
  return tagged ? `${line}|#env:prod,host:h${1 + (i % 4)}` : line;
}

const LINE_MAKERS = { counters: counterLine, mixed: mixedLine };

/** Joins lines with \n into datagrams of at most PACKET_BYTES. */
export function packLines(lines, maxBytes = PACKET_BYTES) {
  const packets = [];
  const counts = [];
  let current = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + (current.length > 0 ? 1 : 0);
    if (bytes + size > maxBytes && current.length > 0) {
      packets.push(Buffer.from(current.join('\n')));
      counts.push(current.length);
      current = [];
      bytes = 0;
    }
    bytes += Buffer.byteLength(line) + (current.length > 0 ? 1 : 0);
    current.push(line);
  }
  if (current.length > 0) {
    packets.push(Buffer.from(current.join('\n')));
    counts.push(current.length);
  }
  return { packets, counts };
}

/**
 * A pool of packets the sender cycles through. Names are walked in order, so any run of `names` lines
 * touches every series once: at >= names lines per flush interval, all series stay active.
 */
export function buildPool({ kind, names, lines = Math.max(names * 4, 20000), seed = 1 }) {
  const make = LINE_MAKERS[kind];
  if (!make) throw new Error(`unknown workload ${kind}`);
  const random = rng(seed);
  const all = [];
  for (let j = 0; j < lines; j++) all.push(make(j % names, random));
  const { packets, counts } = packLines(all);
  const totalBytes = packets.reduce((s, p) => s + p.length, 0);
  return {
    packets,
    counts,
    linesPerPacket: all.length / packets.length,
    bytesPerLine: totalBytes / all.length,
  };
}
