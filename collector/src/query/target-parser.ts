import { QueryError } from './query-error.js';

/**
 * Graphite's target language as an AST. Calls nest, `a.b|f(x)` pipes the left side in as the first
 * argument, `name=value` passes a keyword, strings keep their text as written (graphite-web does not
 * unescape them), and anything else that is not a literal is a path expression: globs, braces (whose
 * commas don't separate arguments), `\` escapes and `;tag=value` suffixes included.
 */

export type Expr = PathExpr | CallExpr | StringExpr | NumberExpr | BoolExpr | NoneExpr;

export interface PathExpr {
  type: 'path';
  value: string;
  pos: number;
}
export interface CallExpr {
  type: 'call';
  name: string;
  args: Expr[];
  kwargs: Record<string, Expr>;
  pos: number;
}
export interface StringExpr {
  type: 'string';
  value: string;
  pos: number;
}
export interface NumberExpr {
  type: 'number';
  value: number;
  /** As written, for output names (graphite prints arguments back). */
  raw: string;
  pos: number;
}
export interface BoolExpr {
  type: 'bool';
  value: boolean;
  pos: number;
}
export interface NoneExpr {
  type: 'none';
  pos: number;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters that end a path token outside braces. */
const DELIMITERS = new Set(['(', ')', ',', '|', ' ', '\t', '\n', '\r', '"', "'"]);
const MAX_DEPTH = 64;

export function parseTarget(text: string): Expr {
  const p = new Parser(text);
  const expr = p.expression(0);
  p.skipSpace();
  if (!p.done()) p.fail('end of target');
  return expr;
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.text[this.pos])) this.pos++;
  }

  fail(expected: string): never {
    const found = this.done() ? 'end of target' : `"${this.text[this.pos]}"`;
    throw new QueryError(`syntax error in target at position ${this.pos + 1}: expected ${expected}, found ${found}`);
  }

  /** expression := primary ('|' call)* */
  expression(depth: number): Expr {
    if (depth > MAX_DEPTH) throw new QueryError(`target nests deeper than ${MAX_DEPTH} levels`);
    let expr = this.primary(depth);
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '|') return expr;
      this.pos++;
      this.skipSpace();
      const start = this.pos;
      const name = this.word();
      if (!IDENTIFIER.test(name) || this.text[this.pos] !== '(') {
        this.pos = start;
        this.fail('a function call after "|"');
      }
      const call = this.call(name, start, depth);
      call.args.unshift(expr);
      expr = call;
    }
  }

  private primary(depth: number): Expr {
    this.skipSpace();
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.string();
    const word = this.word();
    if (word === '') this.fail('a series path, function call or value');
    if (this.text[this.pos] === '(') {
      if (!IDENTIFIER.test(word)) {
        this.pos = start;
        this.fail('a function name');
      }
      return this.call(word, start, depth);
    }
    return literalOrPath(word, start);
  }

  private call(name: string, start: number, depth: number): CallExpr {
    this.pos++; // (
    const call: CallExpr = { type: 'call', name, args: [], kwargs: {}, pos: start };
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return call;
    }
    for (;;) {
      this.skipSpace();
      const kw = this.keyword();
      const value = this.expression(depth + 1);
      if (kw !== null) {
        if (kw in call.kwargs) throw new QueryError(`${name}(): keyword argument "${kw}" given twice`);
        call.kwargs[kw] = value;
      } else if (Object.keys(call.kwargs).length > 0) {
        throw new QueryError(`${name}(): positional argument after keyword arguments at position ${value.pos + 1}`);
      } else {
        call.args.push(value);
      }
      this.skipSpace();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === ')') {
        this.pos++;
        return call;
      }
      this.fail(`"," or ")" to continue ${name}(`);
    }
  }

  /** Reads `name=` when an argument is a keyword argument (`a;b=c` is a tagged path, not a keyword). */
  private keyword(): string | null {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(this.text.slice(this.pos, this.pos + 80));
    if (!m) return null;
    this.pos += m[0].length;
    this.skipSpace();
    return m[1];
  }

  private string(): StringExpr {
    const quote = this.text[this.pos];
    const start = this.pos;
    const end = this.text.indexOf(quote, start + 1);
    if (end === -1) {
      this.pos = this.text.length;
      this.fail(`a closing ${quote} for the string at position ${start + 1}`);
    }
    this.pos = end + 1;
    return { type: 'string', value: this.text.slice(start + 1, end), pos: start };
  }

  /** A run of path characters; braces may hold commas, and `\` keeps the next character. */
  private word(): string {
    const start = this.pos;
    let braces = 0;
    while (!this.done()) {
      const c = this.text[this.pos];
      if (c === '\\' && this.pos + 1 < this.text.length) {
        this.pos += 2;
        continue;
      }
      if (c === '{') braces++;
      else if (c === '}' && braces > 0) braces--;
      else if (braces === 0 && DELIMITERS.has(c)) break;
      this.pos++;
    }
    if (braces > 0) this.fail('"}" to close "{"');
    return this.text.slice(start, this.pos);
  }
}

function literalOrPath(word: string, pos: number): Expr {
  const lower = word.toLowerCase();
  if (NUMBER.test(word)) return { type: 'number', value: Number(word), raw: word, pos };
  if (lower === 'true' || lower === 'false') return { type: 'bool', value: lower === 'true', pos };
  if (lower === 'none') return { type: 'none', pos };
  if (lower === 'inf' || lower === '+inf' || lower === '-inf') {
    return { type: 'number', value: lower === '-inf' ? -Infinity : Infinity, raw: word, pos };
  }
  return { type: 'path', value: word, pos };
}

/** Prints an expression back as graphite-web would name it (arguments joined by ","). */
export function formatExpr(expr: Expr): string {
  switch (expr.type) {
    case 'path':
      return expr.value;
    case 'string':
      // Strings are kept as written, so quote with whichever quote they don't contain.
      return expr.value.includes('"') ? `'${expr.value}'` : `"${expr.value}"`;
    case 'number':
      return expr.raw;
    case 'bool':
      return expr.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'call': {
      const args = expr.args.map(formatExpr);
      for (const [k, v] of Object.entries(expr.kwargs)) args.push(`${k}=${formatExpr(v)}`);
      return `${expr.name}(${args.join(',')})`;
    }
  }
}
