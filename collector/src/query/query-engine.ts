import type { RetentionTier } from '../store/retention.js';
import type { StoredEvent } from '../store/sqlite-reader.js';
import type { BulkLoader } from '../store/storage.js';
import { evaluatePath } from './evaluate-path.js';
import { Evaluator } from './evaluator.js';
import { fetchLeaf, type SeriesSource, type TimeRange } from './fetch-series.js';
import type { FunctionRegistry } from './functions/registry.js';
import type { NameIndex } from './name-index.js';
import { evaluatePrefetched } from './prefetch.js';
import { QueryError } from './query-error.js';
import type { TimeSeries } from './series.js';
import { seriesByTagExpression, type TagIndex } from './tag-index.js';

export interface EventSource {
  listEvents(from: number, until: number): StoredEvent[];
  getEvent(id: number): StoredEvent | undefined;
}

/**
 * How an event's tags must meet the tags asked for, as graphite-web's /events/get_data `set=`:
 * `union` = any of them, `intersection` (and no `set`) = all of them.
 */
export type EventTagSet = 'union' | 'intersection';

export interface QueryEngineDeps {
  index: NameIndex;
  tags: TagIndex;
  /** Synchronous reads (SQLite); null when the store reads through `bulk`. */
  source: SeriesSource | null;
  /** Asynchronous bulk reads (ClickHouse): render evaluates in passes around them (prefetch.ts). */
  bulk?: BulkLoader | null;
  events: EventSource;
  tiers: readonly RetentionTier[];
  registry: FunctionRegistry;
  /** Series one path expression may read before the query is refused with a 4xx. */
  maxSeries: number;
}

/**
 * Whether an event carries the wanted tags; no wanted tags matches every event. Tags compare exactly.
 *
 * graphite-web's default (django-tagging `with_all`) silently ignores a wanted tag that no event has ever
 * carried, so `tags=deploy typo` returns every deploy; here every wanted tag must be present.
 */
export function eventHasTags(
  eventTags: readonly string[],
  wanted: readonly string[],
  set: EventTagSet = 'intersection',
): boolean {
  if (wanted.length === 0) return true;
  return set === 'union' ? wanted.some((t) => eventTags.includes(t)) : wanted.every((t) => eventTags.includes(t));
}

/** Wires the pure evaluator to the store: paths read through the name index, events from the events table. */
export class QueryEngine {
  readonly evaluator: Evaluator;
  /** Where the current (synchronous) evaluation reads; swapped per pass when reading through `bulk`. */
  private source: SeriesSource | null;

  constructor(readonly deps: QueryEngineDeps) {
    this.source = deps.source;
    this.evaluator = new Evaluator(deps.registry, {
      fetch: (path, range) => evaluatePath(path, { ...deps, source: this.currentSource(), range }),
      seriesByTag: (expressions, range) => this.seriesByTag(expressions, range),
      // graphite's events(): `events("*")` is every event, otherwise each event must carry all the tags.
      eventTimes: (tags, range) =>
        this.events(range.from, range.until, tags.length === 1 && tags[0] === '*' ? [] : tags).map((e) => e.ts),
    });
  }

  /** Evaluates the targets, reading the store directly or in passes around bulk loads. */
  async render(targets: readonly string[], range: TimeRange): Promise<TimeSeries[]> {
    const { bulk, source } = this.deps;
    if (!bulk) {
      const evaluate = () => this.evaluator.evaluateTargets(targets, range);
      return source?.snapshot ? source.snapshot(evaluate) : evaluate();
    }
    return evaluatePrefetched(bulk, (source) => {
      // Each pass is synchronous, so no other render can run while the source is swapped.
      this.source = source;
      try {
        return this.evaluator.evaluateTargets(targets, range);
      } finally {
        this.source = null;
      }
    });
  }

  private currentSource(): SeriesSource {
    if (!this.source) throw new Error('no series source outside render');
    return this.source;
  }

  /** Events with from <= ts <= until carrying the tags (see eventHasTags), ordered by time. */
  events(from: number, until: number, tags: readonly string[], set: EventTagSet = 'intersection'): StoredEvent[] {
    return this.deps.events.listEvents(from, until).filter((e) => eventHasTags(e.tags, tags, set));
  }

  event(id: number): StoredEvent | undefined {
    return this.deps.events.getEvent(id);
  }

  /** The leaves seriesByTag's expressions match, read over the range like any path. */
  private seriesByTag(expressions: readonly string[], range: TimeRange): TimeSeries[] {
    const { tags, tiers, maxSeries } = this.deps;
    const source = this.currentSource();
    const pathExpression = seriesByTagExpression(expressions);
    const leaves = tags.find(expressions);
    if (leaves.length > maxSeries) {
      throw new QueryError(`${pathExpression} matches ${leaves.length} series, more than the limit of ${maxSeries}`);
    }
    return leaves.map((leaf) => {
      const series = fetchLeaf(source, leaf, range, tiers);
      series.pathExpression = pathExpression;
      return series;
    });
  }
}
