import { encodedHeadLength } from '../../collector/src/aggregate/sketch.js';
import type { StoredSummary, TimerChunk } from '../../collector/src/store/chunk-codec.js';

/**
 * Timer chunks as sealed before the moments moved to a column of their own: sum, sumsq and m2 sit in
 * `data` between the count and min. `split` keeps each sketch's top tenth in `data` and the rest in
 * `sketches` (as from the sketch tails on); without it the whole sketch is in `data` (as before them).
 */
export function inlineMomentsChunk(entries: ReadonlyArray<[number, StoredSummary]>, split: boolean): TimerChunk {
  const data: number[] = [];
  const tails: number[] = [];
  const f64 = new DataView(new ArrayBuffer(8));
  const u16 = (v: number) => data.push(v & 0xff, v >> 8);
  const varint = (v: number) => {
    let x = v;
    while (x >= 0x80) {
      data.push((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    data.push(x);
  };
  const float = (v: number | null) => {
    f64.setFloat64(0, v ?? Number.NaN, true);
    for (let i = 0; i < 8; i++) data.push(f64.getUint8(i));
  };
  u16(entries.length);
  for (const [index, [count, n, sum, sumsq, m2, min, max, sketch]] of entries) {
    u16(index);
    const bytes = sketch ?? new Uint8Array(0);
    const head =
      split && n > 0 && bytes.byteLength > 0 ? encodedHeadLength(bytes, Math.ceil(n / 10) + 1) : bytes.length;
    data.push((count === n ? 1 : 0) | (n === 0 ? 2 : 0) | (head < bytes.byteLength ? 4 : 0));
    varint(n);
    if (count !== n) float(count);
    if (n === 0) continue;
    for (const v of [sum, sumsq, m2, min, max]) float(v);
    varint(head);
    data.push(...bytes.subarray(0, head));
    if (head < bytes.byteLength) {
      varint(bytes.byteLength - head);
      tails.push(...bytes.subarray(head));
    }
  }
  return { data: Uint8Array.from(data), sketches: tails.length > 0 ? Uint8Array.from(tails) : null, moments: null };
}
