import { type ByteRange, EncodedSketch, encodedHeadLength } from '../aggregate/sketch.js';
import {
  computeTimerStat,
  type SummaryView,
  statNeedsMoments,
  statNeedsSketch,
  type TimerStat,
} from '../aggregate/timer-stats.js';
import type { SummaryRow } from './sqlite-reader.js';

/**
 * Sealed storage: once a stretch of CHUNK_POINTS steps is over, a series' points in it are packed into one
 * row, so a day of 10 s points reads as 24 rows instead of 8,640. Writes keep going to one row per point
 * (the "hot" rows) until their chunk is sealed; readers combine both.
 *
 * A value chunk is [u16 first index][u16 count] then `count` float64 values (NaN = no point), trimmed to the
 * stretch that has points. A timer chunk is three blobs. `data` is [u16 entries] then per entry [u16 index]
 * [u8 flags][varint n][float64 count, unless it equals n][float64 min, max][varint sketch length][sketch],
 * the floats and sketch left out for an idle interval (n = 0). Each busy interval's sum, sum of squares and
 * m2 (three float64) follow one another in `moments` (MOMENTS_APART), read only by the stats that need them.
 * When the sketch is split (SPLIT), `data` holds only its head, the bytes of its top tenth of samples,
 * followed by [varint tail length]; the tails follow one another in `sketches`. High percentiles (p90 and
 * up, what dashboards ask for) then read `data` alone, under half of the bytes; every other stat that needs
 * the sketch reads the tails too. Chunks sealed before kept the moments in `data`, between count and min,
 * and (before SPLIT) whole sketches there; both still read.
 */

export const CHUNK_POINTS = 360;

export function chunkSpan(stepSec: number): number {
  return stepSec * CHUNK_POINTS;
}

export function chunkStart(ts: number, stepSec: number): number {
  const span = chunkSpan(stepSec);
  return ts - (((ts % span) + span) % span);
}

/** Packs the points of one chunk (index 0 = the chunk's start); null when it has none. */
export function encodeValues(values: Float64Array): Uint8Array | null {
  let first = 0;
  while (first < values.length && Number.isNaN(values[first])) first++;
  if (first === values.length) return null;
  let last = values.length - 1;
  while (Number.isNaN(values[last])) last--;
  const count = last - first + 1;
  const out = new Uint8Array(4 + count * 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, first, true);
  view.setUint16(2, count, true);
  for (let i = 0; i < count; i++) view.setFloat64(4 + i * 8, values[first + i], true);
  return out;
}

/**
 * Writes a chunk's points into `out`, where `offset` is the index in `out` of the chunk's first step.
 * Points that fall outside `out` are skipped, so a chunk can straddle the range asked for.
 */
export function decodeValuesInto(blob: Uint8Array, out: Float64Array, offset: number): void {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const first = view.getUint16(0, true);
  const count = view.getUint16(2, true);
  if (blob.byteLength !== 4 + count * 8 || first + count > CHUNK_POINTS) throw new Error('corrupt value chunk');
  const from = Math.max(0, -(offset + first));
  const to = Math.min(count, out.length - (offset + first));
  for (let i = from; i < to; i++) {
    const v = view.getFloat64(4 + i * 8, true);
    if (!Number.isNaN(v)) out[offset + first + i] = v;
  }
}

export function decodeValues(blob: Uint8Array): Float64Array {
  const out = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
  decodeValuesInto(blob, out, 0);
  return out;
}

/** A stored timer interval without its timestamp: count, n, sum, sumsq, m2, min, max, sketch. */
export type StoredSummary = SummaryRow extends [number, ...infer Rest] ? Rest : never;

const SAME_COUNT = 1; // count === n (no sample rate), so count isn't stored
const IDLE = 2; // n === 0: only the (sample-adjusted) count, nothing else

/**
 * A sealed timer chunk as stored: its entries, the sketch tails and the moments they point into (null if
 * none, or when the reader does not need them).
 */
export interface TimerChunk {
  data: Uint8Array;
  sketches: Uint8Array | null;
  moments: Uint8Array | null;
}

/** A chunk from its three columns, as SQLite returns them. */
export function timerChunk([data, sketches, moments]: [Uint8Array, Uint8Array | null, Uint8Array | null]): TimerChunk {
  return { data, sketches, moments };
}

const SPLIT = 4; // the sketch's head is here, its tail in `sketches`
const MOMENTS_APART = 8; // sum, sumsq and m2 are in `moments`, not here
const MOMENT_BYTES = 24;

/** The samples a sketch head keeps: p90 and up whatever etsy's rank rounding (k = round(pct/100 · n)). */
function headSamples(n: number): number {
  return Math.ceil(n / 10) + 1;
}

/** Whether a stat is answered from sketch heads alone (see headSamples). */
export function sketchHeadAnswers(stat: TimerStat): boolean {
  return stat.kind === 'percentile' && stat.field === 'upper' && stat.pct >= 90;
}

export function encodeSummaries(entries: ReadonlyArray<[index: number, summary: StoredSummary]>): TimerChunk {
  let size = 2;
  let busy = 0;
  for (const [, s] of entries) {
    size += 2 + 1 + 10 + 8 + 16 + 10 + (s[7]?.byteLength ?? 0);
    if (s[1] > 0) busy++;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const moments = new Uint8Array(busy * MOMENT_BYTES);
  const momentView = new DataView(moments.buffer);
  view.setUint16(0, entries.length, true);
  let p = 2;
  let m = 0;
  const tails: Uint8Array[] = [];
  const varint = (value: number) => {
    let v = value;
    while (v >= 0x80) {
      out[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    out[p++] = v;
  };
  const float = (v: number | null) => {
    view.setFloat64(p, v ?? Number.NaN, true);
    p += 8;
  };
  for (const [index, [count, n, sum, sumsq, m2, min, max, sketch]] of entries) {
    view.setUint16(p, index, true);
    p += 2;
    const bytes = sketch ?? new Uint8Array(0);
    const head = n === 0 || bytes.byteLength === 0 ? 0 : encodedHeadLength(bytes, headSamples(n));
    const flags =
      (count === n ? SAME_COUNT : 0) | (n === 0 ? IDLE : MOMENTS_APART) | (head < bytes.byteLength ? SPLIT : 0);
    out[p++] = flags;
    varint(n);
    if (!(flags & SAME_COUNT)) float(count);
    if (flags & IDLE) continue;
    momentView.setFloat64(m, sum, true);
    momentView.setFloat64(m + 8, sumsq, true);
    momentView.setFloat64(m + 16, m2, true);
    m += MOMENT_BYTES;
    float(min);
    float(max);
    varint(head);
    out.set(bytes.subarray(0, head), p);
    p += head;
    if (flags & SPLIT) {
      varint(bytes.byteLength - head);
      tails.push(bytes.subarray(head));
    }
  }
  return {
    data: out.slice(0, p),
    sketches: tails.length > 0 ? concat(tails) : null,
    moments: busy > 0 ? moments : null,
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.byteLength;
  }
  return out;
}

/** The chunk's intervals as rows, `ts` = start + index * step; a sketch is a view into `data`, or a copy when split. */
export function decodeSummaries(chunk: TimerChunk, start: number, stepSec: number): SummaryRow[] {
  const out: SummaryRow[] = [];
  const c = new SummaryCursor(chunk, { headsOnly: false, moments: true, ownSketches: true });
  while (c.next()) {
    const ts = start + c.index * stepSec;
    if (c.n === 0) out.push([ts, c.count, 0, 0, 0, 0, null, null, null]);
    else
      out.push([
        ts,
        c.count,
        c.n,
        c.sum,
        c.sumSquares,
        c.m2,
        Number.isNaN(c.min) ? null : c.min,
        Number.isNaN(c.max) ? null : c.max,
        c.sketchEnd > c.sketchStart ? c.sketchBytes.subarray(c.sketchStart, c.sketchEnd) : null,
      ]);
  }
  return out;
}

/**
 * Writes `stat` of each of the chunk's intervals into `out`, where `offset` is the index in `out` of the
 * chunk's first step (intervals outside `out` are skipped). Reads the blobs in place through one cursor,
 * and touches a sketch only for the stats that need it: nothing is allocated per interval. `sketches` may
 * be null when the stat needs no more than the heads (statNeedsSketch, sketchHeadAnswers), and `moments`
 * when it needs no sum, sum of squares or m2 (statNeedsMoments).
 */
export function decodeTimerStatInto(
  chunk: TimerChunk,
  stat: TimerStat,
  stepSec: number,
  out: Float64Array,
  offset: number,
): void {
  const c = new SummaryCursor(chunk, {
    headsOnly: !statNeedsSketch(stat) || sketchHeadAnswers(stat),
    moments: statNeedsMoments(stat),
    ownSketches: false,
  });
  while (c.next()) {
    const i = offset + c.index;
    if (i >= 0 && i < out.length) out[i] = computeTimerStat(stat, c, stepSec);
  }
}

/** A stored interval (hot row or decoded chunk row) as the stats read it: the sketch is read in place. */
export function summaryView(row: SummaryRow): SummaryView & { sketch: EncodedSketch } {
  const [, count, n, sum, sumSquares, m2, min, max, sketch] = row;
  return {
    count,
    n,
    sum,
    sumSquares,
    m2,
    min: min ?? Number.NaN,
    max: max ?? Number.NaN,
    sketch: sketch ? new EncodedSketch(sketch, n) : new EncodedSketch(),
  };
}

/**
 * Walks a timer chunk's intervals in place: each next() moves to the following one and sets the fields
 * (an idle interval has n = 0, NaN min/max and an empty sketch), so the chunk is read without a row
 * object per interval. `sketch` reads the interval's sketch in place: a split one across its head and tail,
 * or its head alone when `headsOnly`. sketchBytes[sketchStart, sketchEnd) holds it in one piece, except a
 * split one read in place, where it is the head.
 */
class SummaryCursor implements SummaryView {
  index = 0;
  count = 0;
  n = 0;
  sum = 0;
  sumSquares = 0;
  m2 = 0;
  min = Number.NaN;
  max = Number.NaN;
  sketchBytes: Uint8Array;
  sketchStart = 0;
  sketchEnd = 0;
  readonly sketch = new EncodedSketch();
  private readonly blob: Uint8Array;
  private readonly tails: Uint8Array | null;
  private readonly view: DataView;
  private readonly moments: DataView | null;
  private readonly headsOnly: boolean;
  private readonly needsMoments: boolean;
  private readonly ownSketches: boolean;
  private left: number;
  private p = 2;
  private tailAt = 0;
  private momentsAt = 0;
  /** The current sketch's tail, reused from entry to entry. */
  private readonly tail: ByteRange = { bytes: EMPTY, start: 0, end: 0 };
  /** Whether joinTail has pointed `sketch` at head and tail already. */
  private joined = false;

  /**
   * `headsOnly`: split sketches are left as their heads (the stat needs no more). `moments`: sum, sumsq
   * and m2 are read (otherwise NaN where they are kept apart). `ownSketches`: a joined sketch gets an array
   * of its own, for callers that keep it (decodeSummaries' rows).
   */
  constructor(chunk: TimerChunk, reads: { headsOnly: boolean; moments: boolean; ownSketches: boolean }) {
    this.blob = chunk.data;
    this.tails = chunk.sketches;
    this.headsOnly = reads.headsOnly;
    this.needsMoments = reads.moments;
    this.ownSketches = reads.ownSketches;
    const m = reads.moments ? chunk.moments : null;
    this.moments = m === null ? null : new DataView(m.buffer, m.byteOffset, m.byteLength);
    this.sketchBytes = chunk.data;
    if (this.blob.byteLength < 2) throw corrupt();
    this.view = new DataView(this.blob.buffer, this.blob.byteOffset, this.blob.byteLength);
    this.left = this.view.getUint16(0, true);
  }

  next(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const { blob, view } = this;
    const size = blob.byteLength;
    let p = this.p;
    if (p + 4 > size) throw corrupt();
    this.index = view.getUint16(p, true);
    const flags = blob[p + 2];
    p += 3;
    let n = blob[p++];
    if (n >= 0x80) {
      n = slowVarint(blob, p - 1);
      p = varintEnd;
    }
    this.n = n;
    if (flags & SAME_COUNT) this.count = n;
    else {
      if (p + 8 > size) throw corrupt();
      this.count = view.getFloat64(p, true);
      p += 8;
    }
    this.sketchBytes = blob;
    this.joined = false;
    if (flags & IDLE) {
      this.sum = this.sumSquares = this.m2 = 0;
      this.min = this.max = Number.NaN;
      this.sketchStart = this.sketchEnd = p;
    } else {
      if (flags & MOMENTS_APART) this.readMoments();
      else {
        if (p + 24 > size) throw corrupt();
        this.sum = view.getFloat64(p, true);
        this.sumSquares = view.getFloat64(p + 8, true);
        this.m2 = view.getFloat64(p + 16, true);
        p += 24;
      }
      if (p + 17 > size) throw corrupt();
      this.min = view.getFloat64(p, true);
      this.max = view.getFloat64(p + 8, true);
      p += 16;
      let len = blob[p++];
      if (len >= 0x80) {
        len = slowVarint(blob, p - 1);
        p = varintEnd;
      }
      if (p + len > size) throw corrupt();
      this.sketchStart = p;
      this.sketchEnd = p + len;
      p += len;
      if (flags & SPLIT) {
        if (p >= size) throw corrupt();
        let tail = blob[p++];
        if (tail >= 0x80) {
          tail = slowVarint(blob, p - 1);
          p = varintEnd;
        }
        this.joinTail(tail);
      }
    }
    if (!this.joined) this.sketch.reset(this.sketchBytes, this.sketchStart, this.sketchEnd, n);
    this.p = p;
    return true;
  }

  /** The current interval's sum, sumsq and m2 from `moments`, or NaN when the reader asked for none. */
  private readMoments(): void {
    const at = this.momentsAt;
    this.momentsAt += MOMENT_BYTES;
    const m = this.moments;
    if (m === null) {
      if (this.needsMoments) throw corrupt();
      this.sum = this.sumSquares = this.m2 = Number.NaN;
      return;
    }
    if (at + MOMENT_BYTES > m.byteLength) throw corrupt();
    this.sum = m.getFloat64(at, true);
    this.sumSquares = m.getFloat64(at + 8, true);
    this.m2 = m.getFloat64(at + 16, true);
  }

  /** Points the sketch at its head followed by its tail in `sketches` (copied together for ownSketches). */
  private joinTail(tail: number): void {
    const at = this.tailAt;
    this.tailAt += tail;
    if (this.headsOnly) return;
    if (this.tails === null || this.tailAt > this.tails.byteLength) throw corrupt();
    this.tail.bytes = this.tails;
    this.tail.start = at;
    this.tail.end = at + tail;
    this.sketch.reset(this.blob, this.sketchStart, this.sketchEnd, this.n, this.tail);
    if (this.ownSketches) {
      this.sketchBytes = this.sketch.contiguous();
      this.sketchStart = 0;
      this.sketchEnd = this.sketchBytes.byteLength;
    }
    this.joined = true;
  }
}

/** Where the last slowVarint ended: a module variable, so a varint read allocates no pair. */
let varintEnd = 0;

/** A varint of more than one byte at blob[at]: its value (and, in varintEnd, the position after it). */
function slowVarint(blob: Uint8Array, at: number): number {
  // Two bytes (sketches of 128 bytes to 16 KB) are common enough to skip the loop.
  if (at + 1 < blob.byteLength && blob[at + 1] < 0x80) {
    varintEnd = at + 2;
    return (blob[at] & 0x7f) + blob[at + 1] * 0x80;
  }
  let p = at;
  let value = 0;
  let scale = 1;
  for (;;) {
    if (p >= blob.byteLength || scale > 2 ** 49) throw corrupt();
    const b = blob[p++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      varintEnd = p;
      return value;
    }
    scale *= 0x80;
  }
}

const EMPTY = new Uint8Array(0);

function corrupt(): Error {
  return new Error('corrupt timer chunk');
}
