/**
 * Pure StatsD / DogStatsD packet parser: a datagram (or a newline-delimited stream chunk) in, sink calls out.
 * No I/O, no clock, no randomness. Compatible with etsy statsd and DogStatsD on well-formed input, stricter on
 * junk: every line or value chunk that doesn't parse cleanly goes to `sink.bad` and never creates a metric.
 */

import type { ServiceCheck, StatsdEvent } from './statsd-event.js';
import { parseEpochSeconds, parseEvent, parseServiceCheck } from './statsd-event.js';

export type { ServiceCheck, StatsdEvent } from './statsd-event.js';

export interface LineSink {
  /** key = sanitized name + canonical Graphite tag suffix (see canonicalTags). ts = the |T epoch seconds, or 0 when absent. */
  counter(key: string, value: number, sampleRate: number, ts: number): void;
  /** ms, h and d all arrive here (a deliberate deviation from etsy, which counts h/d). */
  timer(key: string, value: number, sampleRate: number): void;
  gauge(key: string, value: number, delta: boolean, ts: number): void;
  set(key: string, member: string): void;
  event(e: StatsdEvent): void;
  serviceCheck(sc: ServiceCheck): void;
  /** One call per rejected line (or rejected value chunk of a multi-value line). */
  bad(line: string, reason: string): void;
}

export interface ParseOptions {
  /** Longest accepted line, in UTF-16 code units (close enough to bytes for the MTU-sized limits used). */
  maxLineLength: number;
}

export const DEFAULT_PARSE_OPTIONS: ParseOptions = Object.freeze({ maxLineLength: 8192 });

const CR = 13;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const SEMI = 59;
const AT = 64;
const UPPER_T = 84;
const UNDERSCORE = 95;
const PIPE = 124;

const TYPE_INVALID = 0;
const TYPE_COUNTER = 1;
const TYPE_TIMER = 2;
const TYPE_GAUGE = 3;
const TYPE_SET = 4;

/** 1 for chars kept as-is in names and tag parts: [A-Za-z0-9_\-.]. */
const NAME_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const keep =
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= ZERO && c <= NINE) || c === UNDERSCORE || c === MINUS;
  NAME_CHARS[c] = keep || c === DOT ? 1 : 0;
}

/** JavaScript's `\s`, which is what etsy's `/\s+/g` matches. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * etsy's keyNameSanitize, minus `;` and `=` (tags are parsed, not kept raw): runs of whitespace → `_`,
 * `/` → `-`, anything else outside [A-Za-z0-9_\-.] dropped. Returns `s` itself when nothing changes.
 */
export function sanitizeName(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 128 || NAME_CHARS[c] === 0) break;
    i++;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  let inSpace = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && NAME_CHARS[c] === 1) {
      out += s[i];
      inSpace = false;
    } else if (isSpace(c)) {
      if (!inSpace) out += '_';
      inSpace = true;
    } else {
      inSpace = false;
      if (c === SLASH) out += '-';
    }
  }
  return out;
}

/** Graphite can't address `a..b`, `.a` or `a.` (an empty path node). */
function hasEmptyNode(name: string): boolean {
  return name.charCodeAt(0) === DOT || name.charCodeAt(name.length - 1) === DOT || name.includes('..');
}

/**
 * Adds one tag s[start, end) split at the first `sep` (`:` DogStatsD, `=` Graphite); a bare tag means `true`.
 * Dropped: empty key or value after sanitising, and `name`, which Graphite reserves for the series path.
 */
function addTag(tags: Map<string, string>, s: string, start: number, end: number, sep: string): void {
  if (end <= start) return;
  let at = s.indexOf(sep, start);
  if (at >= end) at = -1;
  const key = sanitizeName(s.slice(start, at === -1 ? end : at));
  const value = at === -1 ? 'true' : sanitizeName(s.slice(at + 1, end));
  if (key.length === 0 || value.length === 0 || key === 'name') return;
  tags.set(key, value);
}

/** Adds each `delim`-separated tag of s[start, end). */
function addTagList(tags: Map<string, string>, s: string, start: number, end: number, delim: string, sep: string) {
  let a = start;
  while (a < end) {
    let b = s.indexOf(delim, a);
    if (b === -1 || b > end) b = end;
    addTag(tags, s, a, b, sep);
    a = b + 1;
  }
}

/** `;k=v` pairs sorted by key, or '' for none. */
function tagSuffix(tags: Map<string, string>): string {
  if (tags.size === 0) return '';
  const keys = [...tags.keys()].sort();
  let out = '';
  for (const k of keys) out += `;${k}=${tags.get(k)}`;
  return out;
}

/**
 * The canonical Graphite tag suffix for raw DogStatsD tags, e.g. ["service:api","deploy"] →
 * ";deploy=true;service=api". Same rules as metric tags; '' when nothing survives.
 */
export function canonicalTags(tags: readonly string[]): string {
  if (tags.length === 0) return '';
  const map = new Map<string, string>();
  for (const t of tags) addTag(map, t, 0, t.length, ':');
  return tagSuffix(map);
}

/** Exact powers of ten for the no-copy fast path below. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A strict decimal in s[start, end): optional sign, digits with an optional fraction (at least one digit
 * overall), optional exponent. NaN for anything else, including what Number() would forgive (blank, hex,
 * Infinity) and overflow to ±Infinity.
 */
export function parseDecimal(s: string, start = 0, end: number = s.length): number {
  if (end <= start) return Number.NaN;
  let i = start;
  let c = s.charCodeAt(i);
  const negative = c === MINUS;
  if (negative || c === PLUS) i++;
  let digits = 0;
  let fraction = 0;
  let mantissa = 0;
  let inFraction = false;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      if (inFraction) fraction++;
    } else if (c === DOT && !inFraction) {
      inFraction = true;
    } else {
      break;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i === end) {
    if (digits <= 15) {
      // Both operands are exact doubles, so the IEEE division is correctly rounded: the same result as
      // Number(), without copying the text out of the packet.
      const v = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
      return negative ? -v : v;
    }
  } else {
    if (c !== 101 && c !== 69 /* e E */) return Number.NaN;
    i++;
    if (i < end && (s.charCodeAt(i) === PLUS || s.charCodeAt(i) === MINUS)) i++;
    if (i === end) return Number.NaN;
    for (; i < end; i++) {
      c = s.charCodeAt(i);
      if (c < ZERO || c > NINE) return Number.NaN;
    }
  }
  const v = Number(s.slice(start, end));
  return Number.isFinite(v) ? v : Number.NaN;
}

function typeOf(s: string, start: number, end: number): number {
  const len = end - start;
  const c = s.charCodeAt(start);
  if (len === 1) {
    if (c === 99 /* c */) return TYPE_COUNTER;
    if (c === 103 /* g */) return TYPE_GAUGE;
    if (c === 115 /* s */) return TYPE_SET;
    if (c === 104 /* h */ || c === 100 /* d */) return TYPE_TIMER;
  } else if (len === 2 && c === 109 /* m */ && s.charCodeAt(start + 1) === 115 /* s */) {
    return TYPE_TIMER;
  }
  return TYPE_INVALID;
}

/** Index of the first `|` or `:` at or after `from`, else `end`. */
function nextDelimiter(s: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === PIPE || c === COLON) return i;
    i++;
  }
  return end;
}

/**
 * Index of the next `|#` at or after `from`, else -1. A single-char search for the rare `#`: V8's multi-char
 * indexOf was the most expensive step of an untagged line.
 */
function tagField(s: string, from: number): number {
  let h = s.indexOf('#', from);
  while (h !== -1 && s.charCodeAt(h - 1) !== PIPE) h = s.indexOf('#', h + 1);
  return h === -1 ? -1 : h - 1;
}

/** Short quoted excerpt for a bad-line reason. */
function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** One numeric value s[start, end) of a group: the sink call, or a bad() for just this value. */
function emitValue(
  line: string,
  start: number,
  end: number,
  type: number,
  key: string,
  rate: number,
  ts: number,
  sink: LineSink,
) {
  const v = parseDecimal(line, start, end);
  if (Number.isNaN(v)) {
    sink.bad(line, `invalid value ${quote(line.slice(start, end))}`);
  } else if (type === TYPE_COUNTER) {
    sink.counter(key, v, rate, ts);
  } else if (type === TYPE_TIMER) {
    if (v < 0) sink.bad(line, `negative timer value ${quote(line.slice(start, end))}`);
    else sink.timer(key, v, rate);
  } else {
    const c = line.charCodeAt(start);
    sink.gauge(key, v, c === PLUS || c === MINUS, ts);
  }
}

/**
 * `<name>[;k=v…]:<values>|<type>[|field…][:<values>|<type>[|field…]…]`, scanned once left to right.
 *
 * A group is `<values>|<type>` plus its fields; `<values>` may pack several `:`-separated values (DogStatsD
 * v1.1) and a `:` right after the type or after an `@`/`T` field starts the next group (etsy multi-value).
 * `#tags` and the other fields run to the next `|`, so the `:` inside them never splits anything. Tags are
 * line-wide (etsy applies `|#` to every chunk); rate and timestamp belong to their group.
 */
function parseMetric(line: string, sink: LineSink): void {
  const end = line.length;
  // One pass over the name: find the ':' and the first ';', and check whether the name part is already clean
  // and has no empty node, so the common line needs no sanitising and no second scan.
  let clean = true;
  let afterDot = true;
  let emptyNode = false;
  let semi = -1;
  let colon = 0;
  for (; colon < end; colon++) {
    const c = line.charCodeAt(colon);
    if (c === COLON) break;
    if (c === PIPE) break;
    if (semi !== -1) continue;
    if (c === SEMI) {
      semi = colon;
    } else if (c === DOT) {
      if (afterDot) emptyNode = true;
      afterDot = true;
    } else {
      afterDot = false;
      if (c >= 128 || NAME_CHARS[c] === 0) clean = false;
    }
  }
  if (colon === end || line.charCodeAt(colon) !== COLON) {
    sink.bad(line, 'missing ":" between name and value');
    return;
  }
  const nameEnd = semi === -1 ? colon : semi;
  let name = line.slice(0, nameEnd);
  if (clean) {
    emptyNode ||= afterDot;
  } else {
    name = sanitizeName(name);
    emptyNode = hasEmptyNode(name);
  }
  if (name.length === 0) {
    sink.bad(line, 'empty metric name');
    return;
  }
  if (emptyNode) {
    sink.bad(line, `empty path node in metric name ${quote(name)}`);
    return;
  }
  let key = name;
  let hash = tagField(line, colon);
  if (nameEnd < colon || hash !== -1) {
    const tags = new Map<string, string>();
    if (nameEnd < colon) addTagList(tags, line, nameEnd + 1, colon, ';', '=');
    while (hash !== -1) {
      let tagsEnd = line.indexOf('|', hash + 2);
      if (tagsEnd === -1) tagsEnd = end;
      addTagList(tags, line, hash + 2, tagsEnd, ',', ':');
      hash = tagField(line, tagsEnd);
    }
    key += tagSuffix(tags);
  }

  let p = colon + 1;
  for (;;) {
    const valuesStart = p;
    const valuesEnd = line.indexOf('|', p);
    if (valuesEnd === -1) {
      sink.bad(line, `missing type after ${quote(line.slice(valuesStart))}`);
      return;
    }
    const typeEnd = nextDelimiter(line, valuesEnd + 1, end);
    const type = typeOf(line, valuesEnd + 1, typeEnd);
    let rate = 1;
    let ts = 0;
    let error: string | undefined;
    let next = -1;
    if (typeEnd < end) {
      if (line.charCodeAt(typeEnd) === COLON) {
        next = typeEnd + 1;
      } else {
        let f = typeEnd + 1;
        while (f < end) {
          const c0 = line.charCodeAt(f);
          let fe: number;
          if (c0 === AT || c0 === UPPER_T) {
            fe = nextDelimiter(line, f + 1, end);
            if (c0 === AT) {
              const r = parseDecimal(line, f + 1, fe);
              // NaN fails both comparisons.
              if (r > 0 && r <= 1) rate = r;
              else error ??= `invalid sample rate ${quote(line.slice(f, fe))}`;
            } else {
              ts = parseEpochSeconds(line, f + 1, fe);
              if (ts === 0) error ??= `invalid timestamp ${quote(line.slice(f, fe))}`;
            }
          } else {
            // #tags (already collected), c:, e:, card: and unknown fields: ignored, and may contain ':'.
            fe = line.indexOf('|', f);
            if (fe === -1) fe = end;
          }
          if (fe < end && line.charCodeAt(fe) === COLON) {
            next = fe + 1;
            break;
          }
          f = fe + 1;
        }
      }
    }

    if (type === TYPE_INVALID) {
      sink.bad(line, `invalid metric type ${quote(line.slice(valuesEnd + 1, typeEnd))}`);
    } else if (error !== undefined) {
      sink.bad(line, error);
    } else if (type === TYPE_SET) {
      // Sets don't pack: `k:a:b|s` is the one member "a:b".
      if (valuesEnd > valuesStart) sink.set(key, line.slice(valuesStart, valuesEnd));
      else sink.bad(line, 'empty set member');
    } else {
      let any = false;
      let a = valuesStart;
      while (a < valuesEnd) {
        const b = nextDelimiter(line, a, valuesEnd);
        // Empty packed elements (`1::2`) are skipped, as the Datadog Agent does.
        if (b > a) {
          any = true;
          emitValue(line, a, b, type, key, rate, ts, sink);
        }
        a = b + 1;
      }
      if (!any) sink.bad(line, 'empty value');
    }

    if (next === -1) return;
    p = next;
  }
}

function parseLine(line: string, sink: LineSink): void {
  if (line.charCodeAt(0) === UNDERSCORE) {
    if (line.startsWith('_e{')) {
      const ev = parseEvent(line);
      if (typeof ev === 'string') sink.bad(line, ev);
      else sink.event(ev);
      return;
    }
    if (line.startsWith('_sc|')) {
      const sc = parseServiceCheck(line);
      if (typeof sc === 'string') sink.bad(line, sc);
      else sink.serviceCheck(sc);
      return;
    }
  }
  parseMetric(line, sink);
}

/** Parses one datagram or one newline-delimited chunk. Returns the number of non-empty lines seen (etsy's metrics_received). */
export function parsePacket(packet: string, sink: LineSink, options: ParseOptions = DEFAULT_PARSE_OPTIONS): number {
  const max = options.maxLineLength;
  const len = packet.length;
  let seen = 0;
  let start = 0;
  while (start <= len) {
    let nl = packet.indexOf('\n', start);
    if (nl === -1) nl = len;
    let stop = nl;
    if (stop > start && packet.charCodeAt(stop - 1) === CR) stop--;
    if (stop > start) {
      seen++;
      // The usual single-line datagram is passed through without a copy.
      const line = start === 0 && stop === len ? packet : packet.slice(start, stop);
      if (stop - start > max) sink.bad(line, `line longer than ${max} characters`);
      else parseLine(line, sink);
    }
    start = nl + 1;
  }
  return seen;
}
