import { type Thresholds, thresholdState } from './range.js';
import { type Reducer, reduce } from './reduce.js';
import { mildest, OK, type State, UNKNOWN, worst } from './state.js';

/**
 * A check's state from the series a target returned: per series, drop the unfinished interval if asked,
 * apply the missing-data policy, reduce the points to one value and judge it against the thresholds;
 * then combine the series' states.
 */

/** The part of a query result a check reads (the query engine's TimeSeries fits). */
export interface CheckSeries {
  readonly name: string;
  readonly start: number;
  readonly step: number;
  /** values[i] belongs to start + i*step; NaN is null. */
  readonly values: ArrayLike<number>;
}

/**
 * How several series make one state:
 * - `worst`: the most severe series state (CRITICAL > WARNING > UNKNOWN > OK);
 * - `any`: alert when any series alerts, and series without data do not count while others have some
 *   (CRITICAL > WARNING > OK > UNKNOWN, monitoring-plugins' max_state);
 * - `all`: alert only when every series alerts: the least severe series state.
 */
export type Combine = 'worst' | 'any' | 'all';

export interface CheckPolicy {
  readonly thresholds: Thresholds;
  readonly reducer: Reducer;
  /** Leave out trailing points whose interval has not ended at `now` (incomplete buckets). */
  readonly skipPartial: boolean;
  /** The state of a series (or of the whole check, when nothing matched) that has too little or stale data. */
  readonly onMissing: State;
  /**
   * Fewer non-null points than this is missing data. Default: 1, or 0 for the reducers that count points
   * (count, nullcnt, nullpct), which judge emptiness themselves.
   */
  readonly minPoints?: number;
  /** Seconds: a newest non-null point older than this (now − its timestamp) is missing data. */
  readonly maxAgeSec?: number;
  readonly combine: Combine;
}

export type MissingKind = 'no-series' | 'no-data' | 'too-few-points' | 'stale';

export interface SeriesVerdict {
  readonly label: string;
  readonly state: State;
  /** The reduced value; undefined when the series is missing data. */
  readonly value?: number;
  /** Non-null points considered (after skip-partial). */
  readonly points: number;
  /** Null points considered. */
  readonly nulls: number;
  /** Points dropped as the unfinished interval. */
  readonly skipped: number;
  /** Timestamp of the newest non-null point considered. */
  readonly newest?: number;
  /** now − newest. */
  readonly ageSec?: number;
  /** Why the series counts as missing data; undefined when it was judged by the thresholds. */
  readonly missing?: MissingKind;
  /** One-line human reason for a missing series (`no data`, `stale: newest point 612 s old (max 300 s)`). */
  readonly reason?: string;
}

export interface CheckVerdict {
  readonly state: State;
  readonly series: readonly SeriesVerdict[];
  /** Index of the series whose state is the check's (the first such), or -1 when no series matched. */
  readonly decisive: number;
}

export function defaultMinPoints(reducer: Reducer): number {
  return reducer.countsPoints ? 0 : 1;
}

export function evaluateSeries(series: CheckSeries, policy: CheckPolicy, now: number): SeriesVerdict {
  const { start, step } = series;
  let length = series.values.length;
  let skipped = 0;
  if (policy.skipPartial) {
    // A bucket [t, t+step) is finished once now has reached its end.
    while (length > 0 && start + length * step > now) {
      length--;
      skipped++;
    }
  }
  const values = Array.prototype.slice.call(series.values, 0, length) as number[];
  let points = 0;
  let newestIndex = -1;
  for (let i = 0; i < length; i++) {
    if (!Number.isNaN(values[i])) {
      points++;
      newestIndex = i;
    }
  }
  const nulls = length - points;
  const newest = newestIndex < 0 ? undefined : start + newestIndex * step;
  const ageSec = newest === undefined ? undefined : now - newest;
  const base = { label: series.name, points, nulls, skipped, newest, ageSec };
  const missing = (kind: MissingKind, reason: string): SeriesVerdict => ({
    ...base,
    state: policy.onMissing,
    missing: kind,
    reason,
  });

  const minPoints = policy.minPoints ?? defaultMinPoints(policy.reducer);
  if (points < minPoints) {
    return points === 0
      ? missing('no-data', 'no data')
      : missing('too-few-points', `${points} ${points === 1 ? 'point' : 'points'}, fewer than ${minPoints}`);
  }
  if (policy.maxAgeSec !== undefined) {
    if (ageSec === undefined) return missing('no-data', 'no data');
    if (ageSec > policy.maxAgeSec) {
      return missing('stale', `stale: newest point ${ageSec} s old (max ${policy.maxAgeSec} s)`);
    }
  }
  const value = reduce(policy.reducer, values);
  if (value === undefined) return missing('no-data', 'no data');
  return { ...base, state: thresholdState(value, policy.thresholds), value };
}

/** The states of several series as one, by the policy's combine rule. */
export function combineStates(states: readonly State[], combine: Combine): State {
  if (states.length === 0) return OK;
  switch (combine) {
    case 'worst':
      return worst(states);
    case 'all':
      return mildest(states);
    case 'any': {
      const judged = states.filter((s) => s !== UNKNOWN);
      return judged.length === 0 ? UNKNOWN : worst(judged);
    }
  }
}

export function evaluateCheck(series: readonly CheckSeries[], policy: CheckPolicy, now: number): CheckVerdict {
  if (series.length === 0) return { state: policy.onMissing, series: [], decisive: -1 };
  const verdicts = series.map((s) => evaluateSeries(s, policy, now));
  const state = combineStates(
    verdicts.map((v) => v.state),
    policy.combine,
  );
  // Every rule picks one of the series' states, so some series has it.
  const decisive = Math.max(
    0,
    verdicts.findIndex((v) => v.state === state),
  );
  return { state, series: verdicts, decisive };
}
