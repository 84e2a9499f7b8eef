import { type QuantileSketch, ZERO_BIN_KEY } from '../../collector/src/aggregate/sketch.js';

/** The version 1 encoding, written here from the bins: runs of adjacent keys, lowest first. */
export function ascendingEncoding(sketch: QuantileSketch): Uint8Array {
  const { keys, counts } = sketch.toBins();
  const out: number[] = [1];
  const uint = (v: number) => {
    let x = v;
    while (x >= 0x80) {
      out.push((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    out.push(x);
  };
  const zero = keys[0] === ZERO_BIN_KEY ? (counts[0] as number) : 0;
  const binKeys = zero > 0 ? keys.slice(1) : keys;
  const binCounts = zero > 0 ? counts.slice(1) : counts;
  uint(zero);
  const runs: Array<[number, number[]]> = [];
  binKeys.forEach((k, i) => {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1].length === k) last[1].push(binCounts[i] as number);
    else runs.push([k, [binCounts[i] as number]]);
  });
  uint(runs.length);
  let prevEnd = 0;
  runs.forEach(([start, cs], i) => {
    uint(i === 0 ? (start >= 0 ? start * 2 : -start * 2 - 1) : start - prevEnd);
    uint(cs.length);
    for (const c of cs) uint(c);
    prevEnd = start + cs.length;
  });
  return Uint8Array.from(out);
}
