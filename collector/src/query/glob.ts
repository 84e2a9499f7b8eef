/**
 * Graphite path globs: `*`, `?`, `[a-z]`, `[!x]`, `{a,b}` and `\` escapes, matched node by node
 * (a wildcard never crosses a `.`), as graphite-web's finders do with fnmatch after brace expansion.
 */

export class GlobError extends Error {
  override name = 'GlobError';
}

export interface NodeMatcher {
  /** The node text when it has no wildcard (escapes resolved); null otherwise. */
  literal: string | null;
  test(node: string): boolean;
}

export interface CompiledGlob {
  source: string;
  /** One node list per brace expansion, de-duplicated. */
  alternatives: NodeMatcher[][];
  /** True when some node needs pattern matching. A brace-only glob is false but may have several alternatives. */
  hasWildcard: boolean;
}

/** More alternatives than this is almost surely a mistake and would make every match slow. */
export const MAX_GLOB_ALTERNATIVES = 1000;

type Token =
  | { kind: 'lit'; ch: string }
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'class'; negated: boolean; ranges: [string, string][] }
  | { kind: 'dot' };
type Alt = { kind: 'alt'; branches: Item[][] };
type Item = Token | Alt;

class Parser {
  private i = 0;
  private readonly chars: string[];

  constructor(private readonly source: string) {
    this.chars = Array.from(source);
  }

  fail(why: string): GlobError {
    return new GlobError(`invalid glob ${JSON.stringify(this.source)}: ${why}`);
  }

  parse(): Item[] {
    const seq = this.sequence(0);
    if (this.i < this.chars.length) throw this.fail("unbalanced '}'");
    return seq;
  }

  private sequence(depth: number): Item[] {
    const out: Item[] = [];
    const { chars } = this;
    while (this.i < chars.length) {
      const c = chars[this.i] as string;
      if (depth > 0 && (c === ',' || c === '}')) break;
      this.i++;
      switch (c) {
        case '\\':
          out.push({ kind: 'lit', ch: this.escaped() });
          break;
        case '*':
          out.push({ kind: 'star' });
          break;
        case '?':
          out.push({ kind: 'any' });
          break;
        case '[':
          out.push(this.charClass());
          break;
        case '{':
          out.push(this.alternation(depth + 1));
          break;
        case '}':
          throw this.fail("unbalanced '}'");
        case '.':
          out.push({ kind: 'dot' });
          break;
        default:
          out.push({ kind: 'lit', ch: c });
      }
    }
    return out;
  }

  private escaped(): string {
    const c = this.chars[this.i];
    if (c === undefined) throw this.fail("trailing '\\'");
    // A node never holds a dot, so an escaped one could never match.
    if (c === '.') throw this.fail("'\\.' can never match: path nodes cannot contain '.'");
    this.i++;
    return c;
  }

  private alternation(depth: number): Alt {
    const branches = [this.sequence(depth)];
    while (this.chars[this.i] === ',') {
      this.i++;
      branches.push(this.sequence(depth));
    }
    if (this.chars[this.i] !== '}') throw this.fail("unbalanced '{'");
    this.i++;
    return { kind: 'alt', branches };
  }

  private charClass(): Token {
    const { chars } = this;
    let negated = false;
    if (chars[this.i] === '!') {
      negated = true;
      this.i++;
    }
    const ranges: [string, string][] = [];
    // As in fnmatch, a ']' right after '[' or '[!' is a member, not the end.
    let first = true;
    for (;;) {
      let c = chars[this.i];
      if (c === undefined) throw this.fail("unbalanced '['");
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      this.i++;
      if (c === '\\') c = this.escaped();
      let hi = c;
      if (chars[this.i] === '-' && chars[this.i + 1] !== undefined && chars[this.i + 1] !== ']') {
        this.i++;
        hi = chars[this.i] as string;
        this.i++;
        if (hi === '\\') hi = this.escaped();
        if ((hi.codePointAt(0) as number) < (c.codePointAt(0) as number)) throw this.fail(`bad range '${c}-${hi}'`);
      }
      ranges.push([c, hi]);
    }
    return { kind: 'class', negated, ranges };
  }
}

function countAlternatives(seq: readonly Item[]): number {
  let n = 1;
  for (const item of seq) {
    if (item.kind !== 'alt') continue;
    let sum = 0;
    for (const b of item.branches) sum += countAlternatives(b);
    n *= sum;
    if (n > MAX_GLOB_ALTERNATIVES) return n;
  }
  return n;
}

function expand(seq: readonly Item[]): Token[][] {
  let acc: Token[][] = [[]];
  for (const item of seq) {
    if (item.kind === 'alt') {
      const tails = item.branches.flatMap(expand);
      acc = acc.flatMap((head) => tails.map((tail) => head.concat(tail)));
    } else {
      for (const head of acc) head.push(item);
    }
  }
  return acc;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;
const CLASS_SPECIAL = /[\\\]\-^[]/;

function escapeFor(ch: string, special: RegExp): string {
  return special.test(ch) ? `\\${ch}` : ch;
}

function nodeKey(node: readonly Token[]): string {
  let key = '';
  for (const t of node) {
    if (t.kind === 'lit') key += escapeFor(t.ch, REGEX_SPECIAL);
    else if (t.kind === 'star') key += '*';
    else if (t.kind === 'any') key += '?';
    else if (t.kind === 'class') key += `[${t.negated ? '!' : ''}${t.ranges.map(([a, b]) => `${a}-${b}`).join('')}]`;
  }
  return key;
}

const ANY_NODE: NodeMatcher = { literal: null, test: () => true };

function compileNode(node: readonly Token[]): NodeMatcher {
  if (node.every((t) => t.kind === 'lit')) {
    const literal = node.map((t) => (t as { ch: string }).ch).join('');
    return { literal, test: (n) => n === literal };
  }
  if (node.every((t) => t.kind === 'star')) return ANY_NODE;
  let src = '^';
  let prevStar = false;
  for (const t of node) {
    if (t.kind === 'star') {
      if (!prevStar) src += '.*';
    } else if (t.kind === 'any') {
      src += '.';
    } else if (t.kind === 'lit') {
      src += escapeFor(t.ch, REGEX_SPECIAL);
    } else if (t.kind === 'class') {
      src += t.negated ? '[^' : '[';
      for (const [lo, hi] of t.ranges) {
        src += escapeFor(lo, CLASS_SPECIAL);
        if (hi !== lo) src += `-${escapeFor(hi, CLASS_SPECIAL)}`;
      }
      src += ']';
    }
    prevStar = t.kind === 'star';
  }
  // 's' so names with odd bytes still match '*'; 'u' so '?' takes one code point.
  const re = new RegExp(`${src}$`, 'su');
  return { literal: null, test: (n) => re.test(n) };
}

/** Compiles a Graphite glob; throws GlobError on malformed input. */
export function compileGlob(pattern: string): CompiledGlob {
  const parser = new Parser(pattern);
  if (pattern === '') throw parser.fail('empty pattern');
  const seq = parser.parse();
  if (countAlternatives(seq) > MAX_GLOB_ALTERNATIVES) {
    throw parser.fail(`braces expand to more than ${MAX_GLOB_ALTERNATIVES} alternatives`);
  }

  const seen = new Set<string>();
  const alternatives: NodeMatcher[][] = [];
  let hasWildcard = false;
  for (const tokens of expand(seq)) {
    const nodes: Token[][] = [[]];
    for (const t of tokens) {
      if (t.kind === 'dot') nodes.push([]);
      else (nodes[nodes.length - 1] as Token[]).push(t);
    }
    if (nodes.some((n) => n.length === 0)) throw parser.fail('empty path node');
    const key = nodes.map(nodeKey).join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    const matchers = nodes.map(compileNode);
    if (matchers.some((m) => m.literal === null)) hasWildcard = true;
    alternatives.push(matchers);
  }
  return { source: pattern, alternatives, hasWildcard };
}

/** Whether the dot-separated `path` matches any alternative of the glob. */
export function matchesGlob(glob: CompiledGlob, path: string): boolean {
  const nodes = path.split('.');
  for (const alt of glob.alternatives) {
    if (alt.length !== nodes.length) continue;
    let ok = true;
    for (let i = 0; i < alt.length; i++) {
      if (!(alt[i] as NodeMatcher).test(nodes[i] as string)) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}
