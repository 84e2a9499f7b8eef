import { startBare, startEtsy, startTrendline } from './lib/receivers.js';
import { Sender } from './lib/sender.js';
import { median } from './lib/stats.js';
import { searchZeroLoss, trial } from './lib/zero-loss.js';

/**
 * Target 1: the zero-loss ingest rate over UDP loopback, 1432-byte multi-metric packets, 1,000 names.
 * Trendline and etsy StatsD are measured side by side in every run (alternating who goes first), for
 * counters and for the realistic mix; the bare Node socket gives the ceiling of Node's receive path.
 */

export const title = 'Ingest: zero-loss lines/s over UDP loopback (1432-byte packets, 1,000 names)';

const NAMES = 1000;
const RCVBUF_8MB = 8 * 1024 * 1024;
const TARGETS = { counters: 1.6e6, mixed: 325e3 };
/** Where each search starts; later runs start from the previous run's result. */
const HINTS = {
  'trendline/counters': 1e6,
  'trendline/mixed': 600e3,
  'etsy/counters': 200e3,
  'etsy/mixed': 80e3,
  'bare-default/counters': 600e3,
  'bare-8MB/counters': 3e6,
};

const RECEIVERS = {
  trendline: (ctx, key) => startTrendline({ dir: `${ctx.tmp}/ingest-${key}` }),
  etsy: (ctx, key) => startEtsy({ dir: `${ctx.tmp}/etsy-${key}` }),
  'bare-default': () => startBare({ rcvbuf: 0 }),
  'bare-8MB': () => startBare({ rcvbuf: RCVBUF_8MB }),
};

/** One search on a freshly started receiver, after a short warm-up so the JIT has settled. */
async function measure(ctx, receiverName, sender, hint, key) {
  const receiver = await RECEIVERS[receiverName](ctx, key);
  try {
    await trial(receiver, sender, Math.min(hint / 4, 200e3), 1000);
    const result = await searchZeroLoss(receiver, sender, {
      hint,
      durationMs: ctx.quick ? 1500 : 3000,
      precision: ctx.quick ? 0.1 : 0.05,
      log: (t) =>
        ctx.log(
          `  ${receiverName} ${t.target.toFixed(0)}/s → lost ${t.lost} (rcv cpu ${t.receiverCpu}, kernel drops ${t.kernelRcvbufDrops})`,
        ),
    });
    result.rss = receiver.rss();
    // Lines a receiver counted but rejected would make "received" flattering; record them.
    result.sanity = (await receiver.sanity?.()) ?? null;
    result.rcvbuf = receiver.rcvbuf ?? (receiver.health ? (await receiver.health()).udpReceiveBufferBytes : null);
    return result;
  } finally {
    await receiver.stop();
  }
}

async function oneRun(ctx, run, hints, raw) {
  const plan = [
    ['counters', ['etsy', 'trendline']],
    ['mixed', ['etsy', 'trendline']],
    ['counters', ['bare-default', 'bare-8MB']],
  ];
  for (const [kind, receivers] of plan) {
    const sender = await Sender.start({ kind, names: NAMES, seed: run });
    raw.sender[kind] = sender.info;
    // Alternate the order, so drift in the machine's load doesn't always favour the same receiver.
    const order = run % 2 === 0 ? [...receivers].reverse() : receivers;
    try {
      for (const name of order) {
        const key = `${name}/${kind}`;
        ctx.log(`ingest run ${run}: ${key} from ${Math.round(hints[key])}/s`);
        const result = await measure(ctx, name, sender, hints[key], `${run}-${kind}`);
        ctx.log(`ingest run ${run}: ${key} zero-loss ${result.zeroLossRate}/s`);
        hints[key] = Math.max(result.zeroLossRate, 50e3);
        raw.results[key] ??= [];
        raw.results[key].push(result);
      }
    } finally {
      await sender.stop();
    }
  }
}

/** The trial just above the edge: how busy the receiver was when it started losing, and where the loss went. */
function atFailure(results) {
  const failures = results.flatMap((r) => r.trials.filter((t) => !t.pass && t.target > r.zeroLossRate));
  if (failures.length === 0) return '';
  const nearest = failures.sort((a, b) => a.target - b.target).slice(0, results.length);
  const cpu = median(nearest.map((t) => t.receiverMainThreadCpu));
  const dropShare = median(nearest.map((t) => (t.kernelRcvbufDrops > 0 ? 1 : 0)));
  return `first loss: main thread ${Math.round(cpu * 100)}% CPU${dropShare ? ', kernel rcvbuf drops' : ''}`;
}

/** A receiver that rejected some of our lines would count them as received; say so if it happened. */
function badLines(results) {
  const bad = Math.max(...results.map((r) => r.sanity?.bad_lines_seen ?? 0));
  return bad > 0 ? `; ${bad} bad lines!` : '';
}

export async function run(ctx) {
  const raw = { names: NAMES, sender: {}, results: {} };
  const hints = { ...HINTS };
  for (let r = 1; r <= ctx.runs; r++) await oneRun(ctx, r, hints, raw);

  const med = (key) => median(raw.results[key].map((r) => r.zeroLossRate));
  const limited = (key) => raw.results[key].some((r) => r.senderLimited);
  const rows = [];
  for (const kind of ['counters', 'mixed']) {
    const ours = med(`trendline/${kind}`);
    const etsy = med(`etsy/${kind}`);
    const ratios = raw.results[`trendline/${kind}`].map(
      (r, i) => r.zeroLossRate / raw.results[`etsy/${kind}`][i].zeroLossRate,
    );
    rows.push(
      {
        what: `trendline ${kind}`,
        value: ours,
        unit: 'lines/s',
        runs: ctx.runs,
        target: `≥ ${TARGETS[kind] / 1e3}k (collectd) and ≥ 3× etsy`,
        pass: ours >= TARGETS[kind] && ours >= 3 * etsy,
        note: atFailure(raw.results[`trendline/${kind}`]) + badLines(raw.results[`trendline/${kind}`]),
      },
      {
        what: `etsy statsd 0.9 ${kind}`,
        value: etsy,
        unit: 'lines/s',
        runs: ctx.runs,
        note: atFailure(raw.results[`etsy/${kind}`]),
      },
      {
        what: `ratio trendline/etsy ${kind}`,
        value: ours / etsy,
        unit: '×',
        runs: ctx.runs,
        target: '≥ 3×',
        pass: ours / etsy >= 3,
        note: `per-run ratios ${ratios.map((x) => x.toFixed(1)).join(', ')}`,
      },
    );
  }
  for (const name of ['bare-default', 'bare-8MB']) {
    const key = `${name}/counters`;
    const rcvbuf = raw.results[key][0].rcvbuf;
    rows.push({
      what: `bare Node dgram, ${name === 'bare-default' ? 'default' : '8 MB'} rcvbuf (granted ${rcvbuf} B)`,
      value: med(key),
      unit: 'lines/s',
      runs: ctx.runs,
      note: `${limited(key) ? 'sender-limited (≥); ' : ''}${atFailure(raw.results[key])}`,
    });
  }
  const s = raw.sender;
  const setup = `one sender process, one connected UDP socket, ~1 ms paced bursts; counters ${s.counters.linesPerPacket.toFixed(1)} lines/packet (${s.counters.bytesPerLine.toFixed(1)} B/line), mixed ${s.mixed.linesPerPacket.toFixed(1)} lines/packet (${s.mixed.bytesPerLine.toFixed(1)} B/line)`;
  return { title, rows, notes: [setup], raw };
}
