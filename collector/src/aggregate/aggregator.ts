import {
  canonicalTags,
  type LineSink,
  type ServiceCheck,
  type StatsdEvent,
  sanitizeName,
} from '../ingest/statsd-line.js';
import type { FlushBatch, FlushSlots, TimedPoint } from './flush-batch.js';
import { DEFAULT_PREFIX_STATS, type SelfSeries, selfSeries } from './self-series.js';
import { SeriesSlots } from './series-slots.js';
import { storedKey } from './stored-key.js';
import { TimerStore } from './timer-store.js';

/**
 * Per-interval state for every series, with etsy StatsD's semantics. It is the sink the parser writes
 * into (one map lookup per sample) and hands a FlushBatch to the store once per interval.
 */

export interface AggregatorOptions {
  flushIntervalSec: number;
  /** Distinct series held at once; new ones past the cap are dropped and counted. */
  maxSeries: number;
  /** Distinct members per set per interval. */
  maxSetMembers: number;
  /** Points with their own timestamp (`|T`) and events held per interval. */
  maxTimedPoints: number;
  deleteCounters: boolean;
  deleteTimers: boolean;
  deleteGauges: boolean;
  deleteSets: boolean;
  /** Flushes a gauge survives without an update when deleteGauges is on (etsy's gaugesMaxTTL). */
  gaugesMaxTtl: number;
  /** etsy's prefixStats: the collector's own series are named under it (self-series.ts). */
  prefixStats: string;
}

export const DEFAULT_AGGREGATOR_OPTIONS: AggregatorOptions = {
  flushIntervalSec: 10,
  maxSeries: 200_000,
  maxSetMembers: 100_000,
  maxTimedPoints: 100_000,
  deleteCounters: false,
  deleteTimers: false,
  deleteGauges: false,
  deleteSets: false,
  gaugesMaxTtl: 1,
  prefixStats: DEFAULT_PREFIX_STATS,
};

/**
 * Counters that etsy never deletes, only resets, so the collector's health is always graphed. These are their
 * ids; they are stored under --prefix-stats (`statsd.bad_lines_seen` as `stats.counters.<prefix>.bad_lines_seen`).
 */
export const SELF_COUNTERS = [
  'statsd.bad_lines_seen',
  'statsd.packets_received',
  'statsd.metrics_received',
  'statsd.series_dropped',
  'statsd.set_members_dropped',
  'statsd.timed_points_dropped',
  'statsd.events_received',
  'statsd.service_checks_received',
] as const;
export type SelfCounter = (typeof SELF_COUNTERS)[number];

const EMPTY_STATS = new Float64Array(0);

/** A self counter's name under the prefix: its id less `statsd.`. */
const selfName = (id: SelfCounter) => id.slice('statsd.'.length);

interface Cell {
  value: number;
}
/**
 * Each series carries its stored key (`stats.counters.…`), built once when the series is first seen:
 * a flush then hands out the same strings every interval instead of 100k new ones. And its number for
 * the thread the flushes go to (series-slots.ts).
 */
interface Named {
  stored: string;
  slot: number;
}
interface CounterCell extends Cell, Named {}
interface GaugeCell extends Named {
  value: number;
  ttl: number;
}
interface TimerCell extends Named {
  /** The timer's summary in `timerStore`. */
  index: number;
}
interface SetCell extends Named {
  members: Set<string>;
}

export class Aggregator implements LineSink {
  private counters = new Map<string, CounterCell>();
  private timers = new Map<string, TimerCell>();
  private readonly timerStore = new TimerStore();
  private gauges = new Map<string, GaugeCell>();
  private sets = new Map<string, SetCell>();
  private timed: TimedPoint[] = [];
  private events: StatsdEvent[] = [];
  private lastFlushSec = 0;
  /** Cells of the collector's own counters, so ingest can bump them without a lookup. */
  readonly self: Record<SelfCounter, Cell>;
  private readonly names: SelfSeries;
  /** The self counters' keys in `counters`, never deleted. */
  private readonly selfKeys = new Set<string>();
  /** The timestamp-lag gauge's key in `gauges`. */
  private readonly lagKey: string;
  private readonly slots = new SeriesSlots();
  /** The numStats gauge, which has no cell. */
  private readonly numStats: Named;

  constructor(private readonly options: AggregatorOptions = DEFAULT_AGGREGATOR_OPTIONS) {
    this.names = selfSeries(options.prefixStats);
    this.lagKey = this.names.counterKey('timestamp_lag');
    const self = {} as Record<SelfCounter, Cell>;
    for (const id of SELF_COUNTERS) {
      const stored = this.names.counter(selfName(id));
      const cell = { value: 0, stored, slot: this.slots.take(stored) };
      self[id] = cell;
      const key = this.names.counterKey(selfName(id));
      this.counters.set(key, cell);
      this.selfKeys.add(key);
    }
    this.self = self;
    const numStats = this.names.stat('numStats');
    this.numStats = { stored: numStats, slot: this.slots.take(numStats) };
  }

  /** A new series' stored key and number. */
  private name(prefix: string, key: string): Named & { key: string } {
    const { stored, key: mapKey } = storedKey(prefix, key);
    return { stored, key: mapKey, slot: this.slots.take(stored) };
  }

  get seriesCount(): number {
    return this.counters.size + this.timers.size + this.gauges.size + this.sets.size;
  }

  counter(key: string, value: number, sampleRate: number, ts: number): void {
    if (ts !== 0) {
      this.addTimed({ kind: 'counter', key, ts, value: value / sampleRate });
      return;
    }
    let cell = this.counters.get(key);
    if (cell === undefined) {
      if (!this.admit()) return;
      const named = this.name('stats.counters.', key);
      cell = { value: 0, stored: named.stored, slot: named.slot };
      this.counters.set(named.key, cell);
    }
    cell.value += value / sampleRate;
  }

  timer(key: string, value: number, sampleRate: number): void {
    let cell = this.timers.get(key);
    if (cell === undefined) {
      if (!this.admit()) return;
      const named = this.name('stats.timers.', key);
      cell = { index: this.timerStore.add(), stored: named.stored, slot: named.slot };
      this.timers.set(named.key, cell);
    }
    this.timerStore.sample(cell.index, value, sampleRate);
  }

  gauge(key: string, value: number, delta: boolean, ts: number): void {
    if (ts !== 0) {
      this.addTimed({ kind: 'gauge', key, ts, value });
      return;
    }
    let cell = this.gauges.get(key);
    if (cell === undefined) {
      if (!this.admit()) return;
      // A signed value for an unknown gauge is a delta from 0, as in etsy.
      const named = this.name('stats.gauges.', key);
      cell = { value: 0, ttl: 0, stored: named.stored, slot: named.slot };
      this.gauges.set(named.key, cell);
    }
    cell.value = delta ? cell.value + value : value;
    cell.ttl = this.options.gaugesMaxTtl;
  }

  set(key: string, member: string): void {
    let cell = this.sets.get(key);
    if (cell === undefined) {
      if (!this.admit()) return;
      const named = this.name('stats.sets.', key);
      cell = { members: new Set(), stored: named.stored, slot: named.slot };
      this.sets.set(named.key, cell);
    }
    const { members } = cell;
    if (members.size >= this.options.maxSetMembers && !members.has(member)) {
      this.self['statsd.set_members_dropped'].value++;
      return;
    }
    members.add(member);
  }

  event(e: StatsdEvent): void {
    this.self['statsd.events_received'].value++;
    if (this.events.length >= this.options.maxTimedPoints) {
      this.self['statsd.timed_points_dropped'].value++;
      return;
    }
    this.events.push(e);
  }

  /** Service checks are kept as gauges `stats.gauges.service_checks.<name>` holding the status 0–3. */
  serviceCheck(sc: ServiceCheck): void {
    this.self['statsd.service_checks_received'].value++;
    const name = sanitizeName(sc.name);
    if (name !== '') this.gauge(`service_checks.${name}${canonicalTags(sc.tags)}`, sc.status, false, 0);
  }

  bad(_line: string, _reason: string): void {
    this.self['statsd.bad_lines_seen'].value++;
  }

  /**
   * Ends the interval [nowSec - interval, nowSec): returns everything in it, stamped with the interval's
   * start, and resets state the way etsy's delete* flags say. `processingMs` is measured by the caller.
   */
  flush(nowSec: number): FlushBatch & { slots: FlushSlots } {
    const o = this.options;
    const interval = o.flushIntervalSec;
    const batch: FlushBatch = {
      ts: nowSec - interval,
      intervalSec: interval,
      counters: { keys: [], values: [] },
      gauges: { keys: [], values: [] },
      sets: { keys: [], values: [] },
      timers: { keys: [], stats: EMPTY_STATS, sketches: [] },
      timed: this.timed,
      events: this.events,
    };
    this.timed = [];
    this.events = [];

    if (this.lastFlushSec !== 0 && nowSec > this.lastFlushSec) {
      // The collector's own gauge bypasses the series cap, like its counters.
      let lag = this.gauges.get(this.lagKey);
      if (lag === undefined) {
        const stored = this.names.gauge('timestamp_lag');
        lag = { value: 0, ttl: 0, stored, slot: this.slots.take(stored) };
      }
      lag.value = nowSec - this.lastFlushSec - interval;
      lag.ttl = o.gaugesMaxTtl;
      this.gauges.set(this.lagKey, lag);
    }
    this.lastFlushSec = nowSec;
    // Numbers of series deleted below are given back after the batch has them.
    const released: number[] = [];
    const slots = {
      counters: new Int32Array(this.counters.size),
      gauges: new Int32Array(this.gauges.size + 1),
      sets: new Int32Array(this.sets.size),
      timers: new Int32Array(this.timers.size),
    };

    for (const [key, cell] of this.counters) {
      slots.counters[batch.counters.keys.length] = cell.slot;
      batch.counters.keys.push(cell.stored);
      batch.counters.values.push(cell.value);
      if (o.deleteCounters && !this.selfKeys.has(key)) {
        this.counters.delete(key);
        released.push(cell.slot);
      } else cell.value = 0;
    }
    const timerKeys: string[] = [];
    const timerIndexes = new Int32Array(this.timers.size);
    for (const cell of this.timers.values()) {
      timerIndexes[timerKeys.length] = cell.index;
      slots.timers[timerKeys.length] = cell.slot;
      timerKeys.push(cell.stored);
    }
    batch.timers = { keys: timerKeys, ...this.timerStore.flush(timerIndexes) };
    if (o.deleteTimers) {
      for (const cell of this.timers.values()) {
        this.timerStore.remove(cell.index);
        released.push(cell.slot);
      }
      this.timers.clear();
    }
    for (const [key, cell] of this.gauges) {
      if (o.deleteGauges && cell.ttl < 1 && key !== this.lagKey) {
        this.gauges.delete(key);
        released.push(cell.slot);
        continue;
      }
      slots.gauges[batch.gauges.keys.length] = cell.slot;
      batch.gauges.keys.push(cell.stored);
      batch.gauges.values.push(cell.value);
      cell.ttl--;
    }
    for (const [key, cell] of this.sets) {
      slots.sets[batch.sets.keys.length] = cell.slot;
      batch.sets.keys.push(cell.stored);
      batch.sets.values.push(cell.members.size);
      if (o.deleteSets) {
        this.sets.delete(key);
        released.push(cell.slot);
      } else cell.members.clear();
    }
    // etsy's numStats counts what was flushed, the collector's own series included but not itself.
    const numStats = batch.counters.keys.length + timerKeys.length + batch.gauges.keys.length + batch.sets.keys.length;
    slots.gauges[batch.gauges.keys.length] = this.numStats.slot;
    batch.gauges.keys.push(this.numStats.stored);
    batch.gauges.values.push(numStats);
    const numbered = Object.assign(batch, {
      slots: {
        named: this.slots.takeNamed(),
        ...slots,
        gauges:
          slots.gauges.length === batch.gauges.keys.length
            ? slots.gauges
            : slots.gauges.slice(0, batch.gauges.keys.length),
      },
    });
    for (const slot of released) this.slots.release(slot);
    return numbered;
  }

  /** The cap counts the series clients create; the collector's own are extra. */
  private admit(): boolean {
    const own = SELF_COUNTERS.length + (this.gauges.has(this.lagKey) ? 1 : 0);
    if (this.seriesCount - own < this.options.maxSeries) return true;
    this.self['statsd.series_dropped'].value++;
    return false;
  }

  private addTimed(point: TimedPoint): void {
    if (this.timed.length >= this.options.maxTimedPoints) {
      this.self['statsd.timed_points_dropped'].value++;
      return;
    }
    this.timed.push(point);
  }
}
