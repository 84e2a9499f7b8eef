import { QuantileSketch } from '../../collector/src/aggregate/sketch.js';

/** An encoded sketch's bins in toBins' shape (zero bin first, then ascending keys), read through readBins. */
export function binsOfEncoded(bytes: Uint8Array): { keys: number[]; counts: number[] } {
  const bins: Array<[number, number]> = [];
  QuantileSketch.readBins(bytes, { bin: (key, count) => bins.push([key, count]) });
  // ZERO_BIN_KEY is below every real key, so an ascending sort keeps the zero bin first.
  bins.sort((a, b) => a[0] - b[0]);
  return { keys: bins.map(([k]) => k), counts: bins.map(([, c]) => c) };
}
