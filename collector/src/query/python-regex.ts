import { QueryError } from './query-error.js';

/**
 * Python `re` patterns run as JavaScript regular expressions. Graphite's functions (grep, exclude, aliasSub,
 * seriesByTag's =~) take Python patterns, and Grafana users write them that way; one translator serves all.
 */

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
