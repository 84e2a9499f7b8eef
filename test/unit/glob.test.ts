import { describe, expect, it } from 'vitest';
import { compileGlob, GlobError, MAX_GLOB_ALTERNATIVES, matchesGlob } from '../../collector/src/query/glob.js';

function matches(pattern: string, path: string): boolean {
  return matchesGlob(compileGlob(pattern), path);
}

function expectMatches(pattern: string, yes: string[], no: string[]): void {
  const g = compileGlob(pattern);
  for (const p of yes) expect(matchesGlob(g, p), `${pattern} should match ${p}`).toBe(true);
  for (const p of no) expect(matchesGlob(g, p), `${pattern} should not match ${p}`).toBe(false);
}

function globError(pattern: string): GlobError {
  try {
    compileGlob(pattern);
  } catch (e) {
    expect(e).toBeInstanceOf(GlobError);
    return e as GlobError;
  }
  throw new Error(`expected ${JSON.stringify(pattern)} to fail`);
}

describe('compileGlob: literals', () => {
  it('keeps plain paths literal', () => {
    const g = compileGlob('a.b.c');
    expect(g.source).toBe('a.b.c');
    expect(g.hasWildcard).toBe(false);
    expect(g.alternatives).toHaveLength(1);
    expect(g.alternatives[0]?.map((n) => n.literal)).toEqual(['a', 'b', 'c']);
    expectMatches('a.b.c', ['a.b.c'], ['a.b', 'a.b.c.d', 'a.b.x', 'A.b.c', 'a.bc']);
  });

  it('treats names with dashes, colons and other punctuation as literal', () => {
    expectMatches('stats.host-1:8080.cpu_user', ['stats.host-1:8080.cpu_user'], ['stats.host-18080.cpu_user']);
  });
});

describe('compileGlob: *', () => {
  it('matches within one node and never across a dot', () => {
    expectMatches('*', ['foo', 'a-b'], ['foo.bar']);
    expectMatches('a.*', ['a.b', 'a.xyz'], ['a', 'a.b.c', 'b.a']);
    expectMatches('*.*', ['x.y'], ['x', 'x.y.z']);
    expectMatches(
      'stats.counters.api*',
      ['stats.counters.api', 'stats.counters.api_hits'],
      ['stats.counters.api.hits'],
    );
  });

  it('allows several per node', () => {
    expectMatches(
      'servers.ix*ehssvc*v.cpu.total.*',
      ['servers.ix01ehssvc02v.cpu.total.user', 'servers.ixehssvcv.cpu.total.x'],
      ['servers.ix01ehssvc02x.cpu.total.user', 'servers.ix01ehssvc02v.cpu.total'],
    );
    expectMatches('*a*b*', ['ab', 'xaybz', 'aab'], ['ba', 'a']);
  });

  it('uses a no-regex fast path for *-only nodes', () => {
    const g = compileGlob('a.*.**');
    const [a, star, stars] = g.alternatives[0] ?? [];
    expect(a?.literal).toBe('a');
    expect(star?.literal).toBeNull();
    expect(star?.test('anything at all')).toBe(true);
    expect(stars?.test('')).toBe(true);
    expect(g.hasWildcard).toBe(true);
  });

  it('takes regex metacharacters literally', () => {
    expectMatches('a+b*', ['a+b', 'a+bcd'], ['aab', 'ab']);
    expectMatches('(x)*', ['(x)', '(x)y'], ['x', 'xy']);
    expectMatches('^$*|', ['^$|', '^$zz|'], ['|']);
    expectMatches('a/b*', ['a/b', 'a/bc'], ['ab']);
  });
});

describe('compileGlob: ? and [...]', () => {
  it('? matches exactly one character (one code point)', () => {
    expectMatches('host?', ['host1', 'hostx'], ['host', 'host12']);
    expectMatches('x?', ['x😀'], ['x😀😀']);
  });

  it('[...] lists and ranges', () => {
    expectMatches('foo[a-z0-9]bar', ['fooxbar', 'foo5bar'], ['fooXbar', 'foo-bar', 'foobar', 'fooabbar']);
    expectMatches('[bc]at', ['bat', 'cat'], ['rat', 'at']);
  });

  it('[!...] negates', () => {
    expectMatches('[!x]y', ['ay', 'zy'], ['xy', 'y']);
    expectMatches('[!0-9]x', ['ax'], ['5x']);
    expectMatches('[!]]', ['a'], [']']);
  });

  it('takes - literally first or last, and ] literally first', () => {
    expectMatches('[-a]', ['-', 'a'], ['b']);
    expectMatches('[a-]', ['-', 'a'], ['b']);
    expectMatches('[]a]', [']', 'a'], ['b']);
    expectMatches('[\\]x]', [']', 'x'], ['\\']);
    expectMatches('[^x]', ['^', 'x'], ['a']);
  });
});

describe('compileGlob: {…}', () => {
  it('expands value lists into alternatives', () => {
    const g = compileGlob('{a,b}.c');
    expect(g.alternatives).toHaveLength(2);
    expect(g.hasWildcard).toBe(false);
    expect(g.alternatives.map((alt) => alt.map((n) => n.literal))).toEqual([
      ['a', 'c'],
      ['b', 'c'],
    ]);
    expectMatches('{a,b}.c', ['a.c', 'b.c'], ['c.c', 'ab.c']);
  });

  it('lets braces span dots', () => {
    expectMatches('a.{b.c,d}', ['a.b.c', 'a.d'], ['a.b', 'a.c', 'a.b.d']);
  });

  it('nests, expanding the inner list first', () => {
    expectMatches('x{a,b{c,d}}', ['xa', 'xbc', 'xbd'], ['xb', 'xc']);
    expect(compileGlob('x{a,b{c,d}}').alternatives).toHaveLength(3);
  });

  it('holds globs inside braces', () => {
    expectMatches('{web*,db?}.cpu', ['web.cpu', 'web12.cpu', 'db1.cpu'], ['db12.cpu', 'app.cpu']);
    expect(compileGlob('{web*,db?}.cpu').hasWildcard).toBe(true);
    expectMatches('{a[,]b,c}', ['a,b', 'c'], ['ab']);
  });

  it('de-duplicates expansions', () => {
    expect(compileGlob('{a,a,b}').alternatives).toHaveLength(2);
    expect(compileGlob('{a,{a}}.x').alternatives).toHaveLength(1);
    expect(compileGlob('{a,b}{c,d}').alternatives).toHaveLength(4);
  });

  it('allows an empty option', () => {
    expectMatches('foo{,_bar}', ['foo', 'foo_bar'], ['foo_', '_bar']);
  });

  it(`caps expansion at ${MAX_GLOB_ALTERNATIVES} alternatives`, () => {
    const ten = '{a,b,c,d,e,f,g,h,i,j}';
    expect(compileGlob(`${ten}${ten}${ten}`).alternatives).toHaveLength(1000);
    expect(globError('{a,b}'.repeat(10)).message).toBe(
      `invalid glob "${'{a,b}'.repeat(10)}": braces expand to more than 1000 alternatives`,
    );
  });
});

describe('compileGlob: escapes', () => {
  it('makes a special character literal', () => {
    const g = compileGlob('a\\*b');
    expect(g.hasWildcard).toBe(false);
    expect(g.alternatives[0]?.[0]?.literal).toBe('a*b');
    expectMatches('a\\*b', ['a*b'], ['axb', 'ab']);
    expectMatches('a\\?', ['a?'], ['ab']);
    expectMatches('\\{a,b\\}', ['{a,b}'], ['a', 'b']);
    expectMatches('a\\[1\\]', ['a[1]'], ['a1']);
    expectMatches('x\\**', ['x*', 'x*y'], ['xy']);
  });
});

describe('compileGlob: errors', () => {
  it.each([
    ['', 'invalid glob "": empty pattern'],
    ['a..b', 'invalid glob "a..b": empty path node'],
    ['.a', 'invalid glob ".a": empty path node'],
    ['a.', 'invalid glob "a.": empty path node'],
    ['a.{b,}.c', 'invalid glob "a.{b,}.c": empty path node'],
    ['a[bc', `invalid glob "a[bc": unbalanced '['`],
    ['a[', `invalid glob "a[": unbalanced '['`],
    ['a{b,c', `invalid glob "a{b,c": unbalanced '{'`],
    ['a}b', `invalid glob "a}b": unbalanced '}'`],
    ['a\\', `invalid glob "a\\\\": trailing '\\'`],
    ['[z-a]', `invalid glob "[z-a]": bad range 'z-a'`],
    ['a\\.b', `invalid glob "a\\\\.b": '\\.' can never match: path nodes cannot contain '.'`],
  ])('rejects %j', (pattern, message) => {
    const e = globError(pattern);
    expect(e.message).toBe(message);
    expect(e.message).not.toContain('\n');
    expect(e.name).toBe('GlobError');
  });
});

describe('matchesGlob', () => {
  it('is case-sensitive, as fnmatch on POSIX', () => {
    expect(matches('Foo.*', 'foo.bar')).toBe(false);
    expect(matches('Foo.*', 'Foo.bar')).toBe(true);
  });

  it('matches tag-free Graphite names typical of StatsD', () => {
    expectMatches(
      'stats.timers.api.*.upper_9[05]',
      ['stats.timers.api.login.upper_90', 'stats.timers.api.login.upper_95'],
      ['stats.timers.api.login.upper_99', 'stats.timers.api.login.upper_90.x'],
    );
  });
});
