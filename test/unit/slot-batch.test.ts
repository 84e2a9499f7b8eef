import { describe, expect, it } from 'vitest';
import { Aggregator, DEFAULT_AGGREGATOR_OPTIONS } from '../../collector/src/aggregate/aggregator.js';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import { parsePacket } from '../../collector/src/ingest/statsd-line.js';
import { SlotDecoder, SlotEncoder, slotBatchOf, slotBatchTransferables } from '../../collector/src/store/slot-batch.js';
import { toWriteBatch, type WriteBatch } from '../../collector/src/store/write-batch.js';

/** A batch of the given counters (all 1) and one timer per timer key. */
function batch(ts: number, counters: string[], timers: string[] = []): WriteBatch {
  return toWriteBatch({
    ts,
    intervalSec: 10,
    counters: { keys: counters, values: counters.map(() => 1) },
    gauges: { keys: ['stats.gauges.q'], values: [7] },
    sets: { keys: [], values: [] },
    timers: {
      keys: timers,
      summaries: timers.map((_, i) => {
        const s = emptySummary();
        addSample(s, 10 + i, 1);
        return s;
      }),
    },
    timed: [{ kind: 'counter', key: 'late', ts: ts - 10, value: 2 }],
    events: [],
  });
}

/** What crosses the thread boundary, as postMessage would carry it. */
const cross = <T>(value: T): T => structuredClone(value);

describe('SlotEncoder / SlotDecoder', () => {
  it('gives back the batch it was given, and sends each key only in the first flush that uses it', () => {
    const encoder = new SlotEncoder();
    const decoder = new SlotDecoder();
    const first = batch(100, ['stats.counters.a', 'stats.counters.b'], ['stats.timers.t']);
    const wire1 = encoder.encode(first);
    expect(wire1.named.keys.sort()).toEqual([
      'stats.counters.a',
      'stats.counters.b',
      'stats.gauges.q',
      'stats.timers.t',
    ]);
    expect(decoder.decode(cross(wire1))).toEqual(first);

    const second = batch(110, ['stats.counters.b', 'stats.counters.a', 'stats.counters.c'], ['stats.timers.t']);
    const wire2 = encoder.encode(second);
    expect(wire2.named.keys).toEqual(['stats.counters.c']);
    expect(decoder.decode(cross(wire2))).toEqual(second);
  });

  it('reuses the slot of a series that left, under its new key', () => {
    const encoder = new SlotEncoder();
    const decoder = new SlotDecoder();
    decoder.decode(encoder.encode(batch(100, ['stats.counters.gone', 'stats.counters.kept'])));
    decoder.decode(encoder.encode(batch(110, ['stats.counters.kept'])));
    const wire = encoder.encode(batch(120, ['stats.counters.kept', 'stats.counters.new']));
    expect(wire.named.keys).toEqual(['stats.counters.new']);
    expect(decoder.decode(wire).counters.keys).toEqual(['stats.counters.kept', 'stats.counters.new']);
    expect(Math.max(...wire.counters.slots, ...wire.gauges.slots)).toBeLessThan(3);
  });

  it('decodes a new thread numbering afresh after reset', () => {
    const decoder = new SlotDecoder();
    decoder.decode(new SlotEncoder().encode(batch(100, ['stats.counters.a'])));
    decoder.reset();
    const b = batch(110, ['stats.counters.z']);
    expect(decoder.decode(new SlotEncoder().encode(b))).toEqual(b);
  });

  it('hands over its typed arrays and sketch buffer without copying', () => {
    const wire = new SlotEncoder().encode(batch(100, ['stats.counters.a'], ['stats.timers.t', 'stats.timers.u']));
    const buffers = slotBatchTransferables(wire, true);
    // counters, gauges, sets: slots and values each; timers: slots, stats, one buffer for both sketches.
    expect(buffers).toHaveLength(9);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(wire, buffers);
    expect(wire.timers.stats.byteLength).toBe(0);
    port1.close();
    port2.close();
  });

  it('hands back the very key string a batch had, while its slot is in use', () => {
    const enc = new SlotEncoder();
    const key = ['stats.counters.', 'api.hits'].join('');
    enc.encode(batch(10, [key]));
    expect(enc.held('stats.counters.api.hits')).toBe(key);
    expect(enc.held('stats.counters.nope')).toBeUndefined();
    enc.encode(batch(20, []));
    expect(enc.held('stats.counters.api.hits')).toBeUndefined();
  });
});

describe('slotBatchOf: the aggregator numbers its own series', () => {
  it('decodes to the batch the aggregator flushed, as series come, go and their numbers are taken again', () => {
    const agg = new Aggregator({
      ...DEFAULT_AGGREGATOR_OPTIONS,
      deleteCounters: true,
      deleteTimers: true,
      deleteGauges: true,
      deleteSets: true,
      gaugesMaxTtl: 1,
    });
    const decoder = new SlotDecoder();
    const packets = [
      ['a:1|c', 'b:2|c', 't:5|ms', 'g:3|g', 's:x|s'],
      ['a:1|c', 'c:1|c;env=prod', 'u:7|ms'],
      [],
      ['d:1|c', 'e:4|g', 't:1|ms', 'b:1|c', 'h:2|g', 'q:y|s'],
      ['a:3|c', 'g:1|g'],
    ];
    const seen = new Set<number>();
    for (let i = 0; i < packets.length; i++) {
      if (packets[i].length > 0) parsePacket(packets[i].join('\n'), agg);
      const flushed = agg.flush(1_700_000_000 + 10 * i);
      const expected = toWriteBatch(flushed);
      const wire = cross(slotBatchOf(expected, flushed.slots));
      expect(decoder.decode(wire)).toEqual(expected);
      for (const s of wire.counters.slots) seen.add(s);
    }
    // Deleted series gave their numbers back: fewer numbers than series ever seen.
    expect(Math.max(...seen)).toBeLessThan(8 + 1 + 12);
  });
});
