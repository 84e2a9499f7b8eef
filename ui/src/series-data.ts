import type uPlot from 'uplot';
import type { GraphiteSeries } from './api.js';
import { guessUnit, type Unit } from './units.js';

/**
 * Graphite's render JSON turned into uPlot's columnar data: one shared x array (seconds) and one y array per
 * series, with gaps as null. Series of one render call normally share their timestamps, so the common case
 * copies columns; only differing steps pay for a join.
 */

export interface SeriesInfo {
  name: string;
  unit: Unit;
  last: number | null;
  min: number | null;
  max: number | null;
  avg: number | null;
}

export interface ChartData {
  data: uPlot.AlignedData;
  series: SeriesInfo[];
  /** Points across all series, for the status line and the benchmark. */
  points: number;
}

function sameTimestamps(a: GraphiteSeries, b: GraphiteSeries): boolean {
  const pa = a.datapoints;
  const pb = b.datapoints;
  if (pa.length !== pb.length) return false;
  return pa.length === 0 || (pa[0][1] === pb[0][1] && pa[pa.length - 1][1] === pb[pb.length - 1][1]);
}

/** Last, min, max and average of the non-null values: the legend's columns. */
export function summarize(values: ArrayLike<number | null>): Omit<SeriesInfo, 'name' | 'unit'> {
  let last: number | null = null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) continue;
    last = v;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  return n === 0 ? { last, min: null, max: null, avg: null } : { last, min, max, avg: sum / n };
}

export function toChartData(list: readonly GraphiteSeries[]): ChartData {
  let xs: number[];
  const ys: Array<Array<number | null>> = [];
  if (list.every((s) => sameTimestamps(s, list[0]))) {
    xs = list.length ? list[0].datapoints.map((p) => p[1]) : [];
    for (const s of list) ys.push(s.datapoints.map((p) => p[0]));
  } else {
    const all = new Set<number>();
    for (const s of list) for (const p of s.datapoints) all.add(p[1]);
    xs = [...all].sort((a, b) => a - b);
    const at = new Map(xs.map((t, i) => [t, i]));
    for (const s of list) {
      const col: Array<number | null> = new Array(xs.length).fill(null);
      for (const [v, t] of s.datapoints) col[at.get(t) as number] = v;
      ys.push(col);
    }
  }
  const series = list.map((s, i) => ({ name: s.target, unit: guessUnit(s.target), ...summarize(ys[i]) }));
  return { data: [xs, ...ys] as uPlot.AlignedData, series, points: xs.length * list.length };
}
