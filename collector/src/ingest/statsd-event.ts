/**
 * DogStatsD events (`_e{…}`) and service checks (`_sc|…`): one line in, one record or a rejection reason out.
 * Pure: no I/O, no clock. Strings, hostnames and tags are kept as sent; only the metric path sanitises names.
 */

export interface StatsdEvent {
  title: string;
  text: string;
  /** Epoch seconds from `d:`. */
  timestamp?: number;
  hostname?: string;
  aggregationKey?: string;
  priority?: 'normal' | 'low';
  sourceType?: string;
  alertType?: 'error' | 'warning' | 'info' | 'success';
  /** Raw tags as sent, e.g. ["deploy","service:api"]. */
  tags: string[];
}

export interface ServiceCheck {
  name: string;
  status: 0 | 1 | 2 | 3;
  timestamp?: number;
  hostname?: string;
  message?: string;
  tags: string[];
}

const PIPE = 124;
const COLON = 58;
const HASH = 35;
const ZERO = 48;
const NINE = 57;

/** 15 digits always fit in a safe integer; epoch seconds need 10. */
const MAX_EPOCH_DIGITS = 15;

/** Epoch seconds in s[start, end): a positive decimal integer, else 0 (callers treat 0 as "invalid"). */
export function parseEpochSeconds(s: string, start: number, end: number): number {
  if (end <= start || end - start > MAX_EPOCH_DIGITS) return 0;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return 0;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/** A non-negative decimal integer in s[start, end) (header lengths), else -1. */
function parseLength(s: string, start: number, end: number): number {
  if (end <= start || end - start > 9) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/**
 * The string index `bytes` UTF-8 bytes after `from`, or -1 if that lands past the end or inside a character.
 * Lone surrogates count 3 bytes, as TextEncoder writes them as U+FFFD.
 */
function advanceUtf8(s: string, from: number, bytes: number): number {
  let i = from;
  let left = bytes;
  const n = s.length;
  while (left > 0) {
    if (i >= n) return -1;
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      left -= 1;
      i += 1;
    } else if (c < 0x800) {
      left -= 2;
      i += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        left -= 4;
        i += 2;
      } else {
        left -= 3;
        i += 1;
      }
    } else {
      left -= 3;
      i += 1;
    }
  }
  return left === 0 ? i : -1;
}

/**
 * Where title and text end, trying one length convention. Returns the text end, or -1 when the delimiters
 * don't line up; the title end is then text start - 1, recovered by the caller.
 */
function locateBody(line: string, bodyStart: number, titleLen: number, textLen: number, utf8: boolean): number {
  const titleEnd = utf8 ? advanceUtf8(line, bodyStart, titleLen) : bodyStart + titleLen;
  if (titleEnd < 0 || titleEnd >= line.length || line.charCodeAt(titleEnd) !== PIPE) return -1;
  const textStart = titleEnd + 1;
  const textEnd = utf8 ? advanceUtf8(line, textStart, textLen) : textStart + textLen;
  if (textEnd < 0 || textEnd > line.length) return -1;
  if (textEnd < line.length && line.charCodeAt(textEnd) !== PIPE) return -1;
  return textEnd;
}

/** DogStatsD escapes newlines as the two characters `\n`. */
function unescapeNewlines(s: string): string {
  return s.includes('\\n') ? s.replaceAll('\\n', '\n') : s;
}

function pushTags(tags: string[], s: string, start: number, end: number): void {
  let a = start;
  while (a < end) {
    let b = s.indexOf(',', a);
    if (b === -1 || b > end) b = end;
    if (b > a) tags.push(s.slice(a, b));
    a = b + 1;
  }
}

function fieldEnd(s: string, from: number): number {
  const i = s.indexOf('|', from);
  return i === -1 ? s.length : i;
}

/**
 * Parses `_e{<titleLen>,<textLen>}:<title>|<text>[|d:…|h:…|k:…|p:…|s:…|t:…|#…]`.
 * The spec's lengths are UTF-8 bytes but hot-shots sends UTF-16 `.length`: the spec's reading is tried first,
 * then the other. Bad optional fields are ignored, as the Datadog Agent does.
 */
export function parseEvent(line: string): StatsdEvent | string {
  const comma = line.indexOf(',', 3);
  const close = line.indexOf('}', 3);
  if (comma === -1 || close === -1 || comma > close || line.charCodeAt(close + 1) !== COLON) {
    return 'malformed event header';
  }
  const titleLen = parseLength(line, 3, comma);
  const textLen = parseLength(line, comma + 1, close);
  if (titleLen < 0 || textLen < 0) return 'malformed event header';
  if (titleLen === 0) return 'empty event title';
  const bodyStart = close + 2;
  let textEnd = locateBody(line, bodyStart, titleLen, textLen, true);
  let titleEnd: number;
  if (textEnd >= 0) {
    titleEnd = advanceUtf8(line, bodyStart, titleLen);
  } else {
    textEnd = locateBody(line, bodyStart, titleLen, textLen, false);
    if (textEnd < 0) return 'event title/text lengths do not match the header';
    titleEnd = bodyStart + titleLen;
  }
  const ev: StatsdEvent = {
    title: line.slice(bodyStart, titleEnd),
    text: unescapeNewlines(line.slice(titleEnd + 1, textEnd)),
    tags: [],
  };
  let f = textEnd + 1;
  while (f < line.length) {
    const fe = fieldEnd(line, f);
    const c0 = line.charCodeAt(f);
    if (c0 === HASH) {
      pushTags(ev.tags, line, f + 1, fe);
    } else if (fe - f > 2 && line.charCodeAt(f + 1) === COLON) {
      const v = line.slice(f + 2, fe);
      switch (c0) {
        case 100 /* d */:
          {
            const ts = parseEpochSeconds(line, f + 2, fe);
            if (ts > 0) ev.timestamp = ts;
            break;
          }
        case 104 /* h */:
          ev.hostname = v;
          break;
        case 107 /* k */:
          ev.aggregationKey = v;
          break;
        case 112 /* p */:
          if (v === 'normal' || v === 'low') ev.priority = v;
          break;
        case 115 /* s */:
          ev.sourceType = v;
          break;
        case 116 /* t */:
          if (v === 'error' || v === 'warning' || v === 'info' || v === 'success') ev.alertType = v;
          break;
      }
    }
    f = fe + 1;
  }
  return ev;
}

/** Parses `_sc|<name>|<0..3>[|d:…|h:…|#…|m:<message, may contain '|'>]`. */
export function parseServiceCheck(line: string): ServiceCheck | string {
  const nameEnd = line.indexOf('|', 4);
  if (nameEnd === -1) return 'missing service check status';
  if (nameEnd === 4) return 'empty service check name';
  const statusEnd = fieldEnd(line, nameEnd + 1);
  const sc = line.charCodeAt(nameEnd + 1) - ZERO;
  if (statusEnd !== nameEnd + 2 || !(sc >= 0 && sc <= 3)) return 'invalid service check status';
  const check: ServiceCheck = { name: line.slice(4, nameEnd), status: sc as 0 | 1 | 2 | 3, tags: [] };
  let f = statusEnd + 1;
  while (f < line.length) {
    const c0 = line.charCodeAt(f);
    // m: is the last field by spec, so it owns the rest of the line including any '|'.
    if (c0 === 109 /* m */ && line.charCodeAt(f + 1) === COLON) {
      if (f + 2 < line.length) check.message = unescapeNewlines(line.slice(f + 2));
      break;
    }
    const fe = fieldEnd(line, f);
    if (c0 === HASH) {
      pushTags(check.tags, line, f + 1, fe);
    } else if (fe - f > 2 && line.charCodeAt(f + 1) === COLON) {
      if (c0 === 100 /* d */) {
        const ts = parseEpochSeconds(line, f + 2, fe);
        if (ts > 0) check.timestamp = ts;
      } else if (c0 === 104 /* h */) {
        check.hostname = line.slice(f + 2, fe);
      }
    }
    f = fe + 1;
  }
  return check;
}
