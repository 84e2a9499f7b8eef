import { types } from 'node:util';
import { MetricsError } from './errors.js';
import {
  encodeSetMember,
  eventTags,
  forEachTag,
  joinPath,
  mergeTagSuffix,
  roundMs,
  sanitizePath,
  type Tags,
  tagMap,
  tagSuffix,
} from './format.js';
import type { EventBody, MetricKind, Sink } from './sink.js';

/** Ends a timer started by startTimer: records the elapsed time (with any extra tags) once and returns it in ms. */
export type StopTimer = (tags?: Tags) => number;

export interface DeployMark {
  /** The marker's text, e.g. `api v1.4.2`. */
  what: string;
  /** Added to `deploy` and the client's tags. */
  tags?: Tags;
  data?: string;
  /** Epoch seconds or a Date; default now. */
  when?: number | Date;
}

export interface ChildOptions {
  /** Appended to the parent's prefix (`api` + `db` → `api.db`). */
  prefix?: string;
  /** Merged over the parent's tags. */
  tags?: Tags;
}

/** A metrics client: the root from createMetrics/createMemoryMetrics, or a child of one. */
export interface Metrics {
  /** Counter +1, or + value. `increment('jobs', { queue: 'mail' })` works too. */
  increment(name: string, tags?: Tags): void;
  increment(name: string, value: number, tags?: Tags, sampleRate?: number): void;
  /** Counter -1, or - value. */
  decrement(name: string, tags?: Tags): void;
  decrement(name: string, value: number, tags?: Tags, sampleRate?: number): void;
  /** Sets a gauge (a negative value is sent so that StatsD doesn't read it as a delta). */
  gauge(name: string, value: number, tags?: Tags): void;
  /** Moves a gauge by `delta` (`+3`, `-2`). */
  gaugeDelta(name: string, delta: number, tags?: Tags): void;
  /** A duration in milliseconds (`ms`). */
  timing(name: string, ms: number, tags?: Tags, sampleRate?: number): void;
  /** A non-negative value summarised like a timer (`h`). */
  histogram(name: string, value: number, tags?: Tags, sampleRate?: number): void;
  /** A non-negative value summarised like a timer (`d`). */
  distribution(name: string, value: number, tags?: Tags, sampleRate?: number): void;
  /** Counts distinct members per interval. */
  set(name: string, member: string | number, tags?: Tags): void;
  /** Starts a timer; call the returned function to record it. */
  startTimer(name: string, tags?: Tags): StopTimer;
  /**
   * Runs `fn` and records how long it took, with `outcome:ok` or `outcome:error`. A returned promise is timed
   * until it settles and returned as it is; a throw or rejection reaches the caller unchanged.
   */
  time<T>(name: string, fn: () => T, tags?: Tags): T;
  /** A client with a longer prefix and more tags, sharing this one's socket and buffer. */
  child(options: ChildOptions): Metrics;
  /** Marks a deploy (POST /events, tagged `deploy` plus this client's tags). Resolves false on failure; never rejects. */
  deploy(mark: DeployMark): Promise<boolean>;
  /** Sends what is buffered and resolves once it has been sent. */
  flush(): Promise<void>;
  /**
   * On the root: stops timers, sends everything buffered (and pending deploy marks), closes the socket, and
   * resolves once done. On a child: the same as flush().
   */
  close(): Promise<void>;
  /** Metrics lost so far: invalid calls, failed sends, calls after close (shared by a root and its children). */
  readonly dropped: number;
  /** This client's sanitised prefix ('' for none). */
  readonly prefix: string;
}

const NAME_CACHE_MAX = 10_000;
const OUTCOME_OK: Tags = { outcome: 'ok' };
const OUTCOME_ERROR: Tags = { outcome: 'error' };

/** The one Metrics implementation; createMetrics and createMemoryMetrics differ only in their Sink. */
export class Scope implements Metrics {
  readonly prefix: string;
  private readonly tagMap: Map<string, string>;
  private readonly suffix: string;
  private readonly names = new Map<string, string>();
  private readonly onClose: Array<() => void> = [];
  private outcomes: [string, string] | undefined;

  constructor(
    private readonly sink: Sink,
    prefix: string,
    tags: Map<string, string>,
    private readonly defaultRate: number,
    private readonly isRoot: boolean,
  ) {
    this.prefix = prefix;
    this.tagMap = tags;
    this.suffix = tagSuffix(tags);
  }

  get dropped(): number {
    return this.sink.dropped;
  }

  increment(name: string, value?: number | Tags, tags?: Tags, sampleRate?: number): void {
    if (typeof value === 'object' && value !== null) this.emit('counter', name, 1, value, sampleRate, undefined);
    else this.emit('counter', name, value === undefined ? 1 : value, tags, sampleRate, undefined);
  }

  decrement(name: string, value?: number | Tags, tags?: Tags, sampleRate?: number): void {
    if (typeof value === 'object' && value !== null) this.emit('counter', name, -1, value, sampleRate, undefined);
    else this.emit('counter', name, value === undefined ? -1 : -value, tags, sampleRate, undefined);
  }

  gauge(name: string, value: number, tags?: Tags): void {
    this.emit('gauge', name, value, tags, undefined, undefined);
  }

  gaugeDelta(name: string, delta: number, tags?: Tags): void {
    this.emit('gaugeDelta', name, delta, tags, undefined, undefined);
  }

  timing(name: string, ms: number, tags?: Tags, sampleRate?: number): void {
    this.emit('timing', name, ms, tags, sampleRate, undefined);
  }

  histogram(name: string, value: number, tags?: Tags, sampleRate?: number): void {
    this.emit('histogram', name, value, tags, sampleRate, undefined);
  }

  distribution(name: string, value: number, tags?: Tags, sampleRate?: number): void {
    this.emit('distribution', name, value, tags, sampleRate, undefined);
  }

  set(name: string, member: string | number, tags?: Tags): void {
    try {
      const path = this.path(name);
      if (path === '') {
        this.invalidName(name);
        return;
      }
      const text = typeof member === 'string' ? member : typeof member === 'number' ? String(member) : '';
      const encoded = encodeSetMember(text);
      if (encoded === '') {
        this.reject('TRENDLINE_INVALID_VALUE', `set ${path}: member ${show(member)} is empty or not a string`);
        return;
      }
      this.sink.record('set', path, encoded, 1, tags === undefined ? this.suffix : this.tags(tags, undefined));
    } catch (error) {
      this.internal(error);
    }
  }

  startTimer(name: string, tags?: Tags): StopTimer {
    const start = performance.now();
    let elapsed = -1;
    return (extra?: Tags) => {
      if (elapsed < 0) {
        elapsed = roundMs(performance.now() - start);
        this.emit('timing', name, elapsed, tags, undefined, extra);
      }
      return elapsed;
    };
  }

  time<T>(name: string, fn: () => T, tags?: Tags): T {
    if (typeof fn !== 'function') {
      this.reject('TRENDLINE_INVALID_VALUE', `time ${String(name)}: expected a function, got ${show(fn)}`);
      return undefined as T;
    }
    const start = performance.now();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.emit('timing', name, roundMs(performance.now() - start), tags, undefined, OUTCOME_ERROR);
      throw error;
    }
    if (types.isPromise(result)) {
      // The caller gets the very same promise; this branch only observes it (and handles its rejection,
      // so it never becomes an extra unhandled one).
      result.then(
        () => this.emit('timing', name, roundMs(performance.now() - start), tags, undefined, OUTCOME_OK),
        () => this.emit('timing', name, roundMs(performance.now() - start), tags, undefined, OUTCOME_ERROR),
      );
      return result;
    }
    this.emit('timing', name, roundMs(performance.now() - start), tags, undefined, OUTCOME_OK);
    return result;
  }

  child(options: ChildOptions): Metrics {
    const prefix =
      typeof options?.prefix === 'string' ? joinPath(this.prefix, sanitizePath(options.prefix)) : this.prefix;
    const tags = new Map(this.tagMap);
    try {
      if (options?.tags !== undefined) forEachTag(options.tags, (k, v) => tags.set(k, v));
    } catch (error) {
      this.internal(error);
    }
    return new Scope(this.sink, prefix, tags, this.defaultRate, false);
  }

  deploy(mark: DeployMark): Promise<boolean> {
    return this.sendDeploy(mark, [], false);
  }

  /** deploy() for deployOnStart: tagged with the version, and skipped when that version is already marked. */
  sendDeploy(mark: DeployMark, extra: readonly string[], onlyIfNew: boolean): Promise<boolean> {
    try {
      const what = typeof mark?.what === 'string' ? mark.what.trim() : '';
      const when = mark?.when instanceof Date ? mark.when.getTime() / 1000 : (mark?.when ?? Date.now() / 1000);
      if (what === '' || typeof when !== 'number' || !Number.isFinite(when) || when <= 0) {
        this.sink.fail(
          new MetricsError(
            'TRENDLINE_DEPLOY_FAILED',
            `deploy mark needs a non-empty "what" and a valid "when": ${show(mark)}`,
            0,
          ),
        );
        return Promise.resolve(false);
      }
      const own = [...this.tagMap].map(([k, v]) => `${k}:${v}`);
      const event: EventBody = {
        what,
        tags: eventTags(['deploy'], own, extra, mark.tags),
        data: typeof mark.data === 'string' ? mark.data : '',
        when: Math.floor(when),
      };
      return this.sink.deploy(event, onlyIfNew);
    } catch (error) {
      this.internal(error);
      return Promise.resolve(false);
    }
  }

  flush(): Promise<void> {
    return this.sink.flush().catch(() => undefined);
  }

  close(): Promise<void> {
    if (!this.isRoot) return this.flush();
    for (const stop of this.onClose.splice(0)) {
      try {
        stop();
      } catch (error) {
        this.internal(error);
      }
    }
    return this.sink.close().catch(() => undefined);
  }

  /** Runs `stop` when the root closes (process metrics). */
  addCloseHook(stop: () => void): void {
    this.onClose.push(stop);
  }

  /** The service tag, if the client has one (for deployOnStart's default text). */
  tag(key: string): string | undefined {
    return this.tagMap.get(key);
  }

  private emit(
    kind: MetricKind,
    name: string,
    value: number,
    tags: Tags | undefined,
    rate: number | undefined,
    extra: Tags | undefined,
  ): void {
    try {
      const path = this.path(name);
      if (path === '') {
        this.invalidName(name);
        return;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        this.reject('TRENDLINE_INVALID_VALUE', `${kind} ${path}: value ${show(value)} is not a finite number`);
        return;
      }
      if (value === 0) value = 0; // -0 prints as 0 anyway; keep records and the wire the same
      let r = 1;
      if (kind === 'counter' || kind === 'timing' || kind === 'histogram' || kind === 'distribution') {
        if (kind !== 'counter' && value < 0) {
          this.reject('TRENDLINE_INVALID_VALUE', `${kind} ${path}: value ${value} is negative`);
          return;
        }
        r = rate === undefined ? this.defaultRate : rate;
        if (!(r > 0 && r <= 1)) {
          this.reject('TRENDLINE_INVALID_SAMPLE_RATE', `${kind} ${path}: sample rate ${show(rate)} is not in (0, 1]`);
          return;
        }
        if (r < 1 && !this.sink.sample(r)) return;
      }
      this.sink.record(
        kind,
        path,
        value,
        r,
        tags === undefined && extra === undefined ? this.suffix : this.tags(tags, extra),
      );
    } catch (error) {
      this.internal(error);
    }
  }

  /** The full sanitised path for a name, cached; '' when nothing valid is left. */
  private path(name: unknown): string {
    if (typeof name !== 'string') return '';
    let path = this.names.get(name);
    if (path !== undefined) return path;
    const own = sanitizePath(name);
    path = own === '' ? '' : joinPath(this.prefix, own);
    // Bounded, for apps that put ids in names: past the cap, names are sanitised on every call.
    if (this.names.size < NAME_CACHE_MAX) this.names.set(name, path);
    return path;
  }

  private tags(tags: Tags | undefined, extra: Tags | undefined): string {
    if (extra === undefined) return mergeTagSuffix(this.tagMap, this.suffix, tags as Tags);
    if (tags === undefined && (extra === OUTCOME_OK || extra === OUTCOME_ERROR)) {
      // time() without tags: two fixed suffixes, built once.
      this.outcomes ??= [
        mergeTagSuffix(this.tagMap, this.suffix, OUTCOME_OK),
        mergeTagSuffix(this.tagMap, this.suffix, OUTCOME_ERROR),
      ];
      return this.outcomes[extra === OUTCOME_OK ? 0 : 1];
    }
    const map = new Map(this.tagMap);
    for (const [k, v] of tagMap(tags, extra)) map.set(k, v);
    return tagSuffix(map);
  }

  private invalidName(name: unknown): void {
    this.reject('TRENDLINE_INVALID_NAME', `metric name ${show(name)} is empty once sanitised to [A-Za-z0-9_.-]`);
  }

  private reject(
    code: 'TRENDLINE_INVALID_NAME' | 'TRENDLINE_INVALID_VALUE' | 'TRENDLINE_INVALID_SAMPLE_RATE',
    message: string,
  ): void {
    this.sink.fail(new MetricsError(code, `${message}; dropped`, 1));
  }

  private internal(error: unknown): void {
    try {
      this.sink.fail(
        new MetricsError('TRENDLINE_INTERNAL', `unexpected error: ${(error as Error)?.message ?? error}`, 1, error),
      );
    } catch {
      // Nothing left to tell.
    }
  }
}

/** A short, safe rendering of a bad argument for an error message. */
function show(value: unknown): string {
  try {
    const text =
      typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A root scope's sanitised prefix and tags. */
export function rootScope(sink: Sink, prefix: string, tags: Tags | undefined, sampleRate: number): Scope {
  return new Scope(sink, sanitizePath(prefix), tagMap(tags), sampleRate, true);
}
