import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { defineFunction, type FunctionDef } from './define.js';
import { formatG, renamed } from './series-util.js';

/**
 * graphite-web's 'Filter Series' and 'Filter Data' functions. Series pass through untouched (same name,
 * tags and values) unless the function says otherwise; only removeAboveValue/removeBelowValue rename.
 */

// ---------------------------------------------------------------------------------------------------------
// Aggregating one series, as graphite-web's functions/aggfuncs.py over functions/safe.py (null = None).
// ---------------------------------------------------------------------------------------------------------

/** Null-aware aggregate of one series' values; `null` where graphite returns None. */
export function aggregateValues(func: string, values: ArrayLike<number>): number | null {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present.push(values[i]);
  const sum = (xs: readonly number[]): number => {
    let total = 0;
    for (const x of xs) total += x;
    return total;
  };
  switch (func) {
    case 'average':
    case 'avg':
      return present.length ? sum(present) / present.length : null;
    case 'avg_zero':
      // safeAvgZero: nulls count as 0; None only for an empty series.
      return values.length ? sum(present) / values.length : null;
    case 'median': {
      if (!present.length) return null;
      const sorted = [...present].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
    case 'sum':
    case 'total':
      return present.length ? sum(present) : null;
    case 'min':
      return present.length ? Math.min(...present) : null;
    case 'max':
      return present.length ? Math.max(...present) : null;
    case 'diff':
      return present.length ? present.slice(1).reduce((acc, v) => acc - v, present[0]) : null;
    case 'stddev': {
      if (!present.length) return null;
      const mean = sum(present) / present.length;
      let squares = 0;
      for (const v of present) squares += (v - mean) * (v - mean);
      return Math.sqrt(squares / present.length);
    }
    case 'count':
      // safeLen: 0, never None.
      return present.length;
    case 'range':
    case 'rangeOf':
      return present.length ? Math.max(...present) - Math.min(...present) : null;
    case 'multiply':
      // safeMul: any None makes the product None.
      if (!values.length || present.length !== values.length) return null;
      return present.reduce((acc, v) => acc * v, 1);
    case 'last':
    case 'current':
      return present.length ? present[present.length - 1] : null;
    default:
      // The aggFunc parameter type also lets `sumSeries` style names through; like graphite's
      // getAggFunc, the series functions refuse them.
      throw new QueryError(`Unsupported aggregation function: ${func}`);
  }
}

/** graphite's getAggFunc(): resolved before any series is looked at, so a bad name fails even for no series. */
export function checkAggFunc(func: string): void {
  aggregateValues(func, []);
}

/** graphite's keyFunc(): a None aggregate sorts as -inf, on either side of a sort. */
export function sortKey(func: string, series: TimeSeries): number {
  return aggregateValues(func, series.values) ?? Number.NEGATIVE_INFINITY;
}

/**
 * Stable sort by a numeric key, as Python's list.sort(key=…, reverse=…): ties keep their input order in both
 * directions.
 */
export function sortByKey(series: readonly TimeSeries[], key: (s: TimeSeries) => number, reverse: boolean) {
  const keyed = series.map((s) => ({ s, k: key(s) }));
  keyed.sort((a, b) => (reverse ? cmp(b.k, a.k) : cmp(a.k, b.k)));
  return keyed.map((e) => e.s);
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Python `re` patterns run as JavaScript regular expressions.
// ---------------------------------------------------------------------------------------------------------

const UNICODE_WORD = '\\p{L}\\p{N}_';
const ASCII_WORD = 'A-Za-z0-9_';
const ASCII_SPACE = ' \\t\\n\\r\\f\\v';
const VERBOSE_SPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);
const FLAG_LETTERS = /^[aiLmsux]+$/;

type Escape =
  | { kind: 'char'; cp: number }
  /** `inside` is the text for a character class body, `outside` a standalone atom. */
  | { kind: 'set'; inside: string; outside: string }
  | { kind: 'assert'; text: string }
  | { kind: 'backref'; text: string };

/** A literal code point in a form that is valid everywhere in a `v`-mode pattern. */
function literal(cp: number): string {
  const c = String.fromCodePoint(cp);
  return /[A-Za-z0-9_ ]/.test(c) ? c : `\\u{${cp.toString(16)}}`;
}

/**
 * Translates a Python `re` pattern (str pattern, Unicode semantics) into an equivalent JavaScript pattern
 * compiled with the `v` flag, following sre_parse: `(?P<n>…)`, `(?P=n)`, `\A`, `\Z`, Unicode `\d \w \b`,
 * `$` before a trailing newline, `{` that is not a quantifier, a leading `]` in a class, octal escapes,
 * leading global flags `(?imsxa)`. What JavaScript cannot express (atomic groups, possessive quantifiers,
 * conditionals, scoped flags, `\N{…}`) is refused rather than approximated.
 */
class PythonRegexTranslator {
  private pos = 0;
  private out = '';
  private depth = 0;
  /** What the last thing emitted was, to refuse quantifiers as sre_parse does. */
  private last: 'none' | 'atom' | 'assert' | 'repeat' = 'none';
  private readonly flags = { i: false, m: false, s: false, x: false, a: false };

  constructor(private readonly pattern: string) {}

  translate(): RegExp {
    while (this.pos < this.pattern.length) this.token();
    if (this.depth > 0) this.fail('missing ), unterminated subpattern');
    return new RegExp(this.out, this.flags.i ? 'iv' : 'v');
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }

  private peek(offset = 0): string {
    return this.pattern[this.pos + offset] ?? '';
  }

  /** The next code point (whole surrogate pairs), consumed. */
  private nextCodePoint(): number {
    const cp = this.pattern.codePointAt(this.pos);
    if (cp === undefined) this.fail('unexpected end of pattern');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private emit(text: string, kind: 'none' | 'atom' | 'assert' | 'repeat'): void {
    this.out += text;
    this.last = kind;
  }

  private token(): void {
    const c = this.peek();
    if (this.flags.x) {
      if (VERBOSE_SPACE.has(c)) {
        this.pos++;
        return;
      }
      if (c === '#') {
        const nl = this.pattern.indexOf('\n', this.pos);
        this.pos = nl === -1 ? this.pattern.length : nl + 1;
        return;
      }
    }
    switch (c) {
      case '\\': {
        this.pos++;
        const e = this.escape(false);
        if (e.kind === 'char') this.emit(literal(e.cp), 'atom');
        else if (e.kind === 'set') this.emit(e.outside, 'atom');
        else if (e.kind === 'assert') this.emit(e.text, 'assert');
        else this.emit(e.text, 'atom');
        return;
      }
      case '[':
        this.pos++;
        this.emit(this.characterClass(), 'atom');
        return;
      case '(':
        this.pos++;
        this.group();
        return;
      case ')':
        if (this.depth === 0) this.fail('unbalanced parenthesis');
        this.pos++;
        this.depth--;
        this.emit(')', 'atom');
        return;
      case '|':
        this.pos++;
        this.emit('|', 'none');
        return;
      case '.':
        this.pos++;
        this.emit(this.flags.s ? '[\\s\\S]' : '[^\\n]', 'atom');
        return;
      case '^':
        this.pos++;
        this.emit(this.flags.m ? '(?<=^|\\n)' : '^', 'assert');
        return;
      case '$':
        this.pos++;
        // Python's $ also matches just before a newline that ends the string (or any newline with M).
        this.emit(this.flags.m ? '(?=\\n|$)' : '(?=\\n?$)', 'assert');
        return;
      case '*':
      case '+':
      case '?':
        this.pos++;
        this.repeat(c);
        return;
      case '{': {
        const quantifier = this.braceQuantifier();
        if (quantifier !== null) this.repeat(quantifier);
        else this.emit(literal(0x7b), 'atom');
        return;
      }
      default:
        this.emit(literal(this.nextCodePoint()), 'atom');
    }
  }

  private repeat(quantifier: string): void {
    if (this.last === 'none' || this.last === 'assert') this.fail('nothing to repeat');
    if (this.last === 'repeat') this.fail('multiple repeat');
    let text = quantifier;
    if (this.peek() === '?') {
      this.pos++;
      text += '?';
    } else if (this.peek() === '+') {
      this.fail('possessive quantifiers are not supported');
    }
    this.emit(text, 'repeat');
  }

  /** `{m}`, `{m,}`, `{,n}`, `{m,n}` as sre_parse reads them; null (and nothing consumed but `{`) otherwise. */
  private braceQuantifier(): string | null {
    const start = this.pos;
    this.pos++; // {
    const m = /^(\d*)(?:(,)(\d*))?\}/.exec(this.pattern.slice(this.pos));
    if (!m || (m[1] === '' && m[2] === undefined)) {
      // `{}` and anything that is not a repeat count are the literal `{`.
      this.pos = start + 1;
      return null;
    }
    this.pos += m[0].length;
    const lo = m[1] === '' ? '0' : m[1];
    if (m[2] === undefined) return `{${lo}}`;
    if (m[3] !== '' && Number(m[3]) < Number(lo)) this.fail('min repeat greater than max repeat');
    return `{${lo},${m[3]}}`;
  }

  private group(): void {
    if (this.peek() !== '?') {
      this.depth++;
      this.emit('(', 'none');
      return;
    }
    const rest = this.pattern.slice(this.pos + 1);
    const flagGroup = /^([aiLmsux]*)(?:-([imsx]*))?([:)])/.exec(rest);
    if (rest.startsWith('P<')) {
      const end = rest.indexOf('>');
      if (end === -1) this.fail('missing >, unterminated name');
      const name = rest.slice(2, end);
      this.pos += 1 + end + 1;
      this.depth++;
      this.emit(`(?<${name}>`, 'none');
    } else if (rest.startsWith('P=')) {
      const end = rest.indexOf(')');
      if (end === -1) this.fail('missing ), unterminated name');
      const name = rest.slice(2, end);
      this.pos += 1 + end + 1;
      this.emit(`(?:\\k<${name}>)`, 'atom');
    } else if (rest.startsWith('#')) {
      const end = rest.indexOf(')');
      if (end === -1) this.fail('missing ), unterminated comment');
      this.pos += 1 + end + 1;
    } else if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!')) {
      this.pos += 2;
      this.depth++;
      this.emit(`(?${rest[0]}`, 'none');
    } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
      this.pos += 3;
      this.depth++;
      this.emit(`(?${rest.slice(0, 2)}`, 'none');
    } else if (rest.startsWith('>')) {
      this.fail('atomic groups are not supported');
    } else if (rest.startsWith('(')) {
      this.fail('conditional groups are not supported');
    } else if (flagGroup && flagGroup[1] === '' && flagGroup[2] === undefined) {
      this.fail(`unknown extension ?${rest[0] ?? ''}`);
    } else if (flagGroup && flagGroup[3] === ')' && flagGroup[2] === undefined && FLAG_LETTERS.test(flagGroup[1])) {
      if (this.out !== '' || this.depth > 0) this.fail('global flags not at the start of the expression');
      const letters = flagGroup[1];
      if (letters.includes('L')) this.fail('cannot use LOCALE flag with a str pattern');
      if (letters.includes('a') && letters.includes('u')) this.fail('ASCII and UNICODE flags are incompatible');
      for (const f of letters) if (f in this.flags) this.flags[f as keyof typeof this.flags] = true;
      this.pos += 1 + flagGroup[0].length;
    } else if (flagGroup) {
      this.fail('scoped inline flags are not supported');
    } else {
      this.fail(`unknown extension ?${rest[0] ?? ''}`);
    }
  }

  /** Reads an escape after the backslash (sre_parse's _escape / _class_escape). */
  private escape(inClass: boolean): Escape {
    if (this.pos >= this.pattern.length) this.fail('bad escape (end of pattern)');
    const c = this.peek();
    const ascii = this.flags.a;
    const word = ascii ? ASCII_WORD : UNICODE_WORD;
    this.pos++;
    switch (c) {
      case 'd':
        return ascii
          ? { kind: 'set', inside: '0-9', outside: '[0-9]' }
          : { kind: 'set', inside: '\\p{Nd}', outside: '\\p{Nd}' };
      case 'D':
        return ascii
          ? { kind: 'set', inside: '[^0-9]', outside: '[^0-9]' }
          : { kind: 'set', inside: '\\P{Nd}', outside: '\\P{Nd}' };
      case 'w':
        return { kind: 'set', inside: word, outside: `[${word}]` };
      case 'W':
        return { kind: 'set', inside: `[^${word}]`, outside: `[^${word}]` };
      case 's':
        return ascii
          ? { kind: 'set', inside: ASCII_SPACE, outside: `[${ASCII_SPACE}]` }
          : { kind: 'set', inside: '\\s', outside: '\\s' };
      case 'S':
        return ascii
          ? { kind: 'set', inside: `[^${ASCII_SPACE}]`, outside: `[^${ASCII_SPACE}]` }
          : { kind: 'set', inside: '\\S', outside: '\\S' };
      case 'a':
        return { kind: 'char', cp: 0x07 };
      case 'f':
        return { kind: 'char', cp: 0x0c };
      case 'n':
        return { kind: 'char', cp: 0x0a };
      case 'r':
        return { kind: 'char', cp: 0x0d };
      case 't':
        return { kind: 'char', cp: 0x09 };
      case 'v':
        return { kind: 'char', cp: 0x0b };
      case 'x':
        return { kind: 'char', cp: this.hex(2) };
      case 'u':
        return { kind: 'char', cp: this.hex(4) };
      case 'U': {
        const cp = this.hex(8);
        if (cp > 0x10ffff) this.fail('bad escape \\U');
        return { kind: 'char', cp };
      }
      case 'N':
        return this.fail('named character escapes (\\N{…}) are not supported');
    }
    if (inClass) {
      if (c === 'b') return { kind: 'char', cp: 0x08 };
      if (/[0-7]/.test(c)) return { kind: 'char', cp: this.octal(c) };
    } else {
      const boundary = `(?<=[${word}])(?![${word}])|(?<![${word}])(?=[${word}])`;
      const inside = `(?<=[${word}])(?=[${word}])|(?<![${word}])(?![${word}])`;
      if (c === 'A') return { kind: 'assert', text: '^' };
      if (c === 'Z') return { kind: 'assert', text: '$' };
      if (c === 'b') return { kind: 'assert', text: `(?:${boundary})` };
      if (c === 'B') return { kind: 'assert', text: `(?:${inside})` };
      if (c === '0') return { kind: 'char', cp: this.octal(c) };
      if (/[1-9]/.test(c)) {
        let digits = c;
        if (/[0-9]/.test(this.peek())) {
          digits += this.peek();
          this.pos++;
          if (/[0-7]/.test(digits[0]) && /[0-7]/.test(digits[1]) && /[0-7]/.test(this.peek())) {
            digits += this.peek();
            this.pos++;
            const cp = Number.parseInt(digits, 8);
            if (cp > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`);
            return { kind: 'char', cp };
          }
        }
        return { kind: 'backref', text: `(?:\\${digits})` };
      }
    }
    if (/[A-Za-z0-9]/.test(c)) this.fail(`bad escape \\${c}`);
    // Any other escaped character stands for itself.
    this.pos--;
    return { kind: 'char', cp: this.nextCodePoint() };
  }

  private hex(digits: number): number {
    const text = this.pattern.slice(this.pos, this.pos + digits);
    if (text.length !== digits || !/^[0-9A-Fa-f]+$/.test(text)) this.fail('incomplete escape');
    this.pos += digits;
    return Number.parseInt(text, 16);
  }

  /** `\0`, `\0o`, `\0oo` and, in a class, `\o`, `\oo`, `\ooo`: up to two more octal digits. */
  private octal(first: string): number {
    let digits = first;
    while (digits.length < 3 && /[0-7]/.test(this.peek())) {
      digits += this.peek();
      this.pos++;
    }
    const cp = Number.parseInt(digits, 8);
    if (cp > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`);
    return cp;
  }

  /** A `[...]` set (the `[` already read), as sre_parse reads it: a leading `]` is literal. */
  private characterClass(): string {
    let body = '';
    let items = 0;
    const negate = this.peek() === '^';
    if (negate) this.pos++;
    for (;;) {
      if (this.pos >= this.pattern.length) this.fail('unterminated character set');
      if (this.peek() === ']' && items > 0) {
        this.pos++;
        break;
      }
      const first = this.classAtom();
      items++;
      if (this.peek() === '-') {
        this.pos++;
        if (this.pos >= this.pattern.length) this.fail('unterminated character set');
        if (this.peek() === ']') {
          this.pos++;
          body += this.classText(first) + literal(0x2d);
          break;
        }
        const second = this.classAtom();
        if (first.kind !== 'char' || second.kind !== 'char' || second.cp < first.cp) {
          this.fail('bad character range');
        }
        body += `${literal(first.cp)}-${literal(second.cp)}`;
      } else {
        body += this.classText(first);
      }
    }
    return `[${negate ? '^' : ''}${body}]`;
  }

  private classAtom(): Escape {
    if (this.peek() === '\\') {
      this.pos++;
      return this.escape(true);
    }
    return { kind: 'char', cp: this.nextCodePoint() };
  }

  private classText(e: Escape): string {
    return e.kind === 'char' ? literal(e.cp) : e.kind === 'set' ? e.inside : '';
  }
}

/**
 * Compiles a Python regular expression for `re.search`/`re.match` style use; a pattern Python would reject
 * (or that JavaScript cannot run with Python's meaning) is a QueryError.
 */
export function pythonRegex(pattern: string): RegExp {
  try {
    return new PythonRegexTranslator(pattern).translate();
  } catch (err) {
    // V8's messages repeat the (translated) pattern: keep only the reason.
    const reason =
      err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(err);
    throw new QueryError(`Invalid regular expression "${pattern}": ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The functions.
// ---------------------------------------------------------------------------------------------------------

/** graphite's filterSeries operators; a None aggregate passes `!=`, `<` and `<=` and fails the rest. */
const OPERATORS: Record<string, (value: number | null, threshold: number) => boolean> = {
  '=': (v, t) => v !== null && v === t,
  '!=': (v, t) => v === null || v !== t,
  '>': (v, t) => v !== null && v > t,
  '>=': (v, t) => v !== null && v >= t,
  '<': (v, t) => v === null || v < t,
  '<=': (v, t) => v === null || v <= t,
};
const OPERATOR_NAMES = Object.keys(OPERATORS).sort();

function filterBy(series: readonly TimeSeries[], func: string, operator: string, threshold: number): TimeSeries[] {
  checkAggFunc(func);
  const test = Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator] : undefined;
  if (!test) throw new QueryError(`Unsupported operator: ${operator}`);
  return series.filter((s) => test(aggregateValues(func, s.values), threshold));
}

/** highest()/lowest(): sort by the aggregate (None as -inf, ties in input order) and keep the first n. */
function highest(series: readonly TimeSeries[], n: number, func: string): TimeSeries[] {
  checkAggFunc(func);
  return sortByKey(series, (s) => sortKey(func, s), true).slice(0, n);
}
function lowest(series: readonly TimeSeries[], n: number, func: string): TimeSeries[] {
  checkAggFunc(func);
  return sortByKey(series, (s) => sortKey(func, s), false).slice(0, n);
}

const seriesListParam = { name: 'seriesList', type: 'seriesList', required: true } as const;
const countParam = { name: 'n', type: 'integer', required: true } as const;
const thresholdParam = { name: 'n', type: 'float', required: true } as const;

export const filterSeries = defineFunction({
  name: 'filterSeries',
  group: 'Filter Series',
  description:
    'Keeps the series whose aggregate (`func`, e.g. max or average) compares with `threshold` by `operator` ' +
    '(=, !=, >, >=, < or <=). A series whose aggregate is null passes !=, < and <= and fails the others.\n\n' +
    "Example: `&target=filterSeries(system.interface.eth*.packetsSent, 'max', '>', 1000)`",
  params: [
    seriesListParam,
    { name: 'func', type: 'aggFunc', required: true },
    { name: 'operator', type: 'string', required: true, options: OPERATOR_NAMES },
    { name: 'threshold', type: 'float', required: true },
  ],
  run(_ctx, series, func, operator, threshold) {
    return filterBy(series, func, operator, threshold);
  },
});

function thresholdFilter(name: string, func: string, operator: '>' | '<=', description: string): FunctionDef {
  return defineFunction({
    name,
    group: 'Filter Series',
    description,
    params: [seriesListParam, thresholdParam],
    run(_ctx, series, n) {
      return filterBy(series, func, operator, n);
    },
  });
}

export const maximumAbove = thresholdFilter(
  'maximumAbove',
  'max',
  '>',
  'Keeps the series whose maximum is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=maximumAbove(system.interface.eth*.packetsSent,1000)`',
);
export const maximumBelow = thresholdFilter(
  'maximumBelow',
  'max',
  '<=',
  'Keeps the series whose maximum is at or below `n`; an all-null series is kept.\n\n' +
    'Example: `&target=maximumBelow(system.interface.eth*.packetsSent,1000)`',
);
export const minimumAbove = thresholdFilter(
  'minimumAbove',
  'min',
  '>',
  'Keeps the series whose minimum is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=minimumAbove(system.interface.eth*.packetsSent,1000)`',
);
export const minimumBelow = thresholdFilter(
  'minimumBelow',
  'min',
  '<=',
  'Keeps the series whose minimum is at or below `n` (it dipped that low at least once); an all-null series is kept.\n\n' +
    'Example: `&target=minimumBelow(system.interface.eth*.packetsSent,1000)`',
);
export const currentAbove = thresholdFilter(
  'currentAbove',
  'last',
  '>',
  'Keeps the series whose last non-null value is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=currentAbove(server*.instance*.threads.busy,50)`',
);
export const currentBelow = thresholdFilter(
  'currentBelow',
  'last',
  '<=',
  'Keeps the series whose last non-null value is at or below `n`; an all-null series is kept.\n\n' +
    'Example: `&target=currentBelow(server*.instance*.threads.busy,3)`',
);
export const averageAbove = thresholdFilter(
  'averageAbove',
  'average',
  '>',
  'Keeps the series whose average (of the non-null values) is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=averageAbove(server*.instance*.threads.busy,25)`',
);
export const averageBelow = thresholdFilter(
  'averageBelow',
  'average',
  '<=',
  'Keeps the series whose average (of the non-null values) is at or below `n`; an all-null series is kept.\n\n' +
    'Example: `&target=averageBelow(server*.instance*.threads.busy,25)`',
);

export const highestFn = defineFunction({
  name: 'highest',
  group: 'Filter Series',
  description:
    'Keeps the `n` series with the highest aggregate (`func`, average by default), highest first. A null ' +
    'aggregate ranks lowest; ties keep their input order.\n\n' +
    "Example: `&target=highest(server*.instance*.threads.busy,5,'max')`",
  params: [seriesListParam, countParam, { name: 'func', type: 'aggFunc', default: 'average' }],
  run(_ctx, series, n, func) {
    return highest(series, n, func);
  },
});

export const lowestFn = defineFunction({
  name: 'lowest',
  group: 'Filter Series',
  description:
    'Keeps the `n` series with the lowest aggregate (`func`, average by default), lowest first. As in ' +
    'graphite-web a null aggregate counts as -inf, so all-null series come first; ties keep their input order.\n\n' +
    "Example: `&target=lowest(server*.instance*.threads.busy,5,'min')`",
  params: [seriesListParam, countParam, { name: 'func', type: 'aggFunc', default: 'average' }],
  run(_ctx, series, n, func) {
    return lowest(series, n, func);
  },
});

function ranked(name: string, func: string, high: boolean, description: string): FunctionDef {
  return defineFunction({
    name,
    group: 'Filter Series',
    description,
    params: [seriesListParam, countParam],
    run(_ctx, series, n) {
      return high ? highest(series, n, func) : lowest(series, n, func);
    },
  });
}

export const highestCurrent = ranked(
  'highestCurrent',
  'current',
  true,
  'Keeps the `n` series with the highest last non-null value, highest first; all-null series rank last.\n\n' +
    'Example: `&target=highestCurrent(server*.instance*.threads.busy,5)`',
);
export const highestMax = ranked(
  'highestMax',
  'max',
  true,
  'Keeps the `n` series with the highest maximum, highest first; all-null series rank last.\n\n' +
    'Example: `&target=highestMax(server*.instance*.threads.busy,5)`',
);
export const highestAverage = ranked(
  'highestAverage',
  'average',
  true,
  'Keeps the `n` series with the highest average (of the non-null values), highest first; all-null series rank last.\n\n' +
    'Example: `&target=highestAverage(server*.instance*.threads.busy,5)`',
);
export const lowestCurrent = ranked(
  'lowestCurrent',
  'current',
  false,
  'Keeps the `n` series with the lowest last non-null value, lowest first. As in graphite-web an all-null ' +
    'series counts as -inf and so comes first.\n\n' +
    'Example: `&target=lowestCurrent(server*.instance*.threads.busy,5)`',
);
export const lowestAverage = ranked(
  'lowestAverage',
  'average',
  false,
  'Keeps the `n` series with the lowest average, lowest first. As in graphite-web an all-null series counts ' +
    'as -inf and so comes first.\n\n' +
    'Example: `&target=lowestAverage(server*.instance*.threads.busy,5)`',
);

export const removeAboveValue = defineFunction({
  name: 'removeAboveValue',
  group: 'Filter Data',
  description:
    'Sets every value strictly above `n` to null, and names the series `removeAboveValue(<name>, <n>)`.\n\n' +
    'Example: `&target=removeAboveValue(Server.instance01.threads.busy, 1000)`',
  params: [seriesListParam, thresholdParam],
  run(_ctx, series, n) {
    return series.map((s) => {
      const values = s.values.map((v) => (v > n ? Number.NaN : v));
      return renamed(s, `removeAboveValue(${s.name}, ${formatG(n)})`, values);
    });
  },
});

export const removeBelowValue = defineFunction({
  name: 'removeBelowValue',
  group: 'Filter Data',
  description:
    'Sets every value strictly below `n` to null, and names the series `removeBelowValue(<name>, <n>)`.\n\n' +
    'Example: `&target=removeBelowValue(Server.instance01.threads.busy, 0)`',
  params: [seriesListParam, thresholdParam],
  run(_ctx, series, n) {
    return series.map((s) => {
      const values = s.values.map((v) => (v < n ? Number.NaN : v));
      return renamed(s, `removeBelowValue(${s.name}, ${formatG(n)})`, values);
    });
  },
});

export const removeEmptySeries = defineFunction({
  name: 'removeEmptySeries',
  group: 'Filter Series',
  description:
    'Drops the series with no data. With `xFilesFactor` (0 by default) a series is kept only when at least ' +
    'that fraction of its values is non-null; a series with no non-null value is always dropped.\n\n' +
    'Example: `&target=removeEmptySeries(server*.instance*.threads.busy)`',
  params: [seriesListParam, { name: 'xFilesFactor', type: 'float' }],
  run(_ctx, series, xFilesFactor) {
    const xff = xFilesFactor ?? 0;
    return series.filter((s) => {
      let nonNull = 0;
      for (const v of s.values) if (!Number.isNaN(v)) nonNull++;
      return nonNull > 0 && nonNull / s.values.length >= xff;
    });
  },
});

export const exclude = defineFunction({
  name: 'exclude',
  group: 'Filter Series',
  description:
    'Drops the series whose name the regular expression `pattern` matches anywhere (Python `re.search` ' +
    'semantics).\n\nExample: `&target=exclude(servers*.instance*.threads.busy,"server02")`',
  params: [seriesListParam, { name: 'pattern', type: 'string', required: true }],
  run(_ctx, series, pattern) {
    const re = pythonRegex(pattern);
    return series.filter((s) => !re.test(s.name));
  },
});

export const grep = defineFunction({
  name: 'grep',
  group: 'Filter Series',
  description:
    'Keeps only the series whose name the regular expression `pattern` matches anywhere (Python `re.search` ' +
    'semantics).\n\nExample: `&target=grep(servers*.instance*.threads.busy,"server02")`',
  params: [seriesListParam, { name: 'pattern', type: 'string', required: true }],
  run(_ctx, series, pattern) {
    const re = pythonRegex(pattern);
    return series.filter((s) => re.test(s.name));
  },
});

export const limit = defineFunction({
  name: 'limit',
  group: 'Filter Series',
  description:
    'Keeps the first `n` series of the list (a negative `n` drops that many from the end, as a Python slice).\n\n' +
    'Example: `&target=limit(server*.instance*.memory.free,5)`',
  params: [seriesListParam, countParam],
  run(_ctx, series, n) {
    return series.slice(0, n);
  },
});

export const filterFunctions: FunctionDef[] = [
  filterSeries,
  highestFn,
  lowestFn,
  highestCurrent,
  highestMax,
  highestAverage,
  lowestCurrent,
  lowestAverage,
  currentAbove,
  currentBelow,
  averageAbove,
  averageBelow,
  maximumAbove,
  maximumBelow,
  minimumAbove,
  minimumBelow,
  removeAboveValue,
  removeBelowValue,
  removeEmptySeries,
  exclude,
  grep,
  limit,
];
