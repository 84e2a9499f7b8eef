import {
  canonicalTags,
  type LineSink,
  type ServiceCheck,
  type StatsdEvent,
  sanitizeName,
} from '../ingest/statsd-line.js';
import type { FlushBatch, TimedPoint } from './flush-batch.js';
import { DEFAULT_PREFIX_STATS, type SelfSeries, selfSeries } from './self-series.js';
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
 * a flush then hands out the same strings every interval instead of 100k new ones.
 */
interface CounterCell extends Cell {
  stored: string;
}
interface GaugeCell {
  value: number;
  ttl: number;
  stored: string;
}
interface TimerCell {
  /** The timer's summary in `timerStore`. */
  index: number;
  stored: string;
}
interface SetCell {
  members: Set<string>;
  stored: string;
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

  constructor(private readonly options: AggregatorOptions = DEFAULT_AGGREGATOR_OPTIONS) {
    this.names = selfSeries(options.prefixStats);
    this.lagKey = this.names.counterKey('timestamp_lag');
    const self = {} as Record<SelfCounter, Cell>;
    for (const id of SELF_COUNTERS) {
      const cell = { value: 0, stored: this.names.counter(selfName(id)) };
      self[id] = cell;
      const key = this.names.counterKey(selfName(id));
      this.counters.set(key, cell);
      this.selfKeys.add(key);
    }
    this.self = self;
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
      const named = storedKey('stats.counters.', key);
      cell = { value: 0, stored: named.stored };
      this.counters.set(named.key, cell);
    }
    cell.value += value / sampleRate;
  }

  timer(key: string, value: number, sampleRate: number): void {
    let cell = this.timers.get(key);
    if (cell === undefined) {
      if (!this.admit()) return;
      const named = storedKey('stats.timers.', key);
      cell = { index: this.timerStore.add(), stored: named.stored };
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
      const named = storedKey('stats.gauges.', key);
      cell = { value: 0, ttl: 0, stored: named.stored };
      this.gauges.set(named.key, cell);
    }
    cell.value = delta ? cell.value + value : value;
    cell.ttl = this.options.gaugesMaxTtl;
  }

  set(key: string, member: string): void {
    let cell = this.sets.get(key);
    if (cell === undefined) {
      if (!this.admit()) return;
      const named = storedKey('stats.sets.', key);
      cell = { members: new Set(), stored: named.stored };
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
  flush(nowSec: number): FlushBatch {
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
      const lag = this.gauges.get(this.lagKey) ?? { value: 0, ttl: 0, stored: this.names.gauge('timestamp_lag') };
      lag.value = nowSec - this.lastFlushSec - interval;
      lag.ttl = o.gaugesMaxTtl;
      this.gauges.set(this.lagKey, lag);
    }
    this.lastFlushSec = nowSec;

    for (const [key, cell] of this.counters) {
      batch.counters.keys.push(cell.stored);
      batch.counters.values.push(cell.value);
      if (o.deleteCounters && !this.selfKeys.has(key)) this.counters.delete(key);
      else cell.value = 0;
    }
    const timerKeys: string[] = [];
    const timerIndexes = new Int32Array(this.timers.size);
    for (const cell of this.timers.values()) {
      timerIndexes[timerKeys.length] = cell.index;
      timerKeys.push(cell.stored);
    }
    batch.timers = { keys: timerKeys, ...this.timerStore.flush(timerIndexes) };
    if (o.deleteTimers) {
      for (const cell of this.timers.values()) this.timerStore.remove(cell.index);
      this.timers.clear();
    }
    for (const [key, cell] of this.gauges) {
      if (o.deleteGauges && cell.ttl < 1 && key !== this.lagKey) {
        this.gauges.delete(key);
        continue;
      }
      batch.gauges.keys.push(cell.stored);
      batch.gauges.values.push(cell.value);
      cell.ttl--;
    }
    for (const [key, cell] of this.sets) {
      batch.sets.keys.push(cell.stored);
      batch.sets.values.push(cell.members.size);
      if (o.deleteSets) this.sets.delete(key);
      else cell.members.clear();
    }
    // etsy's numStats counts what was flushed, the collector's own series included but not itself.
    const numStats = batch.counters.keys.length + timerKeys.length + batch.gauges.keys.length + batch.sets.keys.length;
    batch.gauges.keys.push(this.names.stat('numStats'));
    batch.gauges.values.push(numStats);
    return batch;
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
