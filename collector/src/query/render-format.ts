/**
 * /render output as graphite-web writes it: maxDataPoints consolidation (views.py renderViewJson),
 * the JSON body and the CSV body (renderViewCsv). Byte-compatible except for how numbers are spelled in JSON.
 */

import { JsonBytes } from './json-bytes.js';
import { chargeQueryPoints } from './query-limits.js';
import type { ConsolidationFunc, TimeSeries } from './series.js';
import { zoneOffset } from './time.js';

export interface RenderOptions {
  maxDataPoints?: number;
  noNullPoints?: boolean;
}

/**
 * Folds every `valuesPerPoint` values into one (graphite-web TimeSeries.__consolidatingGenerator).
 * A bucket with no non-null value, or whose share of non-null values is below xFilesFactor, is null (NaN).
 * The trailing bucket may be short; its share is still measured against the full valuesPerPoint.
 */
export function consolidate(
  values: Float64Array,
  valuesPerPoint: number,
  func: ConsolidationFunc,
  xFilesFactor: number,
): Float64Array {
  if (!Number.isInteger(valuesPerPoint) || valuesPerPoint < 1) {
    throw new RangeError(`valuesPerPoint must be a positive integer, got ${valuesPerPoint}`);
  }
  const n = Math.ceil(values.length / valuesPerPoint);
  const out = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    const from = b * valuesPerPoint;
    const to = Math.min(from + valuesPerPoint, values.length);
    let nonNull = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let first = NaN;
    let last = NaN;
    for (let i = from; i < to; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) continue;
      if (nonNull === 0) first = v;
      nonNull++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      last = v;
    }
    if (nonNull === 0 || nonNull / valuesPerPoint < xFilesFactor) {
      out[b] = NaN;
      continue;
    }
    switch (func) {
      case 'sum':
        out[b] = sum;
        break;
      case 'average':
        out[b] = sum / nonNull;
        break;
      case 'avg_zero':
        // Nulls count as zeros, so divide by the bucket's length (short for the trailing bucket, as graphite does).
        out[b] = sum / (to - from);
        break;
      case 'min':
        out[b] = min;
        break;
      case 'max':
        out[b] = max;
        break;
      case 'first':
        out[b] = first;
        break;
      case 'last':
        out[b] = last;
        break;
    }
  }
  return out;
}

/** Python's `%` (floored), which the nudge arithmetic relies on. */
function pyMod(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

/**
 * Applies /render's maxDataPoints exactly as graphite-web's renderViewJson, start nudge and all.
 * Series that need no consolidation are returned as they are (same objects); others are new series whose
 * step is the consolidated seconds-per-point. Without maxDataPoints (or below 1) nothing changes.
 */
export function consolidateForRender(series: readonly TimeSeries[], maxDataPoints: number | undefined): TimeSeries[] {
  if (maxDataPoints === undefined || !(maxDataPoints >= 1)) return [...series];
  const maxPoints = Math.floor(maxDataPoints);
  if (series.length === 0) return [];
  let startTime = Infinity;
  let endTime = -Infinity;
  for (const s of series) {
    if (s.start < startTime) startTime = s.start;
    if (s.end > endTime) endTime = s.end;
  }
  const timeRange = endTime - startTime;

  return series.map((s) => {
    const len = s.values.length;
    if (len === 0) return s;
    if (maxPoints === 1) {
      const values = consolidate(s.values, len, s.consolidationFunc, s.xFilesFactor);
      return { ...s, step: s.step * len, end: s.start + s.step * len, values };
    }
    const pointsInRange = timeRange / s.step;
    if (!(maxPoints < pointsInRange)) return s;
    const valuesPerPoint = Math.ceil(pointsInRange / maxPoints);
    const secondsPerPoint = Math.trunc(valuesPerPoint * s.step);
    // graphite moves start so buckets line up across refreshes, then drops one value fewer than the nudge
    // spans (its `for r in range(1, valuesToLose)`), which is what its own tests expect.
    const nudge = secondsPerPoint + pyMod(s.start, s.step) - pyMod(s.start, secondsPerPoint);
    const start = s.start + nudge;
    const toLose = Math.max(0, Math.trunc(nudge / s.step) - 1);
    const folded = consolidate(s.values.subarray(toLose), valuesPerPoint, s.consolidationFunc, s.xFilesFactor);
    // Timestamps are range(start, end + 1, secondsPerPoint) zipped with the values: the shorter list wins.
    const stamps = Math.max(0, Math.ceil((Math.trunc(s.end) + 1 - Math.trunc(start)) / secondsPerPoint));
    const count = Math.min(folded.length, stamps);
    const values = count === folded.length ? folded : folded.slice(0, count);
    return { ...s, start, step: secondsPerPoint, end: start + count * secondsPerPoint, values };
  });
}

/** A JSON string literal as Python's json.dumps writes it (ensure_ascii: everything past '~' as \uXXXX). */
function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function jsonTags(s: JsonSeries): string {
  const entries = Object.entries(s.tags);
  if (!('name' in s.tags)) entries.push(['name', s.name]);
  return `{${entries.map(([k, v]) => `${jsonString(k)}: ${jsonString(String(v))}`).join(', ')}}`;
}

/** What a /render JSON object needs of a series: all a formatting thread is sent. */
export type JsonSeries = Pick<TimeSeries, 'name' | 'tags' | 'start' | 'step' | 'values'>;

/**
 * Series formatted as JSON objects, each written `, {…}` so that parts formatted apart (jsonParts) join by
 * concatenation. `ends[i]` is where series i's object ends; one that noNullPoints dropped ends where the one
 * before it did.
 */
export interface JsonObjects {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/**
 * Room for formatJsonObjects' output, sized up front for the longest common point,
 * `, [-57.38271940302149, 1796322880]` (36 bytes): growing a 20 MB body by doubling copies it into fresh
 * pages, while room never written to costs nothing (allocUnsafe).
 */
export function jsonObjectsBytes(series: readonly JsonSeries[]): number {
  return series.reduce((n, s) => n + 256 + s.values.length * 36, 16);
}

/**
 * `, {"target": …, "tags": {…}, "datapoints": [[v, t], …]}` per series, with Python's separators. NaN → null,
 * ±Infinity → ±1e9999. noNullPoints drops null points and series left with none. Written into `into` when
 * given (and while it has room).
 */
export function formatJsonObjects(series: readonly JsonSeries[], noNullPoints: boolean, into?: Buffer): JsonObjects {
  const out = new JsonBytes(into ?? jsonObjectsBytes(series));
  const ends = new Uint32Array(series.length);
  series.forEach((s, k) => {
    const { values, start, step } = s;
    if (!noNullPoints || values.some((v) => !Number.isNaN(v))) {
      out.ascii(`, {"target": ${jsonString(s.name)}, "tags": ${jsonTags(s)}, "datapoints": [`);
      out.datapoints(values, start, step, noNullPoints);
      out.ascii(']}');
    }
    ends[k] = out.length;
  });
  return { bytes: out.finish(), ends };
}

/** A JSON body as pieces in order, written out as they are rather than copied into one buffer. */
export interface JsonBody {
  pieces: Uint8Array[];
  length: number;
}

/**
 * The body `[{…}, {…}]` from `parts` formatted objects each: series i's object is in part i % parts.length,
 * at index ⌊i / parts.length⌋ (how jsonParts deals them out).
 */
export function jsonBody(count: number, parts: readonly JsonObjects[]): JsonBody {
  const pieces: Uint8Array[] = [Buffer.from('[')];
  let length = 2;
  let first = true;
  for (let i = 0; i < count; i++) {
    const part = parts[i % parts.length] as JsonObjects;
    const k = Math.floor(i / parts.length);
    let from = k === 0 ? 0 : (part.ends[k - 1] as number);
    const to = part.ends[k] as number;
    if (from === to) continue;
    // Every object starts with `, `; the body's first one must not.
    if (first) from += 2;
    first = false;
    pieces.push(part.bytes.subarray(from, to));
    length += to - from;
  }
  pieces.push(Buffer.from(']'));
  return { pieces, length };
}

/** Deals the series out to `n` parts, round robin, so a glob's run of costly series is shared out. */
export function jsonParts<T>(series: readonly T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  series.forEach((s, i) => {
    parts[i % n]?.push(s);
  });
  return parts;
}

/**
 * maxDataPoints folding, and the points the body will write charged to the request's budget: what every
 * JSON body starts with, formatted here or across threads. Null when graphite-web would write `[]`.
 */
export function prepareJson(series: readonly TimeSeries[], opts: RenderOptions): TimeSeries[] | null {
  // graphite-web's `if any(data)`: when every series is empty it writes no series at all.
  if (!series.some((s) => s.values.length > 0)) return null;
  const folded = consolidateForRender(series, opts.maxDataPoints);
  // Writing a point costs more than reading it: output is charged to the request's budget too.
  for (const s of folded) chargeQueryPoints(s.values.length, 'written');
  return folded;
}

/** The /render?format=json body: `[{"target": …, "tags": {…}, "datapoints": [[v, t], …]}, …]`. */
export function formatJson(series: readonly TimeSeries[], opts: RenderOptions): Buffer {
  const folded = prepareJson(series, opts);
  if (folded === null) return Buffer.from('[]');
  const body = jsonBody(folded.length, [formatJsonObjects(folded, opts.noNullPoints === true)]);
  return Buffer.concat(body.pieces, body.length);
}

/** Python's repr() of a float, which csv.writer prints: `1.0`, `0.1`, `1e+16`, `1e-05`, `inf`. */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = ''] = v.toExponential().split('e');
  const exp = Number(expText);
  const sign = v < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length > exp + 1) return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
}

/** csv.writer's excel dialect quoting: only when the field holds a comma, quote or line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Zone offsets per instant, checked once per quarter hour instead of once per point (Intl is slow). */
function offsetLookup(tz: string | undefined): (t: number) => number {
  if (tz === undefined || tz === 'UTC') return () => 0;
  const quarter = 900;
  let bucket = Number.NaN;
  let bucketOffset: number | null = null;
  return (t) => {
    const b = Math.floor(t / quarter);
    if (b !== bucket) {
      bucket = b;
      const lo = zoneOffset(b * quarter, tz);
      // Offsets never change twice in fifteen minutes, so equal ends mean a constant offset between them.
      bucketOffset = lo === zoneOffset(b * quarter + quarter - 1, tz) ? lo : null;
    }
    return bucketOffset ?? zoneOffset(t, tz);
  };
}

/**
 * The /render?format=csv body: `name,YYYY-MM-DD HH:MM:SS,value` per raw point, in `tz` (UTC by default),
 * with csv.writer's `\r\n` line ends, an empty field for null and Python's float spelling for values.
 */
export function formatCsv(series: readonly TimeSeries[], tz?: string): string {
  const offset = offsetLookup(tz);
  let out = '';
  for (const s of series) {
    chargeQueryPoints(s.values.length, 'written');
    const name = csvField(s.name);
    for (let i = 0; i < s.values.length; i++) {
      const t = s.start + i * s.step;
      const d = new Date((Math.floor(t) + offset(t)) * 1000);
      const stamp =
        `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
        `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      const v = s.values[i] as number;
      out += `${name},${stamp},${Number.isNaN(v) ? '' : pythonFloatRepr(v)}\r\n`;
    }
  }
  return out;
}
