import { describe, expect, it } from 'vitest';
import type { LineSink, ParseOptions, ServiceCheck, StatsdEvent } from '../../collector/src/ingest/statsd-line.js';
import {
  canonicalTags,
  DEFAULT_PARSE_OPTIONS,
  parseDecimal,
  parsePacket,
  sanitizeName,
} from '../../collector/src/ingest/statsd-line.js';

type Call =
  | { kind: 'counter'; key: string; value: number; rate: number; ts: number }
  | { kind: 'timer'; key: string; value: number; rate: number }
  | { kind: 'gauge'; key: string; value: number; delta: boolean; ts: number }
  | { kind: 'set'; key: string; member: string }
  | { kind: 'event'; e: StatsdEvent }
  | { kind: 'serviceCheck'; sc: ServiceCheck }
  | { kind: 'bad'; line: string; reason: string };

class RecordingSink implements LineSink {
  readonly calls: Call[] = [];
  counter(key: string, value: number, rate: number, ts: number): void {
    this.calls.push({ kind: 'counter', key, value, rate, ts });
  }
  timer(key: string, value: number, rate: number): void {
    this.calls.push({ kind: 'timer', key, value, rate });
  }
  gauge(key: string, value: number, delta: boolean, ts: number): void {
    this.calls.push({ kind: 'gauge', key, value, delta, ts });
  }
  set(key: string, member: string): void {
    this.calls.push({ kind: 'set', key, member });
  }
  event(e: StatsdEvent): void {
    this.calls.push({ kind: 'event', e });
  }
  serviceCheck(sc: ServiceCheck): void {
    this.calls.push({ kind: 'serviceCheck', sc });
  }
  bad(line: string, reason: string): void {
    this.calls.push({ kind: 'bad', line, reason });
  }
  of<K extends Call['kind']>(kind: K): Extract<Call, { kind: K }>[] {
    return this.calls.filter((c): c is Extract<Call, { kind: K }> => c.kind === kind);
  }
}

function run(packet: string, options?: ParseOptions): { sink: RecordingSink; seen: number } {
  const sink = new RecordingSink();
  const seen = parsePacket(packet, sink, options);
  return { sink, seen };
}

/** The calls of a one-line packet, without the bad() reasons (those are for humans). */
function calls(packet: string): Call[] {
  return run(packet).sink.calls.map((c) => (c.kind === 'bad' ? { ...c, reason: '' } : c));
}

function expectBad(packet: string, count = 1): void {
  const { sink } = run(packet);
  expect(sink.of('bad')).toHaveLength(count);
  expect(sink.calls.filter((c) => c.kind !== 'bad')).toEqual([]);
  for (const b of sink.of('bad')) {
    expect(b.line).toBe(packet);
    expect(b.reason.length).toBeGreaterThan(0);
  }
}

const counter = (key: string, value: number, rate = 1, ts = 0): Call => ({ kind: 'counter', key, value, rate, ts });
const timer = (key: string, value: number, rate = 1): Call => ({ kind: 'timer', key, value, rate });
const gauge = (key: string, value: number, delta = false, ts = 0): Call => ({ kind: 'gauge', key, value, delta, ts });
const set = (key: string, member: string): Call => ({ kind: 'set', key, member });
const bad = (line: string): Call => ({ kind: 'bad', line, reason: '' });

describe('packet splitting', () => {
  it('parses the etsy docs multi-metric packet', () => {
    const { sink, seen } = run('gorets:1|c\nglork:320|ms\ngaugor:333|g\nuniques:765|s');
    expect(seen).toBe(4);
    expect(sink.calls).toEqual([
      counter('gorets', 1),
      timer('glork', 320),
      gauge('gaugor', 333),
      set('uniques', '765'),
    ]);
  });

  it('skips empty lines without counting them', () => {
    const { sink, seen } = run('\n\na:1|c\n\nb:2|c\n');
    expect(seen).toBe(2);
    expect(sink.calls).toEqual([counter('a', 1), counter('b', 2)]);
  });

  it('tolerates CRLF and lone CR lines', () => {
    const { sink, seen } = run('a:1|c\r\nb:2|g\r\n\r\n');
    expect(seen).toBe(2);
    expect(sink.calls).toEqual([counter('a', 1), gauge('b', 2)]);
  });

  it('returns 0 for an empty packet and a bare newline', () => {
    expect(run('').seen).toBe(0);
    expect(run('\n').seen).toBe(0);
    expect(run('\r\n\n').seen).toBe(0);
    expect(run('').sink.calls).toEqual([]);
  });

  it('counts bad lines as seen and keeps going', () => {
    const { sink, seen } = run('good:1|c\nbad\nbadtype:1|zz\nt:5|ms\n \nx:0x10|c\ng:-3|g');
    expect(seen).toBe(7);
    expect(sink.calls.filter((c) => c.kind !== 'bad')).toEqual([
      counter('good', 1),
      timer('t', 5),
      gauge('g', -3, true),
    ]);
    expect(sink.of('bad').map((b) => b.line)).toEqual(['bad', 'badtype:1|zz', ' ', 'x:0x10|c']);
  });

  it('rejects lines longer than maxLineLength, per line', () => {
    const long = `${'a'.repeat(100)}:1|c`;
    const { sink, seen } = run(`${long}\nok:1|c`, { maxLineLength: 50 });
    expect(seen).toBe(2);
    expect(sink.calls.filter((c) => c.kind !== 'bad')).toEqual([counter('ok', 1)]);
    expect(sink.of('bad')).toHaveLength(1);
    expect(sink.of('bad')[0]?.line).toBe(long);
    expect(sink.of('bad')[0]?.reason).toMatch(/longer than 50/);
  });

  it('accepts a line of exactly maxLineLength and uses 8192 by default', () => {
    expect(DEFAULT_PARSE_OPTIONS.maxLineLength).toBe(8192);
    const line = `${'a'.repeat(46)}:1|c`;
    expect(line).toHaveLength(50);
    expect(run(line, { maxLineLength: 50 }).sink.calls).toEqual([counter('a'.repeat(46), 1)]);
    const big = `${'b'.repeat(8188)}:1|c`;
    expect(run(big).sink.of('counter')).toHaveLength(1);
    expect(run(`b${big}`).sink.of('bad')).toHaveLength(1);
  });

  it('passes the line without the CR to bad()', () => {
    expect(calls('nope\r\n')).toEqual([bad('nope')]);
  });
});

describe('counters', () => {
  it('parses plain, negative, float and exponent values', () => {
    expect(calls('hits:1|c')).toEqual([counter('hits', 1)]);
    expect(calls('d:-2|c')).toEqual([counter('d', -2)]);
    expect(calls('f:2.5|c')).toEqual([counter('f', 2.5)]);
    expect(calls('e:1e3|c')).toEqual([counter('e', 1000)]);
    expect(calls('e:-2.5E-3|c')).toEqual([counter('e', -2.5e-3)]);
    expect(calls('z:0|c')).toEqual([counter('z', 0)]);
    expect(calls('p:+4|c')).toEqual([counter('p', 4)]);
  });

  it('sums etsy multi-value chunks (cnt.multi:1|c:2|c:3|c)', () => {
    const got = run('cnt.multi:1|c:2|c:3|c').sink.of('counter');
    expect(got.map((c) => c.value)).toEqual([1, 2, 3]);
    expect(got.reduce((s, c) => s + c.value, 0)).toBe(6);
    expect(got.every((c) => c.key === 'cnt.multi')).toBe(true);
  });

  it('passes the sample rate through (cnt.sampled:1|c|@0.1)', () => {
    expect(calls('cnt.sampled:1|c|@0.1')).toEqual([counter('cnt.sampled', 1, 0.1)]);
    expect(calls('sampled:1|c|@0.999999')).toEqual([counter('sampled', 1, 0.999999)]);
    expect(calls('one:1|c|@1')).toEqual([counter('one', 1, 1)]);
    expect(calls('dot:1|c|@.5')).toEqual([counter('dot', 1, 0.5)]);
  });

  it.each(['@0', '@-1', '@2', '@abc', '@', '@1.0001', '@0x1', '@ 0.5', '@Infinity', '@NaN'])('rejects rate %s', (r) => {
    expectBad(`k:1|c|${r}`);
  });

  it('passes |T timestamps and keeps tags separate from them', () => {
    expect(calls('cnt.ts:15|c|#env:dev|T1656581400')).toEqual([counter('cnt.ts;env=dev', 15, 1, 1656581400)]);
    expect(calls('k:1|c|T1656581400|#env:dev')).toEqual([counter('k;env=dev', 1, 1, 1656581400)]);
  });

  it.each(['T0', 'T', 'T-5', 'T1.5', 'Tabc', 'T1e9', 'T12345678901234567'])('rejects timestamp %s', (t) => {
    expectBad(`k:1|c|${t}`);
  });
});

describe('timers', () => {
  it('parses ms, h and d as timers', () => {
    expect(calls('t:12.5|ms')).toEqual([timer('t', 12.5)]);
    expect(calls('dd.h:5|h')).toEqual([timer('dd.h', 5)]);
    expect(calls('dist:42|d')).toEqual([timer('dist', 42)]);
    expect(calls('zero:0|ms')).toEqual([timer('zero', 0)]);
  });

  it('passes the rate and ignores |T', () => {
    expect(calls('foo.test.bar:42|ms|@0.5')).toEqual([timer('foo.test.bar', 42, 0.5)]);
    expect(calls('t:3|ms|T1656581400')).toEqual([timer('t', 3)]);
  });

  it('rejects negative timers and bad rates', () => {
    expectBad('t:-1|ms');
    expectBad('t:-0.5|h');
    expectBad('t:1|ms|@0');
    expectBad('t:1|d|@1.5');
  });

  it('unpacks DogStatsD v1.1 values (k:1:2:32|d)', () => {
    expect(calls('k:1:2:32|d')).toEqual([timer('k', 1), timer('k', 2), timer('k', 32)]);
  });

  it('shares rate and tags across packed values', () => {
    expect(calls('k:1:2|h|@0.5|#a:b')).toEqual([timer('k;a=b', 1, 0.5), timer('k;a=b', 2, 0.5)]);
  });

  it('rejects only the bad values of a packed group', () => {
    expect(calls('k:1:-2:x:4|ms')).toEqual([timer('k', 1), bad('k:1:-2:x:4|ms'), bad('k:1:-2:x:4|ms'), timer('k', 4)]);
  });
});

describe('gauges', () => {
  it('treats a leading sign as a delta', () => {
    expect(calls('g:7|g')).toEqual([gauge('g', 7)]);
    expect(calls('gd:-2|g')).toEqual([gauge('gd', -2, true)]);
    expect(calls('gd:+2|g')).toEqual([gauge('gd', 2, true)]);
    expect(calls('gd:+0|g')).toEqual([gauge('gd', 0, true)]);
    expect(calls('g:123.45|g')).toEqual([gauge('g', 123.45)]);
    expect(calls('g:1e2|g')).toEqual([gauge('g', 100)]);
  });

  it('ignores a valid rate and passes |T', () => {
    expect(calls('g:5|g|@0.5')).toEqual([gauge('g', 5)]);
    expect(calls('g:5|g|T1656581400')).toEqual([gauge('g', 5, false, 1656581400)]);
  });

  it('still rejects a junk rate', () => {
    expectBad('g:5|g|@abc');
  });

  it('rejects non-numeric values', () => {
    expectBad('g:abc|g');
    expectBad('g:+|g');
    expectBad('g:|g');
  });

  it('unpacks packed gauges in order', () => {
    expect(calls('g:1:+2:-3|g')).toEqual([gauge('g', 1), gauge('g', 2, true), gauge('g', -3, true)]);
  });
});

describe('sets', () => {
  it('keeps the raw member string', () => {
    expect(calls('s:u1|s')).toEqual([set('s', 'u1')]);
    expect(calls('uniques:765|s')).toEqual([set('uniques', '765')]);
    expect(calls('s:foo bar/é|s')).toEqual([set('s', 'foo bar/é')]);
  });

  it('does not unpack: k:a:b|s is the member "a:b"', () => {
    expect(calls('k:a:b|s')).toEqual([set('k', 'a:b')]);
  });

  it('splits etsy multi-value chunks of sets', () => {
    expect(calls('k:a|s:b|s')).toEqual([set('k', 'a'), set('k', 'b')]);
  });

  it('applies tags and ignores rate and |T', () => {
    expect(calls('k:x|s|@0.5|#a:b|T1656581400')).toEqual([set('k;a=b', 'x')]);
  });

  it('rejects an empty member', () => {
    expectBad('k:|s');
  });
});

describe('types and values', () => {
  it.each(['badtype:1|zz', 'k:1|C', 'k:1|MS', 'k:1|m', 'k:1|msx', 'k:1|', 'k:1|c ', 'k:1||c'])(
    'rejects type in %s',
    (line) => {
      expectBad(line);
    },
  );

  it.each([
    'k:0x10|c',
    'k:|c',
    'k: |c',
    'k:NaN|c',
    'k:Infinity|c',
    'k:-Infinity|g',
    'k:1e400|c',
    'k:1.2.3|c',
    'k:1e|c',
    'k:1e+|c',
    'k:.|c',
    'k:-|c',
    'k:1_000|c',
    'k: 1|c',
    'k:1 |c',
    'k:٣|c',
  ])('rejects value in %s', (line) => {
    expectBad(line);
  });

  it.each(['no_colon', 'k', 'k|c', 'k:1', 'k:', 'k|#a:b', '|c:1', 'a|b:1|c'])('rejects structure %s', (line) => {
    expectBad(line);
  });
});

describe('etsy multi-value and DogStatsD packing', () => {
  it('mixes packing and chunks: k:1:2|c:3|ms', () => {
    expect(calls('k:1:2|c:3|ms')).toEqual([counter('k', 1), counter('k', 2), timer('k', 3)]);
  });

  it('mixes chunk types: k:1|c:2|ms:3|g:x|s', () => {
    expect(calls('k:1|c:2|ms:3|g:x|s')).toEqual([counter('k', 1), timer('k', 2), gauge('k', 3), set('k', 'x')]);
  });

  it('gives each chunk its own rate', () => {
    expect(calls('k:1|c|@0.5:2|c:3|ms|@0.25')).toEqual([counter('k', 1, 0.5), counter('k', 2), timer('k', 3, 0.25)]);
  });

  it('applies line tags to every chunk', () => {
    expect(calls('k:1|c:2|c|#a:b')).toEqual([counter('k;a=b', 1), counter('k;a=b', 2)]);
  });

  it('keeps the good chunks when one is bad', () => {
    const line = 'k:1|c:2|zz:3|c|@5:4|ms';
    expect(calls(line)).toEqual([counter('k', 1), bad(line), bad(line), timer('k', 4)]);
  });

  it('rejects a trailing empty chunk after good ones', () => {
    expect(calls('k:1|c:')).toEqual([counter('k', 1), bad('k:1|c:')]);
    expect(calls('k:1|c:2')).toEqual([counter('k', 1), bad('k:1|c:2')]);
  });

  it('skips empty packed elements like the Agent', () => {
    expect(calls('k:21::22|c')).toEqual([counter('k', 21), counter('k', 22)]);
    expect(calls('k::1|c')).toEqual([counter('k', 1)]);
    expectBad('k::|c');
  });

  it('does not split on the colons inside tags and container ids', () => {
    expect(calls('ddmode:1|c|#env:prod|c:in-5381')).toEqual([counter('ddmode;env=prod', 1)]);
    expect(calls('k:1:2|d|c:ci-abc:def|#x:y:z')).toEqual([timer('k;x=yz', 1), timer('k;x=yz', 2)]);
    expect(calls('k:1|c|e:it-false,cn-a:b,pu-c|card:high')).toEqual([counter('k', 1)]);
  });
});

describe('fields', () => {
  it('accepts fields in any order', () => {
    expect(calls('k:1|c|#a:b|@0.5')).toEqual([counter('k;a=b', 1, 0.5)]);
    expect(calls('k:1|c|@0.5|#a:b')).toEqual([counter('k;a=b', 1, 0.5)]);
    expect(calls('k:1|c|T1656581400|c:abc|@0.5|#a:b')).toEqual([counter('k;a=b', 1, 0.5, 1656581400)]);
  });

  it('ignores unknown and empty fields', () => {
    expect(calls('k:1|c|x-future|card:low')).toEqual([counter('k', 1)]);
    expect(calls('k:1|c||@0.5|')).toEqual([counter('k', 1, 0.5)]);
  });

  it('lets the last rate win', () => {
    expect(calls('k:1|c|@0.5|@0.25')).toEqual([counter('k', 1, 0.25)]);
  });
});

describe('names', () => {
  it('sanitises like etsy keyNameSanitize', () => {
    expect(calls('foo bar:1|c')).toEqual([counter('foo_bar', 1)]);
    expect(calls('foo \t bar:1|c')).toEqual([counter('foo_bar', 1)]);
    expect(calls('a/b:1|c')).toEqual([counter('a-b', 1)]);
    expect(calls('a+b!@$%^&*()c:1|c')).toEqual([counter('abc', 1)]);
    expect(calls('Mixed_Case-1.x:1|c')).toEqual([counter('Mixed_Case-1.x', 1)]);
    expect(calls('ünïcode.näme:1|c')).toEqual([counter('ncode.nme', 1)]);
  });

  it('turns a whitespace run around a dropped char into two underscores, as etsy does', () => {
    expect(sanitizeName('a + b')).toBe('a__b');
    expect(sanitizeName('a\u00a0\u3000b')).toBe('a_b');
  });

  it('returns the same string when nothing changes', () => {
    const s = 'already.clean_name-1';
    expect(sanitizeName(s)).toBe(s);
  });

  it('rejects names that sanitise to nothing', () => {
    expectBad('💩💩:1|c');
    expectBad('+++:1|c');
    expectBad(':1|c');
    expectBad(';a=b:1|c');
  });

  it('rejects names with an empty path node', () => {
    expectBad('a..b:1|c');
    expectBad('.a:1|c');
    expectBad('a.:1|c');
    expectBad('a.+.b:1|c');
  });

  it('rejects unicode garbage', () => {
    expectBad('\u0000\uffff\ud800');
    expectBad('ü:ö|ä');
    expectBad('名前:1|c');
  });
});

describe('tags', () => {
  it('turns DogStatsD tags into sorted Graphite tags', () => {
    expect(calls('tagged:1|c|#a:b,c')).toEqual([counter('tagged;a=b;c=true', 1)]);
    expect(calls('foo:1|c|#env:prod,az:b')).toEqual([counter('foo;az=b;env=prod', 1)]);
  });

  it('sanitises tagged names and values (hot-shots vector)', () => {
    expect(calls('foo+bar:250|c|#tag1:val;1,tag3:val3,tag2:val2')).toEqual([
      counter('foobar;tag1=val1;tag2=val2;tag3=val3', 250),
    ]);
  });

  it('accepts Graphite-tagged names', () => {
    expect(calls('fo/o;tag1=val1:250|c')).toEqual([counter('fo-o;tag1=val1', 250)]);
    expect(calls('foo;env=prod;az=b:1|c')).toEqual([counter('foo;az=b;env=prod', 1)]);
  });

  it('merges Graphite and DogStatsD tags, last key wins', () => {
    expect(calls('foo;env=prod:1|c|#az:b')).toEqual([counter('foo;az=b;env=prod', 1)]);
    expect(calls('foo;env=prod:1|c|#env:dev')).toEqual([counter('foo;env=dev', 1)]);
    expect(calls('foo:1|c|#env:a,env:b')).toEqual([counter('foo;env=b', 1)]);
  });

  it('splits a tag at its first colon', () => {
    expect(calls('k:1|c|#url:http://x')).toEqual([counter('k;url=http--x', 1)]);
  });

  it('drops tags whose key or value sanitises to empty, and the reserved name tag', () => {
    expect(calls('k:1|c|#:v,k:,!!:x,ok:1,,name:zzz')).toEqual([counter('k;ok=1', 1)]);
    expect(calls('k;;=v;a=:1|c')).toEqual([counter('k', 1)]);
    expect(calls('k:1|c|#')).toEqual([counter('k', 1)]);
  });

  it('treats a bare Graphite tag like a bare DogStatsD tag', () => {
    expect(calls('k;canary:1|c')).toEqual([counter('k;canary=true', 1)]);
  });

  it('only treats "|#" as a tag field', () => {
    expect(calls('k:#x|s')).toEqual([set('k', '#x')]);
    expect(calls('k:1|c|x#y')).toEqual([counter('k', 1)]);
    expect(calls('k:1|c|#a:b#c')).toEqual([counter('k;a=bc', 1)]);
  });

  it('collects several #fields', () => {
    expect(calls('k:1|c|#b:2|@0.5|#a:1')).toEqual([counter('k;a=1;b=2', 1, 0.5)]);
  });

  it('canonicalTags builds the suffix from raw tags', () => {
    expect(canonicalTags([])).toBe('');
    expect(canonicalTags(['service:api', 'deploy'])).toBe(';deploy=true;service=api');
    expect(canonicalTags(['b:2', 'a:1', 'b:3'])).toBe(';a=1;b=3');
    expect(canonicalTags(['a b:c/d', '!!'])).toBe(';a_b=c-d');
  });
});

describe('parseDecimal', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['-42', -42],
    ['+42', 42],
    ['12.5', 12.5],
    ['.5', 0.5],
    ['5.', 5],
    ['0.1', 0.1],
    ['123.456789012345', 123.456789012345],
    ['1e3', 1000],
    ['-2.5E-3', -0.0025],
    ['1.e2', 100],
    ['12345678901234567890', 1.2345678901234567e19],
    ['0.30000000000000004', 0.30000000000000004],
  ])('parses %s like Number()', (s, v) => {
    expect(parseDecimal(s)).toBe(v);
    expect(parseDecimal(s)).toBe(Number(s));
  });

  it.each(['', ' ', '-', '+', '.', 'e5', '1e', '1e+', '0x10', 'Infinity', 'NaN', '1,5', '1..2', '--1', '1e400'])(
    'rejects %j',
    (s) => {
      expect(parseDecimal(s)).toBeNaN();
    },
  );

  it('parses a range without reading outside it', () => {
    expect(parseDecimal('xx12.5yy', 2, 6)).toBe(12.5);
    expect(parseDecimal('x-', 1, 1)).toBeNaN();
    expect(parseDecimal('1e|+5', 0, 2)).toBeNaN();
  });

  it('matches Number() for many short decimals', () => {
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const whole = seed % 100000;
      const frac = String(Math.floor(seed / 7) % 1000000).padStart(6, '0');
      const s = `${whole}.${frac.slice(0, 1 + (seed % 6))}`;
      expect(parseDecimal(s)).toBe(Number(s));
    }
  });
});

describe('events', () => {
  it('parses hot-shots _e{4,11}:test|description', () => {
    expect(calls('_e{4,11}:test|description')).toEqual([
      { kind: 'event', e: { title: 'test', text: 'description', tags: [] } },
    ]);
  });

  it('parses optional fields and tags', () => {
    expect(calls('_e{10,12}:test title|another desc|h:host|#foo,bar')).toEqual([
      { kind: 'event', e: { title: 'test title', text: 'another desc', hostname: 'host', tags: ['foo', 'bar'] } },
    ]);
    const line =
      '_e{21,36}:An exception occurred|Cannot parse CSV file from 10.0.0.17|d:1656581400|h:web1|k:agg|p:low|s:jenkins|t:warning|#err_type:bad_file,deploy';
    expect(calls(line)).toEqual([
      {
        kind: 'event',
        e: {
          title: 'An exception occurred',
          text: 'Cannot parse CSV file from 10.0.0.17',
          timestamp: 1656581400,
          hostname: 'web1',
          aggregationKey: 'agg',
          priority: 'low',
          sourceType: 'jenkins',
          alertType: 'warning',
          tags: ['err_type:bad_file', 'deploy'],
        },
      },
    ]);
  });

  it('uses the lengths, so title and text may contain "|"', () => {
    expect(run('_e{3,3}:a|b|c|d|#x').sink.of('event')[0]?.e).toEqual({ title: 'a|b', text: 'c|d', tags: ['x'] });
  });

  it('accepts UTF-8 byte lengths (the spec) for multi-byte text', () => {
    const title = 'déploy ✓';
    const text = 'v2 🚀';
    const tb = Buffer.byteLength(title);
    const xb = Buffer.byteLength(text);
    expect(tb).not.toBe(title.length);
    const e = run(`_e{${tb},${xb}}:${title}|${text}|#svc:api`).sink.of('event')[0]?.e;
    expect(e).toEqual({ title, text, tags: ['svc:api'] });
  });

  it('accepts UTF-16 lengths (hot-shots .length) for multi-byte text', () => {
    const title = 'déploy ✓';
    const text = 'v2 🚀';
    const e = run(`_e{${title.length},${text.length}}:${title}|${text}|#svc:api`).sink.of('event')[0]?.e;
    expect(e).toEqual({ title, text, tags: ['svc:api'] });
    const end = run(`_e{${title.length},${text.length}}:${title}|${text}`).sink.of('event')[0]?.e;
    expect(end).toEqual({ title, text, tags: [] });
  });

  it('turns \\n in the text into a newline', () => {
    const e = run('_e{5,12}:title|line1\\nline2').sink.of('event')[0]?.e;
    expect(e?.text).toBe('line1\nline2');
  });

  it('accepts an empty text', () => {
    expect(run('_e{1,0}:t|').sink.of('event')[0]?.e).toEqual({ title: 't', text: '', tags: [] });
  });

  it('ignores bad optional fields', () => {
    const e = run('_e{1,1}:a|b|d:abc|p:urgent|t:fatal|zz|h:|x:1').sink.of('event')[0]?.e;
    expect(e).toEqual({ title: 'a', text: 'b', tags: [] });
  });

  it.each([
    '_e{0,4}:|text',
    '_e{,4}:abc|text',
    '_e{a,4}:abc|text',
    '_e{3}:abc',
    '_e{3,4:abc|text',
    '_e{3,4}abc|text',
    '_e{4,4}:abc|text',
    '_e{3,5}:abc|text',
    '_e{3,3}:abc|text',
    '_e{99,1}:abc|t',
    '_e{-1,4}:abc|text',
    '_e{',
  ])('rejects %s', (line) => {
    expectBad(line);
  });

  it('is not confused with metrics in a mixed packet', () => {
    const { sink, seen } = run('a:1|c\n_e{4,4}:test|text\nb:2|c');
    expect(seen).toBe(3);
    expect(sink.calls.map((c) => c.kind)).toEqual(['counter', 'event', 'counter']);
  });
});

describe('service checks', () => {
  it('parses the DogStatsD docs example', () => {
    expect(calls('_sc|Redis connection|2|#env:dev|m:Redis connection timed out after 10s')).toEqual([
      {
        kind: 'serviceCheck',
        sc: { name: 'Redis connection', status: 2, tags: ['env:dev'], message: 'Redis connection timed out after 10s' },
      },
    ]);
  });

  it('parses all fields, with m: owning the rest of the line', () => {
    expect(run('_sc|check.name|1|d:1656581400|h:host|#a:b,c|m:message | with | pipes').sink.of('serviceCheck')).toEqual(
      [
        {
          kind: 'serviceCheck',
          sc: {
            name: 'check.name',
            status: 1,
            timestamp: 1656581400,
            hostname: 'host',
            tags: ['a:b', 'c'],
            message: 'message | with | pipes',
          },
        },
      ],
    );
  });

  it('accepts every status 0..3 and nothing else', () => {
    for (const s of [0, 1, 2, 3]) {
      expect(run(`_sc|n|${s}`).sink.of('serviceCheck')[0]?.sc).toEqual({ name: 'n', status: s, tags: [] });
    }
    for (const s of ['4', '-1', '', '01', 'x', '1.0']) expectBad(`_sc|n|${s}`);
    expectBad('_sc|n');
    expectBad('_sc||0');
  });

  it('ignores bad optional fields and unescapes \\n in the message', () => {
    expect(run('_sc|n|0|d:soon|zz|m:a\\nb').sink.of('serviceCheck')[0]?.sc).toEqual({
      name: 'n',
      status: 0,
      tags: [],
      message: 'a\nb',
    });
  });

  it('is a metric when the prefix is not _sc|', () => {
    expect(calls('_sc:1|c')).toEqual([counter('_sc', 1)]);
  });
});

describe('fuzz', () => {
  /** mulberry32: tiny, seeded, good enough to walk odd corners reproducibly. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('never throws on 2,000 random byte strings and only emits well-formed calls', () => {
    const rnd = prng(0x5eed);
    // Biased towards the grammar's own characters so the scan reaches deep states.
    const alphabet = ':|#@,;=.-+_eETcgmsdh0123456789{}\\\n\r ';
    const keyShape = /^[A-Za-z0-9_\-.]+(;[A-Za-z0-9_\-.]+=[A-Za-z0-9_\-.]+)*$/;
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(rnd() * 64);
      let s = i % 4 === 0 ? '_e{' : i % 4 === 1 ? '_sc|' : '';
      for (let j = 0; j < n; j++) {
        s +=
          rnd() < 0.5
            ? alphabet[Math.floor(rnd() * alphabet.length)]
            : String.fromCharCode(Math.floor(rnd() * (rnd() < 0.9 ? 256 : 65536)));
      }
      const sink = new RecordingSink();
      const seen = parsePacket(s, sink, { maxLineLength: 48 });
      expect(seen).toBeGreaterThanOrEqual(0);
      for (const c of sink.calls) {
        total++;
        switch (c.kind) {
          case 'counter':
            expect(Number.isFinite(c.value)).toBe(true);
            expect(c.rate > 0 && c.rate <= 1).toBe(true);
            expect(Number.isInteger(c.ts) && c.ts >= 0).toBe(true);
            expect(c.key).toMatch(keyShape);
            break;
          case 'timer':
            expect(Number.isFinite(c.value) && c.value >= 0).toBe(true);
            expect(c.rate > 0 && c.rate <= 1).toBe(true);
            expect(c.key).toMatch(keyShape);
            break;
          case 'gauge':
            expect(Number.isFinite(c.value)).toBe(true);
            expect(c.key).toMatch(keyShape);
            break;
          case 'set':
            expect(c.member.length).toBeGreaterThan(0);
            expect(c.key).toMatch(keyShape);
            break;
          case 'event':
            expect(c.e.title.length).toBeGreaterThan(0);
            break;
          case 'serviceCheck':
            expect([0, 1, 2, 3]).toContain(c.sc.status);
            break;
          case 'bad':
            expect(c.reason.length).toBeGreaterThan(0);
            break;
        }
      }
    }
    expect(total).toBeGreaterThan(0);
  });
});
