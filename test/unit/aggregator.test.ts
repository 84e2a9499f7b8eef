import { describe, expect, it } from 'vitest';
import {
  Aggregator,
  type AggregatorOptions,
  DEFAULT_AGGREGATOR_OPTIONS,
  SELF_COUNTERS,
} from '../../collector/src/aggregate/aggregator.js';
import { type FlushBatch, type NamedValues, TIMER_STATS_WIDTH } from '../../collector/src/aggregate/flush-batch.js';
import { QuantileSketch } from '../../collector/src/aggregate/sketch.js';
import { computeTimerStat, parseTimerStat } from '../../collector/src/aggregate/timer-stats.js';
import { addSample, emptySummary, type TimerSummary } from '../../collector/src/aggregate/timer-summary.js';
import { parsePacket } from '../../collector/src/ingest/statsd-line.js';
import { toWriteBatch } from '../../collector/src/store/write-batch.js';

const T0 = 1_700_000_000;

function aggregator(options: Partial<AggregatorOptions> = {}): Aggregator {
  return new Aggregator({ ...DEFAULT_AGGREGATOR_OPTIONS, ...options });
}

/** Sends lines as one packet through the real parser. */
function send(agg: Aggregator, ...lines: string[]): void {
  parsePacket(lines.join('\n'), agg);
}

function asRecord(nv: NamedValues): Record<string, number> {
  expect(nv.keys).toHaveLength(nv.values.length);
  expect(new Set(nv.keys).size, 'keys are unique').toBe(nv.keys.length);
  return Object.fromEntries(nv.keys.map((k, i) => [k, nv.values[i] as number]));
}

const counters = (b: FlushBatch) => asRecord(b.counters);
const gauges = (b: FlushBatch) => asRecord(b.gauges);
const sets = (b: FlushBatch) => asRecord(b.sets);

/** A timer's summary as the batch holds it, read back (the aggregator hands timers over as columns). */
function timer(b: FlushBatch, key: string): TimerSummary | undefined {
  const i = b.timers.keys.indexOf(key);
  if (i === -1) return undefined;
  if ('summaries' in b.timers) return b.timers.summaries[i];
  const st = b.timers.stats.subarray(i * TIMER_STATS_WIDTH, (i + 1) * TIMER_STATS_WIDTH);
  const bytes = b.timers.sketches[i];
  const [count, n, sum, sumSquares, m2, min, max] = st;
  return {
    count,
    n,
    sum,
    sumSquares,
    m2,
    min,
    max,
    sketch: bytes === null ? new QuantileSketch() : QuantileSketch.decode(bytes),
  };
}

function timerStat(b: FlushBatch, key: string, name: string): number {
  const s = timer(b, key);
  const st = parseTimerStat(name);
  if (!s || !st) throw new Error(`no timer ${key} or stat ${name}`);
  return computeTimerStat(st, s, b.intervalSec);
}

/** Series names in the batch, without the collector's own. */
function userSeries(b: FlushBatch): string[] {
  return [...b.counters.keys, ...b.gauges.keys, ...b.sets.keys, ...b.timers.keys]
    .filter((k) => !/^stats\.(counters|gauges)\.statsd\.|^stats\.statsd\./.test(k))
    .sort();
}

describe('counters', () => {
  it('sums values in the interval and scales by the sample rate', () => {
    const agg = aggregator();
    send(agg, 'hits:1|c', 'hits:2|c', 'sampled:1|c|@0.1', 'sampled:1|c|@0.1', 'half:3|c|@0.5');
    const c = counters(agg.flush(T0));
    expect(c['stats.counters.hits']).toBe(3);
    expect(c['stats.counters.sampled']).toBe(20);
    expect(c['stats.counters.half']).toBe(6);
  });

  it('accepts negative and float values', () => {
    const agg = aggregator();
    send(agg, 'n:-3|c', 'n:2.5|c', 'f:0.25|c', 'f:0.5|c');
    const c = counters(agg.flush(T0));
    expect(c['stats.counters.n']).toBe(-0.5);
    expect(c['stats.counters.f']).toBe(0.75);
  });

  it('adds every chunk of an etsy multi-value line', () => {
    const agg = aggregator();
    send(agg, 'multi:1|c:2|c:3|c');
    expect(counters(agg.flush(T0))['stats.counters.multi']).toBe(6);
  });

  it('keys tagged counters by the canonical tag suffix', () => {
    const agg = aggregator();
    send(agg, 'api.hits:1|c|#env:prod,az:b', 'api.hits:2|c|#az:b,env:prod', 'api.hits:5|c');
    const c = counters(agg.flush(T0));
    expect(c['stats.counters.api.hits;az=b;env=prod']).toBe(3);
    expect(c['stats.counters.api.hits']).toBe(5);
  });

  it('works through the LineSink methods directly', () => {
    const agg = aggregator();
    agg.counter('direct', 1, 0.25, 0);
    agg.counter('direct', 2, 1, 0);
    expect(counters(agg.flush(T0))['stats.counters.direct']).toBe(6);
  });
});

describe('gauges (etsy delta rule)', () => {
  const cases: Array<[string, string[], number]> = [
    ['333, -10, +4', ['333', '-10', '+4'], 327],
    ['a fresh -5', ['-5'], -5],
    ['a fresh +7', ['+7'], 7],
    ['0 then +7', ['0', '+7'], 7],
    ['0 then -5', ['0', '-5'], -5],
    ['10 then 3 (unsigned sets)', ['10', '3'], 3],
    ['10 then -5', ['10', '-5'], 5],
    ['floats', ['1.5', '+0.25'], 1.75],
  ];
  for (const [label, values, expected] of cases) {
    it(`${label} → ${expected}`, () => {
      const agg = aggregator();
      send(agg, ...values.map((v) => `g:${v}|g`));
      expect(gauges(agg.flush(T0))['stats.gauges.g']).toBe(expected);
    });
  }

  it('applies deltas across flushes and ignores the sample rate', () => {
    const agg = aggregator();
    send(agg, 'g:100|g|@0.5');
    expect(gauges(agg.flush(T0))['stats.gauges.g']).toBe(100);
    send(agg, 'g:-1|g');
    expect(gauges(agg.flush(T0 + 10))['stats.gauges.g']).toBe(99);
  });
});

describe('sets', () => {
  it('counts distinct members and resets each flush', () => {
    const agg = aggregator();
    send(agg, 'users:alice|s', 'users:bob|s', 'users:alice|s', 'users:42|s');
    expect(sets(agg.flush(T0))['stats.sets.users']).toBe(3);
    send(agg, 'users:alice|s');
    expect(sets(agg.flush(T0 + 10))['stats.sets.users']).toBe(1);
  });

  it('caps distinct members per set per interval and counts the dropped ones', () => {
    const agg = aggregator({ maxSetMembers: 3 });
    send(agg, 'u:a|s', 'u:b|s', 'u:c|s', 'u:d|s', 'u:e|s', 'u:a|s');
    const b = agg.flush(T0);
    expect(sets(b)['stats.sets.u']).toBe(3);
    expect(counters(b)['stats.counters.statsd.set_members_dropped']).toBe(2);
    // a new interval admits new members again
    send(agg, 'u:d|s', 'u:e|s');
    const b2 = agg.flush(T0 + 10);
    expect(sets(b2)['stats.sets.u']).toBe(2);
    expect(counters(b2)['stats.counters.statsd.set_members_dropped']).toBe(0);
  });
});

describe('timers', () => {
  it('summarises samples (ms, h, d) with sample-rate-adjusted count', () => {
    const agg = aggregator();
    send(agg, 't:10|ms', 't:20|ms|@0.5', 't:30|h', 't:40|d');
    const b = agg.flush(T0);
    const s = timer(b, 'stats.timers.t');
    expect(s).toMatchObject({ count: 5, n: 4, sum: 100, sumSquares: 3000, min: 10, max: 40 });
    expect(s?.sketch.count).toBe(4);
    expect(timerStat(b, 'stats.timers.t', 'count_ps')).toBe(0.5);
    expect(timerStat(b, 'stats.timers.t', 'mean')).toBe(25);
    expect(timerStat(b, 'stats.timers.t', 'upper_90')).toBe(40);
  });

  it('starts a fresh summary each interval', () => {
    const agg = aggregator();
    send(agg, 't:10|ms');
    agg.flush(T0);
    send(agg, 't:50|ms');
    expect(timer(agg.flush(T0 + 10), 'stats.timers.t')).toMatchObject({ count: 1, n: 1, sum: 50, min: 50, max: 50 });
  });
});

describe('flush batches', () => {
  it('are stamped with the interval start (now - interval)', () => {
    const agg = aggregator({ flushIntervalSec: 10 });
    send(agg, 'c:1|c');
    const b = agg.flush(T0 + 10);
    expect(b.ts).toBe(T0);
    expect(b.intervalSec).toBe(10);
    const agg60 = aggregator({ flushIntervalSec: 60 });
    expect(agg60.flush(T0 + 60)).toMatchObject({ ts: T0, intervalSec: 60 });
  });

  it('carry the collector own counters with etsy names', () => {
    const agg = aggregator();
    send(agg, 'ok:1|c', 'no type here', 'bad:x|c');
    agg.self['statsd.packets_received'].value += 1;
    agg.self['statsd.metrics_received'].value += 3;
    const c = counters(agg.flush(T0));
    expect(c['stats.counters.statsd.bad_lines_seen']).toBe(2);
    expect(c['stats.counters.statsd.packets_received']).toBe(1);
    expect(c['stats.counters.statsd.metrics_received']).toBe(3);
    expect(c['stats.counters.bad']).toBeUndefined();
    for (const name of SELF_COUNTERS) expect(c[`stats.counters.${name}`], name).toBeTypeOf('number');
  });

  it('report stats.statsd.numStats as etsy: every series flushed, the collector own included, not itself', () => {
    const agg = aggregator();
    send(agg, 'c1:1|c', 't1:1|ms', 'g1:1|g', 's1:x|s');
    const b = agg.flush(T0);
    const flushed = b.counters.keys.length + b.timers.keys.length + b.sets.keys.length + b.gauges.keys.length - 1;
    expect(gauges(b)['stats.statsd.numStats']).toBe(flushed);
    expect(flushed).toBe(SELF_COUNTERS.length + 4);
  });

  it('report statsd.timestamp_lag from the 2nd flush on', () => {
    const agg = aggregator({ flushIntervalSec: 10 });
    expect(gauges(agg.flush(T0))['stats.gauges.statsd.timestamp_lag']).toBeUndefined();
    expect(gauges(agg.flush(T0 + 10))['stats.gauges.statsd.timestamp_lag']).toBe(0);
    // a flush 5 s late
    expect(gauges(agg.flush(T0 + 25))['stats.gauges.statsd.timestamp_lag']).toBe(5);
  });
});

describe('prefixStats (--prefix-stats)', () => {
  it('names every series of the collector under the prefix, as etsy does, and none under statsd', () => {
    const agg = aggregator({ prefixStats: 'statsd.host-a', maxSeries: 1, deleteCounters: true, deleteGauges: true });
    send(agg, 'ok:1|c', 'no type here', 'over:1|c');
    agg.self['statsd.packets_received'].value += 1;
    agg.flush(T0);
    const b = agg.flush(T0 + 10);
    const own = [...b.counters.keys, ...b.gauges.keys].filter((k) => k !== 'stats.counters.ok');
    expect(own.sort()).toEqual(
      [
        ...SELF_COUNTERS.map((id) => `stats.counters.statsd.host-a.${id.slice('statsd.'.length)}`),
        'stats.gauges.statsd.host-a.timestamp_lag',
        'stats.statsd.host-a.numStats',
      ].sort(),
    );
    // The own counters are kept and reset (never deleted), the lag gauge never expires, the cap ignores them.
    const first = counters(agg.flush(T0 + 20));
    expect(first['stats.counters.statsd.host-a.bad_lines_seen']).toBe(0);
    expect(gauges(agg.flush(T0 + 30))['stats.gauges.statsd.host-a.timestamp_lag']).toBe(0);
    // A client's counter of the same name adds to the collector's, as in etsy (one key).
    send(agg, 'statsd.host-a.bad_lines_seen:2|c', 'nope');
    expect(counters(agg.flush(T0 + 40))['stats.counters.statsd.host-a.bad_lines_seen']).toBe(3);
  });
});

describe('idle series, etsy defaults (nothing deleted)', () => {
  it('counters emit 0, timers count 0, gauges persist, sets 0', () => {
    const agg = aggregator();
    send(agg, 'c:5|c', 't:12|ms', 'g:42|g', 's:a|s');
    agg.flush(T0);
    const idle = agg.flush(T0 + 10);
    expect(counters(idle)['stats.counters.c']).toBe(0);
    expect(gauges(idle)['stats.gauges.g']).toBe(42);
    expect(sets(idle)['stats.sets.s']).toBe(0);
    const t = timer(idle, 'stats.timers.t');
    expect(t).toMatchObject({ count: 0, n: 0 });
    expect(timerStat(idle, 'stats.timers.t', 'count')).toBe(0);
    expect(timerStat(idle, 'stats.timers.t', 'count_ps')).toBe(0);
    expect(timerStat(idle, 'stats.timers.t', 'upper')).toBeNaN();
    // still there many flushes later
    for (let i = 2; i < 6; i++) agg.flush(T0 + 10 * i);
    expect(userSeries(agg.flush(T0 + 60))).toEqual([
      'stats.counters.c',
      'stats.gauges.g',
      'stats.sets.s',
      'stats.timers.t',
    ]);
  });
});

describe('idle series with the delete flags', () => {
  it('deleteCounters drops idle counters but never the collector own', () => {
    const agg = aggregator({ deleteCounters: true });
    send(agg, 'c:5|c', 'junk');
    const b1 = agg.flush(T0);
    expect(counters(b1)['stats.counters.c']).toBe(5);
    expect(counters(b1)['stats.counters.statsd.bad_lines_seen']).toBe(1);
    const b2 = counters(agg.flush(T0 + 10));
    expect(b2['stats.counters.c']).toBeUndefined();
    for (const name of SELF_COUNTERS) expect(b2[`stats.counters.${name}`], name).toBe(0);
    // a counter comes back when it is sent again
    send(agg, 'c:1|c');
    expect(counters(agg.flush(T0 + 20))['stats.counters.c']).toBe(1);
  });

  it('deleteTimers drops idle timers', () => {
    const agg = aggregator({ deleteTimers: true });
    send(agg, 't:1|ms');
    expect(timer(agg.flush(T0), 'stats.timers.t')).toBeDefined();
    expect(timer(agg.flush(T0 + 10), 'stats.timers.t')).toBeUndefined();
  });

  it('deleteSets drops idle sets', () => {
    const agg = aggregator({ deleteSets: true });
    send(agg, 's:a|s');
    expect(sets(agg.flush(T0))['stats.sets.s']).toBe(1);
    expect(sets(agg.flush(T0 + 10))['stats.sets.s']).toBeUndefined();
  });

  it('deleteGauges with the default TTL 1: present for 1 flush, gone on the 2nd', () => {
    const agg = aggregator({ deleteGauges: true });
    send(agg, 'g:3|g');
    expect(gauges(agg.flush(T0))['stats.gauges.g']).toBe(3);
    expect(gauges(agg.flush(T0 + 10))['stats.gauges.g']).toBeUndefined();
  });

  it('deleteGauges with gaugesMaxTtl 2: present for 2 flushes, gone on the 3rd', () => {
    const agg = aggregator({ deleteGauges: true, gaugesMaxTtl: 2 });
    send(agg, 'g:3|g');
    expect(gauges(agg.flush(T0))['stats.gauges.g']).toBe(3);
    expect(gauges(agg.flush(T0 + 10))['stats.gauges.g']).toBe(3);
    expect(gauges(agg.flush(T0 + 20))['stats.gauges.g']).toBeUndefined();
  });

  it('a write renews the gauge TTL, and a delta after deletion starts from 0', () => {
    const agg = aggregator({ deleteGauges: true, gaugesMaxTtl: 2 });
    send(agg, 'g:3|g');
    agg.flush(T0);
    send(agg, 'g:+1|g');
    expect(gauges(agg.flush(T0 + 10))['stats.gauges.g']).toBe(4);
    expect(gauges(agg.flush(T0 + 20))['stats.gauges.g']).toBe(4);
    expect(gauges(agg.flush(T0 + 30))['stats.gauges.g']).toBeUndefined();
    send(agg, 'g:+2|g');
    expect(gauges(agg.flush(T0 + 40))['stats.gauges.g']).toBe(2);
  });

  it('all four: idle series vanish after one idle flush; the collector own stay; numStats shrinks', () => {
    const agg = aggregator({ deleteCounters: true, deleteTimers: true, deleteGauges: true, deleteSets: true });
    send(agg, 'c1:1|c', 't1:1|ms', 'g1:1|g', 's1:x|s');
    const b1 = agg.flush(T0);
    expect(userSeries(b1)).toEqual(['stats.counters.c1', 'stats.gauges.g1', 'stats.sets.s1', 'stats.timers.t1']);
    expect(gauges(b1)['stats.statsd.numStats']).toBe(SELF_COUNTERS.length + 4);
    const b2 = agg.flush(T0 + 10);
    expect(userSeries(b2)).toEqual([]);
    expect(b2.counters.keys.sort()).toEqual(SELF_COUNTERS.map((n) => `stats.counters.${n}`).sort());
    // own counters + timestamp_lag
    expect(gauges(b2)['stats.statsd.numStats']).toBe(SELF_COUNTERS.length + 1);
    expect(gauges(b2)['stats.gauges.statsd.timestamp_lag']).toBe(0);
  });
});

describe('series cap (maxSeries)', () => {
  // The collector's own series are held beside the cap, which counts what clients create.
  const own = SELF_COUNTERS.length;

  it('drops new series past the cap, counts them, and keeps updating existing ones', () => {
    const agg = aggregator({ maxSeries: 3 });
    send(agg, 'a:1|c', 'b:1|g', 'c:x|s');
    expect(agg.seriesCount).toBe(own + 3);
    send(agg, 'd:1|c', 'e:5|ms', 'f:1|g', 'h:y|s', 'a:2|c', 'b:+4|g', 'c:z|s');
    const b = agg.flush(T0);
    expect(userSeries(b)).toEqual(['stats.counters.a', 'stats.gauges.b', 'stats.sets.c']);
    expect(counters(b)['stats.counters.a']).toBe(3);
    expect(gauges(b)['stats.gauges.b']).toBe(5);
    expect(sets(b)['stats.sets.c']).toBe(2);
    expect(counters(b)['stats.counters.statsd.series_dropped']).toBe(4);
    expect(agg.seriesCount).toBe(own + 3);
  });

  it('frees slots when idle series are deleted', () => {
    const agg = aggregator({ maxSeries: 1, deleteCounters: true });
    send(agg, 'a:1|c', 'b:1|c');
    expect(userSeries(agg.flush(T0))).toEqual(['stats.counters.a']);
    send(agg, 'b:1|c');
    expect(counters(agg.flush(T0 + 10))['stats.counters.b']).toBe(1);
  });

  it('does not drop the collector own timestamp_lag gauge (or count it as dropped) at the cap', () => {
    const agg = aggregator({ maxSeries: 2 });
    send(agg, 'x:1|c', 'y:1|c');
    agg.flush(T0);
    const b = agg.flush(T0 + 10);
    expect(counters(b)['stats.counters.statsd.series_dropped']).toBe(0);
    expect(gauges(b)['stats.gauges.statsd.timestamp_lag']).toBe(0);
  });
});

describe('timestamped samples (|T)', () => {
  it('go to batch.timed, not to the interval series', () => {
    const agg = aggregator();
    send(agg, 'c:5|c|T1656581400', 'c:1|c|@0.5|T1656581410', 'g:7|g|T1656581400', 'c:2|c');
    const b = agg.flush(T0);
    expect(b.timed).toEqual([
      { kind: 'counter', key: 'c', ts: 1656581400, value: 5 },
      { kind: 'counter', key: 'c', ts: 1656581410, value: 2 },
      { kind: 'gauge', key: 'g', ts: 1656581400, value: 7 },
    ]);
    expect(counters(b)['stats.counters.c']).toBe(2);
    expect(gauges(b)['stats.gauges.g']).toBeUndefined();
    expect(agg.flush(T0 + 10).timed).toEqual([]);
  });

  it('keeps tags on timed keys', () => {
    const agg = aggregator();
    send(agg, 'c:1|c|#env:prod|T1656581400');
    expect(agg.flush(T0).timed).toEqual([{ kind: 'counter', key: 'c;env=prod', ts: 1656581400, value: 1 }]);
  });

  it('caps timed points per interval and counts the dropped ones', () => {
    const agg = aggregator({ maxTimedPoints: 2 });
    send(agg, 'a:1|c|T1656581400', 'a:1|c|T1656581401', 'a:1|c|T1656581402');
    const b = agg.flush(T0);
    expect(b.timed).toHaveLength(2);
    expect(counters(b)['stats.counters.statsd.timed_points_dropped']).toBe(1);
  });
});

describe('events and service checks', () => {
  it('events are handed over in the batch and counted', () => {
    const agg = aggregator();
    send(agg, '_e{6,10}:deploy|api v1.4.2|d:1656581400|#deploy,service:api');
    const b = agg.flush(T0);
    expect(b.events).toEqual([
      { title: 'deploy', text: 'api v1.4.2', timestamp: 1656581400, tags: ['deploy', 'service:api'] },
    ]);
    expect(counters(b)['stats.counters.statsd.events_received']).toBe(1);
    expect(agg.flush(T0 + 10).events).toEqual([]);
  });

  it('a service check becomes the gauge stats.gauges.service_checks.<name> holding its status', () => {
    const agg = aggregator();
    send(agg, '_sc|db.up|2|#env:prod', '_sc|web/check one|1', '_sc|db.up|0');
    const b = agg.flush(T0);
    const g = gauges(b);
    expect(g['stats.gauges.service_checks.db.up;env=prod']).toBe(2);
    expect(g['stats.gauges.service_checks.db.up']).toBe(0);
    expect(g['stats.gauges.service_checks.web-check_one']).toBe(1);
    expect(counters(b)['stats.counters.statsd.service_checks_received']).toBe(3);
  });

  it('a bad event or service check is a bad line', () => {
    const agg = aggregator();
    send(agg, '_e{99,1}:x|y', '_sc|name|7');
    const b = agg.flush(T0);
    expect(b.events).toEqual([]);
    expect(counters(b)['stats.counters.statsd.bad_lines_seen']).toBe(2);
  });
});

describe('timers across intervals', () => {
  /** Three intervals of timer samples (some timers quiet in one, one past the key list), as stored. */
  function intervals(viaAggregator: boolean) {
    const agg = aggregator();
    const out = [];
    for (let i = 0; i < 3; i++) {
      const samples = new Map<string, number[]>();
      for (let t = 0; t < 5; t++) {
        if (i === 1 && t === 2) continue;
        // Timer 4 gets enough samples for a sketch with bins; the others stay in the store's key lists.
        const values = [];
        for (let s = 0; s < (t === 4 ? 300 : 3 + 20 * t); s++) values.push((t + 1) * (s + 1) * (i + 1) * 0.7);
        samples.set(`stats.timers.api.t${t}`, values);
      }
      let batch: FlushBatch;
      if (viaAggregator) {
        send(agg, ...[...samples].flatMap(([k, vs]) => vs.map((v) => `${k.slice('stats.timers.'.length)}:${v}|ms`)));
        batch = agg.flush(T0 + 10 * (i + 1));
        batch.counters = batch.gauges = batch.sets = { keys: [], values: [] };
      } else {
        const keys = [...new Set([...out.flatMap((o) => o.keys), ...samples.keys()])];
        const summaries = keys.map((k) => {
          const s = emptySummary();
          for (const v of samples.get(k) ?? []) addSample(s, Number(String(v)), 1);
          return s;
        });
        batch = { ...agg.flush(T0), timers: { keys, summaries } };
        batch.counters = batch.gauges = batch.sets = { keys: [], values: [] };
      }
      const { timers } = toWriteBatch(batch);
      out.push({ keys: timers.keys, stats: [...timers.stats], sketches: timers.sketches.map((s) => s && [...s]) });
    }
    return out;
  }

  it('flushes the same stats and sketches, to the bit, as a new summary per timer and interval', () => {
    expect(intervals(true)).toEqual(intervals(false));
  });

  it('starts each interval empty', () => {
    const agg = aggregator();
    send(agg, 'api.t:5|ms');
    expect(timer(agg.flush(T0 + 10), 'stats.timers.api.t')).toMatchObject({ n: 1, sum: 5 });
    send(agg, 'api.t:7|ms');
    expect(timer(agg.flush(T0 + 20), 'stats.timers.api.t')).toMatchObject({ n: 1, sum: 7, min: 7, max: 7 });
    const quiet = timer(agg.flush(T0 + 30), 'stats.timers.api.t');
    expect(quiet).toMatchObject({ count: 0, n: 0, sum: 0 });
    expect(quiet?.min).toBeNaN();
  });
});
