import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alerts,
  parseRange,
  parseThresholds,
  ThresholdError,
  thresholdState,
} from '../../collector/src/check/range.js';
import { parseEvent, parseServiceCheck } from '../../collector/src/ingest/statsd-event.js';
import type { LineSink, ServiceCheck, StatsdEvent } from '../../collector/src/ingest/statsd-line.js';
import { parsePacket } from '../../collector/src/ingest/statsd-line.js';
import { QueryError } from '../../collector/src/query/query-error.js';
import { formatExpr, parseTarget } from '../../collector/src/query/target-parser.js';
import { parseInterval, parseTime, TimeParseError } from '../../collector/src/query/time.js';
import { fuzzParams, hostileString, replacer, runTwice, tokenSoup } from './fuzz-params.js';
import { STATSD_TOKENS, statsdLine } from './statsd-arbitraries.js';

/**
 * Property-based fuzzing of the pure parsers (issue 9, hostile input): whatever the input, no exception
 * escapes except the parser's own one-line error, the same input always gives the same answer, and what
 * is accepted satisfies the invariants the rest of the collector relies on.
 */

type Call = [string, ...unknown[]];

class RecordingSink implements LineSink {
  readonly calls: Call[] = [];
  counter(key: string, value: number, rate: number, ts: number) {
    this.calls.push(['counter', key, value, rate, ts]);
  }
  timer(key: string, value: number, rate: number) {
    this.calls.push(['timer', key, value, rate]);
  }
  gauge(key: string, value: number, delta: boolean, ts: number) {
    this.calls.push(['gauge', key, value, delta, ts]);
  }
  set(key: string, member: string) {
    this.calls.push(['set', key, member]);
  }
  event(e: StatsdEvent) {
    this.calls.push(['event', e]);
  }
  serviceCheck(sc: ServiceCheck) {
    this.calls.push(['serviceCheck', sc]);
  }
  bad(line: string, reason: string) {
    this.calls.push(['bad', line, reason]);
  }
}

function parseAll(packet: string, maxLineLength: number): { seen: number; calls: Call[] } {
  const sink = new RecordingSink();
  const seen = parsePacket(packet, sink, { maxLineLength });
  return { seen, calls: sink.calls };
}

/** The metric name part of a key (before its `;tag=value` suffix) as the store will see it. */
const CLEAN_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

describe('fuzz: StatsD line parser', () => {
  it('never throws, is deterministic, and only emits clean keys and finite values', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc
          .array(
            fc.oneof({ weight: 3, arbitrary: statsdLine }, { weight: 2, arbitrary: hostileString(STATSD_TOKENS) }),
            {
              maxLength: 8,
            },
          )
          .map((lines) => lines.join('\n')),
        fc.constantFrom(16, 512, 8192),
        (packet, maxLineLength) => {
          const a = parseAll(packet, maxLineLength);
          const b = parseAll(packet, maxLineLength);
          expect(JSON.stringify(b, replacer)).toBe(JSON.stringify(a, replacer));
          // Every non-empty line is accounted for: at least one metric, event or rejection per line.
          expect(a.calls.length).toBeGreaterThanOrEqual(a.seen);
          for (const [kind, ...args] of a.calls) {
            if (kind === 'bad') {
              rejected++;
              expect(String(args[1])).not.toContain('\n');
              continue;
            }
            accepted++;
            if (kind === 'event' || kind === 'serviceCheck') continue;
            const key = String(args[0]);
            expect(key.split(';')[0]).toMatch(CLEAN_NAME);
            if (kind !== 'set') expect(Number.isFinite(args[1])).toBe(true);
            if (kind === 'counter' || kind === 'timer') {
              const rate = args[2] as number;
              expect(rate > 0 && rate <= 1).toBe(true);
            }
            if (kind === 'timer') expect(args[1] as number).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      fuzzParams(3000),
    );
    // The generator reaches both sides of the parser, so the invariants above were really exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });

  it('rejects every line longer than the limit without parsing it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (line, max) => {
        fc.pre(!line.includes('\n') && !line.endsWith('\r'));
        const { seen, calls } = parseAll(line, max);
        expect(seen).toBe(1);
        if (line.length > max) expect(calls).toEqual([['bad', line, `line longer than ${max} characters`]]);
      }),
      fuzzParams(1000),
    );
  });

  it('events and service checks: a record or a one-line reason, never an exception', () => {
    const EVENT_TOKENS = ['_e{', '_sc|', '}', ',', ':', '|', 'd:', 'h:', 'k:', 'p:', 's:', 't:', '#', '1', '10', '0'];
    fc.assert(
      fc.property(hostileString([...EVENT_TOKENS, ...STATSD_TOKENS]), (tail) => {
        for (const line of [`_e{${tail}`, `_sc|${tail}`, tail]) {
          const ev = runTwice(() => parseEvent(line), []);
          if (typeof ev === 'string') expect(ev).not.toContain('\n');
          else expect(Array.isArray(ev.tags)).toBe(true);
          const sc = runTwice(() => parseServiceCheck(line), []);
          if (typeof sc === 'string') expect(sc).not.toContain('\n');
          else expect([0, 1, 2, 3]).toContain(sc.status);
        }
      }),
      fuzzParams(2000),
    );
  });
});

const TARGET_TOKENS = [
  'a',
  'a.b.c',
  '*',
  '?',
  '[a-z]',
  '[',
  ']',
  '{a,b}',
  '{',
  '}',
  '(',
  ')',
  ',',
  '|',
  '=',
  '"',
  "'",
  '\\',
  ';env=prod',
  'sumSeries(',
  'alias(',
  'scale(',
  'movingAverage(',
  'seriesByTag(',
  'aliasByNode(',
  'f(',
  'True',
  'False',
  'None',
  'inf',
  '-inf',
  '1',
  '-1.5e3',
  '.5',
  ' ',
  '\t',
  'x=',
  '((((((((',
  '))))))))',
];

describe('fuzz: Graphite target parser', () => {
  it('parses or throws a one-line QueryError, deterministically; what parses prints back to itself', () => {
    let parsed = 0;
    fc.assert(
      fc.property(hostileString(TARGET_TOKENS), (text) => {
        const out = runTwice(() => parseTarget(text), [QueryError]);
        if (typeof out === 'string') return;
        parsed++;
        // formatExpr names series after their target: printing and re-parsing must reach a fixed point.
        const printed = formatExpr(out);
        const again = runTwice(() => parseTarget(printed), [QueryError]);
        expect(typeof again === 'string' ? again : formatExpr(again)).toBe(printed);
      }),
      fuzzParams(3000),
    );
    expect(parsed).toBeGreaterThan(100);
  });

  it('survives nesting far past its depth limit with a QueryError, not a stack overflow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('f(', 'sumSeries(', '(', '{', '['),
        (n, open) => {
          const text = `${open.repeat(n)}a${')'.repeat(n)}`;
          runTwice(() => parseTarget(text), [QueryError]);
        },
      ),
      fuzzParams(200),
    );
  });
});

const TIME_TOKENS = [
  'now',
  'today',
  'yesterday',
  'tomorrow',
  'noon',
  'midnight',
  'teatime',
  '-',
  '+',
  '1',
  '5',
  '10',
  '99999999999',
  's',
  'sec',
  'min',
  'h',
  'd',
  'w',
  'mon',
  'y',
  'years',
  'am',
  'pm',
  ':',
  '12:30',
  '25:99',
  '20240229',
  '20231301',
  '2024',
  '/',
  '02/30/24',
  'jan',
  'february',
  'monday',
  'tue',
  ' ',
  '_',
  ',',
  '.',
  'e',
];
const ZONES = [
  undefined,
  'UTC',
  'Europe/Paris',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Pacific/Kiritimati',
  'Nope/Zone',
];

describe('fuzz: Graphite time grammar', () => {
  it('parseTime returns a safe integer or throws a one-line TimeParseError, deterministically', () => {
    let parsed = 0;
    fc.assert(
      fc.property(
        hostileString(TIME_TOKENS),
        // The clock is the server's, or a `now=` that parseTime already accepted: always a safe integer.
        fc.oneof(
          fc.integer({ min: 0, max: 4_102_444_800 }),
          fc.constantFrom(
            0,
            -1,
            -8_640_000_000_000,
            8_640_000_000_000,
            Number.MAX_SAFE_INTEGER,
            -Number.MAX_SAFE_INTEGER,
          ),
          fc.maxSafeInteger(),
        ),
        fc.oneof(fc.constantFrom(...ZONES), fc.string({ maxLength: 12 })),
        (input, now, tz) => {
          const out = runTwice(() => parseTime(input, now, tz), [TimeParseError]);
          if (typeof out === 'string') return;
          parsed++;
          expect(Number.isSafeInteger(out)).toBe(true);
        },
      ),
      fuzzParams(3000),
    );
    expect(parsed).toBeGreaterThan(50);
  });

  it('parseInterval returns a safe integer or throws a one-line TimeParseError, deterministically', () => {
    fc.assert(
      fc.property(hostileString(TIME_TOKENS), (input) => {
        const out = runTwice(() => parseInterval(input), [TimeParseError]);
        if (typeof out !== 'string') expect(Number.isSafeInteger(out)).toBe(true);
      }),
      fuzzParams(2000),
    );
  });
});

const RANGE_TOKENS = ['@', '~', ':', '10', '-5', '+3', '.5', '1e3', '1e999', '%', ' ', 'abc', '0', '1.', '-'];

describe('fuzz: Nagios threshold ranges', () => {
  it('parse to an ordered range or a one-line ThresholdError; alerting is deterministic and total', () => {
    let parsed = 0;
    fc.assert(
      fc.property(
        tokenSoup(RANGE_TOKENS, 8),
        fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY)),
        (text, value) => {
          const range = runTwice(() => parseRange(text), [ThresholdError]);
          if (typeof range === 'string') return;
          parsed++;
          expect(range.start <= range.end).toBe(true);
          expect(Number.isNaN(range.start) || Number.isNaN(range.end)).toBe(false);
          expect(runTwice(() => alerts(range, value), [])).toBe(alerts(range, value));
        },
      ),
      fuzzParams(3000),
    );
    expect(parsed).toBeGreaterThan(100);
  });

  it('threshold pairs: a state for any value, or a ThresholdError naming which range is wrong', () => {
    fc.assert(
      fc.property(
        fc.option(tokenSoup(RANGE_TOKENS, 6), { nil: undefined }),
        fc.option(tokenSoup(RANGE_TOKENS, 6), { nil: undefined }),
        fc.double(),
        (w, c, value) => {
          const t = runTwice(() => parseThresholds(w, c), [ThresholdError]);
          if (typeof t === 'string') {
            expect(t).toMatch(/^ThresholdError: (warning|critical): /);
            return;
          }
          expect([0, 1, 2]).toContain(thresholdState(value, t));
        },
      ),
      fuzzParams(2000),
    );
  });
});
