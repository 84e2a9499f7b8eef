import { createMemoryMetrics } from 'trendline';
import { describe, expect, it } from 'vitest';
import {
  sanitizeName as collectorSanitize,
  type LineSink,
  parsePacket,
} from '../../collector/src/ingest/statsd-line.js';
import { Batcher } from '../../lib/src/batcher.js';
import {
  encodeSetMember,
  mergeTagSuffix,
  sanitizeName,
  sanitizePath,
  tagMap,
  tagSuffix,
} from '../../lib/src/format.js';
import { mulberry32 } from './support.js';

/** The pure formatting core, held against the collector's own parser. */

const ALPHABET = [
  ...'abcXYZ019_-.',
  ...' \t\n/\\:|#,;=@+%!*?()[]{}\'"',
  '\u00e9',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\u2615',
  '\ud83d\ude00',
  '\ud800', // a lone surrogate
];

function randomString(random: () => number, max = 24): string {
  let s = '';
  const n = Math.floor(random() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return s;
}

type Seen =
  | { kind: 'counter' | 'timer'; key: string; value: number; rate: number }
  | { kind: 'gauge'; key: string; value: number; delta: boolean }
  | { kind: 'set'; key: string; member: string }
  | { kind: 'bad'; line: string; reason: string };

function parse(lines: string[]): Seen[] {
  const seen: Seen[] = [];
  const sink: LineSink = {
    counter: (key, value, rate) => seen.push({ kind: 'counter', key, value, rate }),
    timer: (key, value, rate) => seen.push({ kind: 'timer', key, value, rate }),
    gauge: (key, value, delta) => seen.push({ kind: 'gauge', key, value, delta }),
    set: (key, member) => seen.push({ kind: 'set', key, member }),
    event: () => undefined,
    serviceCheck: () => undefined,
    bad: (line, reason) => seen.push({ kind: 'bad', line, reason }),
  };
  parsePacket(lines.join('\n'), sink);
  return seen;
}

/** The collector's key for a record: name plus `;k=v` sorted by key. */
function keyOf(name: string, tags: Record<string, string>): string {
  return (
    name +
    Object.keys(tags)
      .sort()
      .map((k) => `;${k}=${tags[k]}`)
      .join('')
  );
}

describe('sanitising', () => {
  it("sanitizeName is the collector's rule, character for character", () => {
    const random = mulberry32(1);
    for (let i = 0; i < 5000; i++) {
      const s = randomString(random);
      expect(sanitizeName(s)).toBe(collectorSanitize(s));
    }
  });

  it('sanitizePath also removes empty path nodes, which the collector rejects', () => {
    expect(sanitizePath('a..b')).toBe('a.b');
    expect(sanitizePath('.a.b.')).toBe('a.b');
    expect(sanitizePath('. .')).toBe('_');
    expect(sanitizePath('...')).toBe('');
    expect(sanitizePath('GET /users/:id')).toBe('GET_-users-id');
    // Whitespace runs become one `_`, but a dropped character ends the run.
    expect(sanitizePath('caf\u00e9 \u2615 bar')).toBe('caf__bar');
    expect(sanitizePath('already.clean-name_1')).toBe('already.clean-name_1');
  });

  it('tags: later sources win, empty keys or values and the reserved key "name" are dropped', () => {
    const map = tagMap({ env: 'prod', az: 'a' }, ['az:b', 'canary', 'x=1', ':v', 'k:', 'name:n', 'a b:c/d']);
    expect([...map]).toEqual([
      ['env', 'prod'],
      ['az', 'b'],
      ['canary', 'true'],
      ['x', '1'],
      ['a_b', 'c-d'],
    ]);
    expect(tagSuffix(map)).toBe('|#env:prod,az:b,canary:true,x:1,a_b:c-d');
    const base = tagMap({ env: 'prod' });
    expect(mergeTagSuffix(base, '|#env:prod', { route: 'r' })).toBe('|#env:prod,route:r');
    expect(mergeTagSuffix(base, '|#env:prod', { env: 'dev', route: 'r' })).toBe('|#env:dev,route:r');
    expect(mergeTagSuffix(base, '|#env:prod', ['a:1', 'a:2'])).toBe('|#env:prod,a:2');
    expect(mergeTagSuffix(base, '|#env:prod', {})).toBe('|#env:prod');
  });

  it('set members stay distinct and parse back as one member', () => {
    const members = ['alice', 'a b', 'a%20b', 'a|b', 'a:b', 'caf\u00e9', '\u2615', '#x', '@1'];
    const encoded = members.map(encodeSetMember);
    expect(new Set(encoded).size).toBe(members.length);
    for (const e of encoded) expect(e).toMatch(/^[\x21-\x7e]+$/);
    expect(encoded.slice(0, 3)).toEqual(['alice', 'a%20b', 'a%2520b']);
    expect(encodeSetMember('\ud800')).toBe('');
  });
});

describe('what the collector reads back', () => {
  it('every line the library emits for random names, tags and values parses cleanly, to the recorded key', () => {
    const random = mulberry32(2);
    const m = createMemoryMetrics({ prefix: 'fuzz' });
    for (let i = 0; i < 3000; i++) {
      const name = randomString(random);
      const tags: Record<string, string> = {};
      for (let t = Math.floor(random() * 4); t > 0; t--) tags[randomString(random, 8)] = randomString(random, 8);
      const value = Math.round((random() - 0.3) * 1e6) / 100;
      switch (i % 6) {
        case 0:
          m.increment(name, value, tags);
          break;
        case 1:
          m.gauge(name, value, tags);
          break;
        case 2:
          m.gaugeDelta(name, value, tags);
          break;
        case 3:
          m.timing(name, Math.abs(value), tags, 0.5);
          break;
        case 4:
          m.set(name, randomString(random), tags);
          break;
        default:
          m.distribution(name, Math.abs(value), tags);
      }
    }
    expect(m.records.length).toBeGreaterThan(2500);
    const seen = parse(m.lines());
    expect(seen.filter((s) => s.kind === 'bad')).toEqual([]);
    // Negative gauges are two lines (0, then the value), so compare per record.
    let at = 0;
    for (const r of m.records) {
      const key = keyOf(r.name, r.tags);
      if (r.kind === 'gauge' && (r.value as number) < 0) {
        expect(seen[at]).toEqual({ kind: 'gauge', key, value: 0, delta: false });
        at++;
      }
      const s = seen[at++];
      if (r.kind === 'counter') expect(s).toEqual({ kind: 'counter', key, value: r.value, rate: 1 });
      if (r.kind === 'gauge') expect(s).toEqual({ kind: 'gauge', key, value: r.value, delta: (r.value as number) < 0 });
      if (r.kind === 'gaugeDelta') expect(s).toEqual({ kind: 'gauge', key, value: r.value, delta: true });
      if (r.kind === 'timing') expect(s).toEqual({ kind: 'timer', key, value: r.value, rate: 0.5 });
      if (r.kind === 'distribution') expect(s).toEqual({ kind: 'timer', key, value: r.value, rate: 1 });
      if (r.kind === 'set') expect(s).toEqual({ kind: 'set', key, member: r.value });
    }
    expect(at).toBe(seen.length);
  });
});

describe('Batcher', () => {
  it('never exceeds the limit, keeps order, and sends an oversized entry alone', () => {
    const out: Array<[string, number]> = [];
    const b = new Batcher(20, (d, n) => out.push([d, n]));
    for (const e of ['aaaaa', 'bbbbb', 'ccccc', 'dddddddddddddddddddddddd', 'e', 'ffffffffffffffffff', 'gg']) b.add(e);
    b.flush();
    b.flush();
    expect(out).toEqual([
      ['aaaaa\nbbbbb\nccccc', 3],
      ['dddddddddddddddddddddddd', 1],
      ['e\nffffffffffffffffff', 2],
      ['gg', 1],
    ]);
  });

  it('fills a datagram exactly to the limit', () => {
    const out: string[] = [];
    const b = new Batcher(11, (d) => out.push(d));
    b.add('aaaaa');
    b.add('bbbbb'); // 5 + 1 + 5 = 11
    b.add('c');
    b.flush();
    expect(out).toEqual(['aaaaa\nbbbbb', 'c']);
  });
});
