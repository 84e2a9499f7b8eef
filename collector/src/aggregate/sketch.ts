/**
 * A mergeable quantile sketch with a guaranteed relative error (the DDSketch idea, Masson et al. 2019).
 *
 * Every positive value v falls in bin k = ceil(log_γ v) with γ = (1+α)/(1-α); the bin's representative
 * 2γ^k/(γ+1) is within α of every value in it. Merging adds bin counts, so a sketch of merged intervals is
 * exactly the sketch of all their samples: percentiles over hours or rolled-up days keep the same bound.
 *
 * Written here rather than taken from @datadog/sketches-js because the collector needs a compact varint
 * encoding (its protobuf form is ~6x larger and drops min/max/sum on decode) and only positive values.
 */

export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below this are counted in the zero bin (timers are in ms, so this is far below any real timing). */
export const MIN_INDEXABLE = 1e-9;
/** Bounds memory per sketch; 2048 bins at α=1% span a factor of e^41, so collapsing is a safety net only. */
const MAX_BINS = 2048;
/** 1 stored runs lowest key first; 2 (written since) highest first. Both are read. */
const ENCODING_VERSION = 2;
const ASCENDING_VERSION = 1;
/** Keys of values from MIN_INDEXABLE up to Number.MAX_VALUE lie well inside this; a decoded key outside is corrupt. */
const MAX_ABS_KEY = 40_000;
/**
 * Samples a sketch keeps as a plain list of keys before it allocates bins: a timer sees a few samples per
 * interval, and bins spanning their range cost ~1.5 KB each (47 MB for 30k timers, reallocated every flush).
 */
const FEW_MAX = 32;
/** The zero bin's key in toBins/fromBins: outside every real key. */
export const ZERO_BIN_KEY = -50_000;
const EMPTY_BYTES = new Uint8Array(0);

/** The key of the bin a value from MIN_INDEXABLE up falls in. */
export function sketchKey(value: number): number {
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}

/** bytes[start, end). */
export interface ByteRange {
  bytes: Uint8Array;
  start: number;
  end: number;
}

/** Receives bins from QuantileSketch.readBins. */
export interface BinSink {
  bin(key: number, count: number): void;
}

export class QuantileSketch {
  /** Samples too small to index (including exact zeros). */
  zeroCount = 0;
  /** Counts for keys offset .. offset + bins.length - 1; grown on demand. */
  private bins: Float64Array = EMPTY;
  private offset = 0;
  private minKey = Number.POSITIVE_INFINITY;
  private maxKey = Number.NEGATIVE_INFINITY;
  private binTotal = 0;
  /** Keys of the first samples (repeats allowed), until FEW_MAX of them; null once they are in `bins`. */
  private few: number[] | null = null;

  get count(): number {
    return this.zeroCount + this.binTotal + (this.few?.length ?? 0);
  }

  /** Adds one non-negative sample. Callers validate; NaN and negatives are ignored here. */
  add(value: number): void {
    if (!(value >= MIN_INDEXABLE)) {
      if (value >= 0) this.zeroCount++;
      return;
    }
    const key = sketchKey(value);
    if (this.binTotal === 0) {
      this.few ??= [];
      if (this.few.length < FEW_MAX) {
        this.few.push(key);
        return;
      }
    }
    this.settle();
    this.addToKey(key, 1);
  }

  merge(other: QuantileSketch): void {
    this.zeroCount += other.zeroCount;
    this.settle();
    for (const key of other.few ?? []) this.addToKey(key, 1);
    if (other.binTotal === 0) return;
    for (let k = other.minKey; k <= other.maxKey; k++) {
      const c = other.bins[k - other.offset];
      if (c > 0) this.addToKey(k, c);
    }
  }

  /**
   * The value at a 1-based rank in sorted order (rank 1 = smallest), as etsy's `values[rank-1]`.
   * Returns NaN for an empty sketch; ranks outside 1..count are clamped.
   */
  valueAtRank(rank: number): number {
    this.settle();
    const total = this.count;
    if (total === 0) return Number.NaN;
    const r = Math.min(Math.max(rank, 1), total);
    if (r <= this.zeroCount) return 0;
    let seen = this.zeroCount;
    for (let k = this.minKey; k <= this.maxKey; k++) {
      seen += this.bins[k - this.offset];
      if (seen >= r) return representative(k);
    }
    return representative(this.maxKey);
  }

  /** Sum and sum of squares of the `k` smallest samples (or the largest when fromTop), from representatives. */
  partialSums(k: number, fromTop: boolean): { sum: number; sumSquares: number } {
    this.settle();
    let left = Math.min(Math.max(k, 0), this.count);
    let sum = 0;
    let sumSquares = 0;
    const take = (key: number, available: number) => {
      const n = Math.min(available, left);
      if (n <= 0) return;
      const v = representative(key);
      sum += v * n;
      sumSquares += v * v * n;
      left -= n;
    };
    if (!fromTop) left -= Math.min(this.zeroCount, left);
    const lo = this.minKey;
    const hi = this.maxKey;
    if (this.binTotal > 0) {
      if (fromTop) for (let key = hi; key >= lo && left > 0; key--) take(key, this.bins[key - this.offset]);
      else for (let key = lo; key <= hi && left > 0; key++) take(key, this.bins[key - this.offset]);
    }
    return { sum, sumSquares };
  }

  /**
   * Compact form: version, zero count, then runs of (gap, length, counts…) over the occupied keys, highest
   * key first. Top-down because the percentiles people ask for are high ones: p99 of a stored interval is
   * then found in its first bins, without walking the rest (see EncodedSketch).
   */
  encode(): Uint8Array {
    const w = new VarintWriter();
    this.encodeTo(w);
    return w.finish();
  }

  /**
   * Encodes many sketches into one buffer and returns views of it (null for a null sketch): a flush's
   * sketches then cross to another thread as one transferable buffer, not one allocation per timer.
   */
  static encodeAll(sketches: ReadonlyArray<QuantileSketch | null>): Array<Uint8Array | null> {
    const out = new SketchBatchWriter(sketches.length);
    for (const s of sketches) out.sketch(s);
    return out.finish();
  }

  /** Appends the encoding (see encode()) to `w`: how SketchBatchWriter packs a flush's sketches. */
  encodeTo(w: VarintWriter): void {
    encodeRuns(w, this.zeroCount, this.occupiedDescending());
  }

  /** The occupied keys, highest first, with their counts (shared scratch arrays: read before the next call). */
  private occupiedDescending(): { keys: number[]; counts: number[] } {
    const { keys, counts } = SCRATCH;
    keys.length = 0;
    counts.length = 0;
    if (this.few !== null) {
      occupiedOfList(this.few, this.few.length, keys, counts);
    } else if (this.binTotal > 0) {
      for (let k = this.maxKey; k >= this.minKey; k--) {
        const c = this.bins[k - this.offset];
        if (c !== 0) {
          keys.push(k);
          counts.push(c);
        }
      }
    }
    return SCRATCH;
  }

  static decode(bytes: Uint8Array): QuantileSketch {
    const sketch = new QuantileSketch();
    readEncoded(
      bytes,
      (zero) => {
        sketch.zeroCount = zero;
      },
      (key, count) => sketch.addToKey(key, count),
    );
    return sketch;
  }

  /**
   * The occupied bins as parallel key/count arrays, the zero bin under ZERO_BIN_KEY: the shape a store
   * can merge natively by adding counts per key (ClickHouse's sumMap).
   */
  toBins(): { keys: number[]; counts: number[] } {
    this.settle();
    const keys: number[] = [];
    const counts: number[] = [];
    if (this.zeroCount > 0) {
      keys.push(ZERO_BIN_KEY);
      counts.push(this.zeroCount);
    }
    for (let k = this.minKey; k <= this.maxKey; k++) {
      const c = this.bins[k - this.offset];
      if (c > 0) {
        keys.push(k);
        counts.push(c);
      }
    }
    return { keys, counts };
  }

  /**
   * The bins of an encoded sketch, handed to `sink` one by one without building arrays: the zero bin first
   * (under ZERO_BIN_KEY, if any), then in stored order (highest key first since version 2).
   */
  static readBins(bytes: Uint8Array, sink: BinSink): void {
    readEncoded(
      bytes,
      (zero) => {
        if (zero > 0) sink.bin(ZERO_BIN_KEY, zero);
      },
      (key, count) => sink.bin(key, count),
    );
  }

  /** The inverse of toBins; keys may repeat and come in any order (their counts add). */
  static fromBins(keys: ArrayLike<number>, counts: ArrayLike<number>): QuantileSketch {
    const sketch = new QuantileSketch();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const c = counts[i];
      if (!(c > 0)) continue;
      if (key === ZERO_BIN_KEY) sketch.zeroCount += c;
      else if (Math.abs(key) > MAX_ABS_KEY) throw new Error('corrupt sketch: key out of range');
      else sketch.addToKey(key, c);
    }
    return sketch;
  }

  /** Empties the sketch for another interval. */
  clear(): void {
    this.zeroCount = 0;
    this.bins = EMPTY;
    this.offset = 0;
    this.minKey = Number.POSITIVE_INFINITY;
    this.maxKey = Number.NEGATIVE_INFINITY;
    this.binTotal = 0;
    if (this.few !== null) this.few.length = 0;
  }

  /** Moves the first samples' keys into bins, before anything reads or merges bins. */
  private settle(): void {
    const few = this.few;
    if (few === null) return;
    this.few = null;
    for (const key of few) this.addToKey(key, 1);
  }

  private addToKey(key: number, n: number): void {
    if (key < this.minKey || key > this.maxKey) this.extend(key);
    const k = Math.max(key, this.minKey);
    this.bins[k - this.offset] += n;
    this.binTotal += n;
  }

  /** Makes room for `key`, collapsing the lowest bins into one when the range would exceed MAX_BINS. */
  private extend(key: number): void {
    const lo = Math.min(key, this.minKey);
    const hi = Math.max(key, this.maxKey);
    if (lo >= this.offset && hi < this.offset + this.bins.length) {
      this.minKey = lo;
      this.maxKey = hi;
      return;
    }
    const newMin = hi - lo + 1 > MAX_BINS ? hi - MAX_BINS + 1 : lo;
    const span = hi - newMin + 1;
    const capacity = Math.min(MAX_BINS, Math.max(32, span * 2));
    // Headroom on both sides, so a drifting range doesn't reallocate on every new key.
    const offset = newMin - Math.floor((capacity - span) / 2);
    const next = new Float64Array(capacity);
    let collapsed = 0;
    for (let k = this.minKey; k <= this.maxKey; k++) {
      const c = this.bins[k - this.offset];
      if (c === 0) continue;
      if (k < newMin) collapsed += c;
      else next[k - offset] = c;
    }
    next[newMin - offset] += collapsed;
    this.bins = next;
    this.offset = offset;
    this.minKey = newMin;
    this.maxKey = hi;
  }
}

/**
 * A stored sketch read in place: a rank query walks the encoded runs without building the bins, which
 * is most of the cost of reading percentiles over long ranges. Anything else decodes it once. One
 * instance can be pointed at sketch after sketch (`reset`), so reading a chunk allocates nothing per interval.
 */
export class EncodedSketch {
  private bytes: Uint8Array = EMPTY_BYTES;
  private start = 0;
  private end = 0;
  private total = 0;
  private tail: ByteRange | null = null;
  private readonly reader = new VarintReader(EMPTY_BYTES);
  private decoded: QuantileSketch | null = null;

  /** `total` is the sketch's sample count (the summary's n), needed to rank from the top. */
  constructor(bytes?: Uint8Array, total?: number) {
    if (bytes) this.reset(bytes, 0, bytes.byteLength, total ?? Number.NaN);
  }

  /**
   * Points at bytes[start, end), a sketch of `total` samples (NaN when unknown), continued in `tail` when
   * it is stored in two parts.
   */
  reset(bytes: Uint8Array, start: number, end: number, total: number, tail: ByteRange | null = null): this {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.total = total;
    this.tail = tail;
    this.decoded = null;
    return this;
  }

  valueAtRank(rank: number): number {
    if (this.start >= this.end) return Number.NaN;
    const r = this.reader;
    r.reset(this.bytes, this.start, this.end, this.tail);
    const version = r.uint();
    const ascending = version === ASCENDING_VERSION;
    if (!ascending && (version !== ENCODING_VERSION || !(this.total > 0))) return this.full().valueAtRank(rank);
    const zero = r.uint();
    const dir = ascending ? 1 : -1;
    // Version 2 starts at the top, so the rank is counted from there (the highest sample is 1).
    const target = ascending ? rank : this.total - Math.min(Math.max(rank, 1), this.total) + 1;
    let seen = 0;
    if (ascending) {
      if (rank <= zero && zero > 0) return 0;
      seen = zero;
    }
    const runCount = r.uint();
    let key = 0;
    let last = Number.NaN;
    for (let i = 0; i < runCount; i++) {
      key = i === 0 ? r.sint() : key + dir * r.uint();
      const length = r.uint();
      for (let j = 0; j < length; j++, key += dir) {
        seen += r.uint();
        last = key;
        if (seen >= target) return representative(key);
      }
    }
    // Past the last bin: version 2 has reached the zero bin; otherwise clamp to the last bin seen.
    if (!ascending && zero > 0) return 0;
    return seen === 0 ? Number.NaN : representative(last);
  }

  partialSums(k: number, fromTop: boolean): { sum: number; sumSquares: number } {
    return this.full().partialSums(k, fromTop);
  }

  full(): QuantileSketch {
    this.decoded ??= this.start < this.end ? QuantileSketch.decode(this.contiguous()) : new QuantileSketch();
    return this.decoded;
  }

  /** The sketch's bytes in one array (head and tail joined when it has a tail). */
  contiguous(): Uint8Array {
    const head = this.bytes.subarray(this.start, this.end);
    if (this.tail === null) return head;
    const whole = new Uint8Array(head.byteLength + this.tail.end - this.tail.start);
    whole.set(head);
    whole.set(this.tail.bytes.subarray(this.tail.start, this.tail.end), head.byteLength);
    return whole;
  }
}

/**
 * Encodes a flush's sketches into one buffer and returns views of it: they then cross to another thread as
 * one transferable buffer, not one allocation per timer. A sketch comes as a QuantileSketch or, for a timer
 * with few samples, as the keys of its samples (TimerStore keeps no QuantileSketch for those).
 */
export class SketchBatchWriter {
  private readonly w: VarintWriter;
  /** Where each sketch starts; -1 for none. */
  private readonly starts: number[] = [];

  constructor(expected: number) {
    this.w = new VarintWriter(Math.max(64, expected * 16));
  }

  sketch(s: QuantileSketch | null): void {
    if (s === null) {
      this.starts.push(-1);
      return;
    }
    this.starts.push(this.w.length);
    s.encodeTo(this.w);
  }

  /** The sketch of `zeroCount` samples in the zero bin and one sample at each of keys[0, n) (repeats allowed). */
  keys(zeroCount: number, keys: ArrayLike<number>, n: number): void {
    this.starts.push(this.w.length);
    const occupied = SCRATCH;
    occupied.keys.length = 0;
    occupied.counts.length = 0;
    occupiedOfList(keys, n, occupied.keys, occupied.counts);
    encodeRuns(this.w, zeroCount, occupied);
  }

  finish(): Array<Uint8Array | null> {
    const { starts } = this;
    const { buffer } = this.w.finish();
    const ends: number[] = new Array(starts.length);
    let end = this.w.length;
    // Each sketch ends where the next present one starts; walk back so the ends are known.
    for (let i = starts.length - 1; i >= 0; i--) {
      ends[i] = end;
      if (starts[i] !== -1) end = starts[i];
    }
    // A view made by the constructor: subarray() costs several times more, 30k times a flush.
    return starts.map((start, i) => (start === -1 ? null : new Uint8Array(buffer, start, ends[i] - start)));
  }
}

/** Appends an encoding (see encode()) of the zero bin and the occupied keys, highest first. */
function encodeRuns(w: VarintWriter, zeroCount: number, { keys, counts }: { keys: number[]; counts: number[] }): void {
  w.uint(ENCODING_VERSION);
  w.uint(zeroCount);
  // Runs as [top key, length], walking down.
  let runCount = 0;
  for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1] - 1) runCount++;
  w.uint(runCount);
  let prevBottom = 0;
  for (let i = 0; i < keys.length; ) {
    const top = keys[i];
    let length = 1;
    while (i + length < keys.length && keys[i + length] === top - length) length++;
    if (i === 0) w.sint(top);
    else w.uint(prevBottom - top);
    w.uint(length);
    for (let j = 0; j < length; j++) w.uint(counts[i + j]);
    prevBottom = top - length;
    i += length;
  }
}

const EMPTY = new Float64Array(0);
const SCRATCH: { keys: number[]; counts: number[] } = { keys: [], counts: [] };
/** Counts per key + MAX_ABS_KEY, all zero between calls of occupiedOfList. */
const SCRATCH_COUNTS = new Uint32Array(2 * MAX_ABS_KEY + 1);
/** A list is counted out in SCRATCH_COUNTS when its keys span at most this many per key; sorted otherwise. */
const DENSE_SPAN_PER_KEY = 16;

/**
 * Appends the distinct keys of list[0, n), highest first, and how often each occurs. Keys close together
 * (the usual case) are counted out in SCRATCH_COUNTS, walked over their range and left zeroed; keys spread
 * far apart are sorted instead, so a wide range costs no long walk.
 */
function occupiedOfList(list: ArrayLike<number>, n: number, keys: number[], counts: number[]): void {
  if (n === 0) return;
  let lo = list[0];
  let hi = lo;
  for (let i = 1; i < n; i++) {
    const k = list[i];
    if (k < lo) lo = k;
    else if (k > hi) hi = k;
  }
  if (hi - lo <= DENSE_SPAN_PER_KEY * n) {
    for (let i = 0; i < n; i++) SCRATCH_COUNTS[list[i] + MAX_ABS_KEY]++;
    for (let k = hi + MAX_ABS_KEY; k >= lo + MAX_ABS_KEY; k--) {
      const c = SCRATCH_COUNTS[k];
      if (c === 0) continue;
      SCRATCH_COUNTS[k] = 0;
      keys.push(k - MAX_ABS_KEY);
      counts.push(c);
    }
    return;
  }
  const sorted = Array.from({ length: n }, (_, i) => list[i]).sort((a, b) => b - a);
  for (const key of sorted) {
    if (keys.length > 0 && keys[keys.length - 1] === key) counts[counts.length - 1]++;
    else {
      keys.push(key);
      counts.push(1);
    }
  }
}

/** Bin representatives, computed once per key: the power was a tenth of reading a day of percentiles. */
const REPRESENTATIVES = new Float64Array(2 * MAX_ABS_KEY + 1).fill(Number.NaN);

function representative(key: number): number {
  const i = key + MAX_ABS_KEY;
  if (!(i >= 0 && i < REPRESENTATIVES.length)) return (2 * GAMMA ** key) / (GAMMA + 1);
  let v = REPRESENTATIVES[i];
  if (Number.isNaN(v)) {
    v = (2 * GAMMA ** key) / (GAMMA + 1);
    REPRESENTATIVES[i] = v;
  }
  return v;
}

class VarintWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(initialBytes);
  }

  get length(): number {
    return this.len;
  }

  uint(value: number): void {
    let v = Math.round(value);
    if (this.len + 10 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  sint(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Reads varints from buf[pos, end), then from the continuation `next` if one is given (a sketch stored as
 * head and tail apart); `reset` points it at other bytes without a new object.
 */
class VarintReader {
  private next: ByteRange | null = null;

  constructor(
    private buf: Uint8Array,
    private pos = 0,
    private end = buf.length,
  ) {}

  reset(buf: Uint8Array, start: number, end: number, next: ByteRange | null = null): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.next = next;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) {
        if (this.next === null) throw new Error('truncated sketch');
        this.reset(this.next.bytes, this.next.start, this.next.end);
        continue;
      }
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error('corrupt sketch varint');
    }
  }

  atEnd(): boolean {
    return this.pos === this.end && this.next === null;
  }

  get position(): number {
    return this.pos;
  }

  sint(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

/**
 * How many leading bytes of an encoded sketch hold its `topSamples` highest samples: a reader asking only
 * for high percentiles needs no more (chunk-codec stores the rest apart). The whole length when the
 * encoding is version 1 (lowest first) or the sketch holds fewer samples.
 */
export function encodedHeadLength(bytes: Uint8Array, topSamples: number): number {
  const r = new VarintReader(bytes);
  if (r.uint() !== ENCODING_VERSION) return bytes.length;
  r.uint();
  const runCount = r.uint();
  let seen = 0;
  for (let i = 0; i < runCount; i++) {
    if (i === 0) r.sint();
    else r.uint();
    const length = r.uint();
    for (let j = 0; j < length; j++) {
      seen += r.uint();
      if (seen >= topSamples) return r.position;
    }
  }
  return bytes.length;
}

/**
 * Walks an encoded sketch: the zero bin's count first, then every stored bin (highest key first, or lowest
 * first in version 1). Checks the version, the key range and that nothing trails, so every reader of the
 * encoding rejects the same junk.
 */
function readEncoded(bytes: Uint8Array, onZero: (count: number) => void, onBin: (key: number, count: number) => void) {
  const r = new VarintReader(bytes);
  const version = r.uint();
  if (version !== ENCODING_VERSION && version !== ASCENDING_VERSION)
    throw new Error(`unknown sketch encoding version ${version}`);
  const dir = version === ASCENDING_VERSION ? 1 : -1;
  onZero(r.uint());
  const runCount = r.uint();
  let key = 0;
  for (let i = 0; i < runCount; i++) {
    key = i === 0 ? r.sint() : key + dir * r.uint();
    const length = r.uint();
    if (Math.abs(key) > MAX_ABS_KEY || Math.abs(key + dir * length) > MAX_ABS_KEY)
      throw new Error('corrupt sketch: key out of range');
    for (let j = 0; j < length; j++, key += dir) onBin(key, r.uint());
  }
  if (!r.atEnd()) throw new Error('corrupt sketch: trailing bytes');
}
