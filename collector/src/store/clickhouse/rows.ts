import type { SeriesKind } from '../series-kind.js';
import type { RowBinaryWriter } from './row-binary.js';
import type { TimerColumns } from './timer-columns.js';

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

export function writeTimerRows(w: RowBinaryWriter, t: TimerColumns): void {
  for (let i = 0; i < t.count; i++) {
    w.u64(t.sid[i]);
    w.u32(t.ts[i]);
    w.f64(t.scount[i]);
    w.u64(t.n[i]);
    w.f64(t.sum[i]);
    w.f64(t.sumsq[i]);
    w.f64(t.m2[i]);
    w.f64(t.min[i]);
    w.f64(t.max[i]);
    const from = t.binStart[i];
    const to = t.binStart[i + 1];
    w.varint(to - from);
    for (let b = from; b < to; b++) w.i32(t.binKey[b]);
    w.varint(to - from);
    for (let b = from; b < to; b++) w.u64(t.binCount[b]);
  }
}
