import type { SeriesKind } from '../series-kind.js';
import type { TimerRow } from './rollup-buckets.js';
import type { RowBinaryWriter } from './row-binary.js';

/**
 * The RowBinary layout of the finest tier's rows (`points_<step>`, `timers_<step>`), which the coarse
 * tiers' inputs (`…_in`) share: a flush and a rollup write rows the same way.
 */

export function writePointRow(
  w: RowBinaryWriter,
  sid: number,
  ts: number,
  kind: SeriesKind,
  at: number,
  value: number,
): void {
  w.u64(sid);
  w.u32(ts);
  w.u8(kind);
  w.u64(at);
  w.f64(value);
}

export function writeTimerRow(w: RowBinaryWriter, t: TimerRow): void {
  w.u64(t.sid);
  w.u32(t.ts);
  w.f64(t.scount);
  w.u64(t.n);
  w.f64(t.sum);
  w.f64(t.sumsq);
  w.f64(t.m2);
  w.f64(t.min);
  w.f64(t.max);
  w.arrayI32(t.binKeys);
  w.arrayU64(t.binCounts);
}
