/**
 * Pure wire formatting: names, tags and values in, StatsD/DogStatsD lines out. No I/O, no clock.
 *
 * The rules mirror the collector's parser (collector/src/ingest/statsd-line.ts) so that what the library
 * sends is stored under exactly the name it would compute itself, and everything it emits is ASCII: one
 * character is one byte, which is what lets the batcher count bytes without encoding anything.
 */

export type TagValue = string | number | boolean;
/** `{ route: '/users', status: 200 }` or `['route:/users', 'status:200', 'canary']`; undefined values are skipped. */
export type Tags = Readonly<Record<string, TagValue | undefined>> | readonly string[];

/** The longest line the collector accepts by default (its --max-line-length). */
export const MAX_LINE_BYTES = 8192;

const MINUS = 45;
const DOT = 46;
const SLASH = 47;

/** 1 for the characters kept as they are: [A-Za-z0-9_.-]. */
const KEEP = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  KEEP[c] =
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === MINUS || c === DOT
      ? 1
      : 0;
}

/** JavaScript's `\s`, the whitespace the collector turns into `_`. */
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
 * The collector's name rule: a run of whitespace becomes `_`, `/` becomes `-`, and anything else outside
 * [A-Za-z0-9_.-] is dropped. Returns `s` itself when it is already clean.
 */
export function sanitizeName(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 128 || KEEP[c] === 0) break;
    i++;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  let inSpace = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && KEEP[c] === 1) {
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

/**
 * A metric path: sanitised, then without empty nodes (`a..b` → `a.b`, no leading or trailing dot), which
 * the collector would reject. '' when nothing is left.
 */
export function sanitizePath(s: string): string {
  const clean = sanitizeName(s);
  const n = clean.length;
  if (n === 0) return '';
  if (clean.charCodeAt(0) !== DOT && clean.charCodeAt(n - 1) !== DOT && !clean.includes('..')) return clean;
  let out = '';
  for (const node of clean.split('.')) {
    if (node === '') continue;
    out = out === '' ? node : `${out}.${node}`;
  }
  return out;
}

/** `prefix.name`, either side possibly empty; both already sanitised. */
export function joinPath(prefix: string, name: string): string {
  if (prefix === '') return name;
  if (name === '') return prefix;
  return `${prefix}.${name}`;
}

/** One tag value as text, or undefined for null/undefined (the tag is skipped). */
function tagText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Calls `each(key, value)` for every tag that survives sanitising. An array element is `key:value`,
 * `key=value` (split at the first `:` or `=`) or a bare `tag`, which means `tag:true`, as in the
 * collector. Empty keys or values, and the key `name` (Graphite reserves it), are dropped.
 */
export function forEachTag(tags: Tags, each: (key: string, value: string) => void): void {
  if (typeof tags !== 'object' || tags === null) return; // not tags at all (untyped callers): none
  if (Array.isArray(tags)) {
    for (const raw of tags as readonly unknown[]) {
      const t = tagText(raw);
      if (t === undefined) continue;
      let at = -1;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 58 /* : */ || c === 61 /* = */) {
          at = i;
          break;
        }
      }
      const key = sanitizeName(at === -1 ? t : t.slice(0, at));
      const value = at === -1 ? 'true' : sanitizeName(t.slice(at + 1));
      if (key !== '' && value !== '' && key !== 'name') each(key, value);
    }
    return;
  }
  const record = tags as Readonly<Record<string, unknown>>;
  for (const k in record) {
    const v = tagText(record[k]);
    if (v === undefined) continue;
    const key = sanitizeName(k);
    const value = sanitizeName(v);
    if (key !== '' && value !== '' && key !== 'name') each(key, value);
  }
}

/** Sanitised tags, later keys overriding earlier ones. */
export function tagMap(...sources: Array<Tags | undefined>): Map<string, string> {
  const map = new Map<string, string>();
  for (const tags of sources) if (tags !== undefined) forEachTag(tags, (k, v) => map.set(k, v));
  return map;
}

/** The DogStatsD tag field for a map: `|#k:v,k2:v2`, or '' for none. */
export function tagSuffix(map: ReadonlyMap<string, string>): string {
  if (map.size === 0) return '';
  let out = '';
  for (const [k, v] of map) out += out === '' ? `|#${k}:${v}` : `,${k}:${v}`;
  return out;
}

/**
 * The tag field for scope tags plus call tags, the call winning on a shared key. The common case (no
 * shared key) appends to the scope's precomputed suffix without building a map.
 */
export function mergeTagSuffix(base: ReadonlyMap<string, string>, baseSuffix: string, tags: Tags): string {
  let extra = '';
  let clash = false;
  forEachTag(tags, (k, v) => {
    if (base.has(k) || extra.includes(`,${k}:`) || extra.startsWith(`${k}:`)) clash = true;
    extra += extra === '' ? `${k}:${v}` : `,${k}:${v}`;
  });
  if (extra === '') return baseSuffix;
  if (clash) {
    const map = new Map(base);
    forEachTag(tags, (k, v) => map.set(k, v));
    return tagSuffix(map);
  }
  return baseSuffix === '' ? `|#${extra}` : `${baseSuffix},${extra}`;
}

/** Parses a tag field built by tagSuffix back into an object (for the memory double). */
export function parseTagSuffix(suffix: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (suffix === '') return out;
  for (const part of suffix.slice(2).split(',')) {
    const at = part.indexOf(':');
    out[part.slice(0, at)] = part.slice(at + 1);
  }
  return out;
}

/** A tag list for an HTTP event (`deploy`, `service:api`): bare tags stay bare. */
export function eventTags(...sources: Array<Tags | undefined>): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (const tags of sources) {
    if (tags === undefined) continue;
    forEachTag(tags, (k, v) => {
      const text = v === 'true' ? k : `${k}:${v}`;
      const at = seen.get(k);
      if (at === undefined) {
        seen.set(k, out.length);
        out.push(text);
      } else {
        out[at] = text;
      }
    });
  }
  return out;
}

/**
 * A set member the collector reads back as one member: printable ASCII without `%` or `|` is kept;
 * anything else is percent-encoded as a whole (so distinct members stay distinct). '' if it can't be.
 */
export function encodeSetMember(member: string): string {
  for (let i = 0; i < member.length; i++) {
    const c = member.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 37 /* % */ || c === 124 /* | */) {
      try {
        return encodeURIComponent(member);
      } catch {
        return ''; // a lone surrogate
      }
    }
  }
  return member;
}

/** `|@0.25`, or '' at rate 1. */
export function rateField(rate: number): string {
  return rate < 1 ? `|@${rate}` : '';
}

/** Milliseconds rounded to the microsecond, which is all a timer line needs. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
