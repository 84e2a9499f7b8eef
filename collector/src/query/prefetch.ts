import { computeTimerStat } from '../aggregate/timer-stats.js';
import { summaryView } from '../store/chunk-codec.js';
import type { SummaryRow } from '../store/sqlite-reader.js';
import type { BulkLoader, PointArrays } from '../store/storage.js';
import type { SeriesSource } from './fetch-series.js';
import { QueryError } from './query-error.js';

/**
 * Lets the synchronous evaluator read from an asynchronous store. A pass runs the whole evaluation
 * against what is loaded so far, noting every read it could not answer (and answering it with no data);
 * the missing reads are then loaded in one bulk request per tier and kind, and the evaluation runs again.
 * Most targets need exactly two passes; functions that pick what to read from data (rare) need more.
 */

const MAX_PASSES = 4;

interface Want {
  ids: Set<number>;
  from: number;
  until: number;
}

interface Loaded<T> {
  from: number;
  until: number;
  data: T | undefined;
}

export class PrefetchCache {
  private readonly values = new Map<string, Loaded<PointArrays>>();
  private readonly summaries = new Map<string, Loaded<SummaryRow[]>>();
  private wantValues = new Map<number, Want>();
  private wantSummaries = new Map<number, Want>();

  /** A source answering from the cache and noting what it lacks. */
  readonly source: SeriesSource = {
    readInto: (id, step, start, out) => {
      const got = this.points(id, step, start, start + (out.length - 1) * step);
      if (!got) return;
      const end = start + out.length * step;
      for (let i = 0; i < got.ts.length; i++) {
        const ts = got.ts[i];
        if (ts >= start && ts < end) out[(ts - start) / step] = got.values[i];
      }
    },
    readValues: (id, step, from, until) => {
      const got = this.points(id, step, from, until);
      const out: Array<[number, number]> = [];
      if (!got) return out;
      for (let i = 0; i < got.ts.length; i++) {
        const ts = got.ts[i];
        if (ts >= from && ts <= until) out.push([ts, got.values[i]]);
      }
      return out.sort((a, b) => a[0] - b[0]);
    },
    readSummaries: (id, step, from, until) => {
      const hit = this.summaries.get(key(id, step));
      if (!hit || from < hit.from || until > hit.until) {
        note(this.wantSummaries, id, step, from, until, hit);
        return [];
      }
      return (hit.data ?? []).filter((row) => row[0] >= from && row[0] <= until);
    },
    readTimerStatInto: (id, step, start, out, stat) => {
      for (const row of this.source.readSummaries(id, step, start, start + (out.length - 1) * step)) {
        out[(row[0] - start) / step] = computeTimerStat(stat, summaryView(row), step);
      }
    },
  };

  get missing(): boolean {
    return this.wantValues.size > 0 || this.wantSummaries.size > 0;
  }

  /** Loads everything noted as missing: one bulk call per (tier, values|summaries). */
  async load(loader: BulkLoader): Promise<void> {
    const values = this.wantValues;
    const summaries = this.wantSummaries;
    this.wantValues = new Map();
    this.wantSummaries = new Map();
    await Promise.all([
      ...[...values].map(async ([step, want]) => {
        const got = await loader.loadValues(step, [...want.ids], want.from, want.until);
        for (const id of want.ids) store(this.values, key(id, step), want, got.get(id));
      }),
      ...[...summaries].map(async ([step, want]) => {
        const got = await loader.loadSummaries(step, [...want.ids], want.from, want.until);
        for (const id of want.ids) store(this.summaries, key(id, step), want, got.get(id));
      }),
    ]);
  }

  private points(id: number, step: number, from: number, until: number): PointArrays | undefined {
    const hit = this.values.get(key(id, step));
    if (!hit || from < hit.from || until > hit.until) {
      note(this.wantValues, id, step, from, until, hit);
      return undefined;
    }
    return hit.data;
  }
}

/** Runs `evaluate` (synchronous, pure apart from its reads) until every read it makes was loaded. */
export async function evaluatePrefetched<T>(loader: BulkLoader, evaluate: (source: SeriesSource) => T): Promise<T> {
  const cache = new PrefetchCache();
  for (let pass = 1; ; pass++) {
    let result: T | undefined;
    let error: unknown = null;
    try {
      result = evaluate(cache.source);
    } catch (err) {
      // A pass without data may fail where the real data would not; only the last pass's outcome counts.
      error = err;
    }
    if (!cache.missing) {
      if (error !== null) throw error;
      return result as T;
    }
    if (pass === MAX_PASSES) throw new QueryError(`the query kept asking for new data after ${MAX_PASSES} passes`);
    await cache.load(loader);
  }
}

function key(id: number, step: number): string {
  return `${id}:${step}`;
}

/**
 * Widens the tier's wanted range: one query per tier covers every series asked for in it. A series loaded
 * before over another range is asked for over both, so the new load replaces the old one without a gap.
 */
function note(
  wants: Map<number, Want>,
  id: number,
  step: number,
  wantFrom: number,
  wantUntil: number,
  loaded: { from: number; until: number } | undefined,
): void {
  const from = loaded ? Math.min(wantFrom, loaded.from) : wantFrom;
  const until = loaded ? Math.max(wantUntil, loaded.until) : wantUntil;
  const want = wants.get(step);
  if (!want) {
    wants.set(step, { ids: new Set([id]), from, until });
    return;
  }
  want.ids.add(id);
  want.from = Math.min(want.from, from);
  want.until = Math.max(want.until, until);
}

function store<T>(cache: Map<string, Loaded<T>>, k: string, want: Want, data: T | undefined): void {
  cache.set(k, { from: want.from, until: want.until, data });
}
