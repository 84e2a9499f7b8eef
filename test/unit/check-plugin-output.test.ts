import { describe, expect, it } from 'vitest';
import { type CheckPolicy, evaluateCheck } from '../../collector/src/check/evaluate.js';
import {
  checkJson,
  formatNumber,
  perfdata,
  perfLabel,
  pluginOutput,
  problemOutput,
  textLabel,
} from '../../collector/src/check/plugin-output.js';
import { parseThresholds } from '../../collector/src/check/range.js';
import { parseReducer } from '../../collector/src/check/reduce.js';
import { CRITICAL, UNKNOWN } from '../../collector/src/check/state.js';

const N = Number.NaN;

function policy(agg = 'avg', w?: string, c?: string): CheckPolicy {
  return {
    thresholds: parseThresholds(w, c),
    reducer: parseReducer(agg),
    skipPartial: false,
    onMissing: UNKNOWN,
    combine: 'worst',
  };
}

const s = (name: string, values: number[]) => ({ name, start: 100, step: 10, values: Float64Array.from(values) });

describe('numbers', () => {
  it.each([
    [3.2, '3.2'],
    [0, '0'],
    [-0, '0'],
    [-7.25, '-7.25'],
    [0.1 + 0.2, '0.3'],
    [1 / 3, '0.333333'],
    [10 / 3, '3.333333'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-9, '-0.0000000025'],
    [123456789.125, '123456789.125'],
    [98765.4321, '98765.4321'],
  ])('%d → %s (only [-0-9.], never an exponent)', (v, want) => {
    expect(formatNumber(v)).toBe(want);
    expect(want).toMatch(/^-?[0-9.]+$/);
  });
});

describe('perfdata', () => {
  it('quotes every label and doubles quotes', () => {
    expect(perfLabel('api.latency')).toBe("'api.latency'");
    expect(perfLabel('disk space')).toBe("'disk space'");
    expect(perfLabel("bob's")).toBe("'bob''s'");
  });
  it('writes = (forbidden in labels; Graphite tags carry it) as :', () => {
    expect(perfLabel('stats.counters.foo.count;env=prod')).toBe("'stats.counters.foo.count;env:prod'");
  });
  it('keeps labels on one line', () => {
    expect(perfLabel('a\nb')).toBe("'a b'");
    expect(textLabel('a|b\r\nc')).toBe('a/b c');
  });

  it("is 'label'=value[UOM];warn;crit;min;max with empty fields kept", () => {
    expect(perfdata('x', 3.2, { thresholds: parseThresholds('5', '10') })).toBe("'x'=3.2;5;10;;");
    expect(perfdata('x', 3.2)).toBe("'x'=3.2;;;;");
    expect(perfdata('x', 250, { uom: 'ms', thresholds: parseThresholds('~:200', '@300:400') })).toBe(
      "'x'=250ms;~:200;@300:400;;",
    );
    expect(perfdata('x', 12.5, { uom: '%', min: 0, max: 100 })).toBe("'x'=12.5%;;;0;100");
  });
  it('writes U for a value that could not be determined', () => {
    expect(perfdata('x', undefined, { uom: 'ms', thresholds: parseThresholds('5', '10') })).toBe("'x'=U;5;10;;");
    expect(perfdata('x', Number.POSITIVE_INFINITY)).toBe("'x'=U;;;;");
  });
});

describe('plugin output', () => {
  it('one series: status line with one perfdata pair', () => {
    const p = policy('avg', '5', '10');
    const out = pluginOutput(evaluateCheck([s('api.latency', [3, 3.4])], p, 200), { policy: p, targets: ['x'] });
    expect(out).toBe("TRENDLINE OK - api.latency = 3.2 | 'api.latency'=3.2;5;10;;\n");
  });

  it('one series without data: the reason, and U in perfdata', () => {
    const p = policy('avg', '5', '10');
    const out = pluginOutput(evaluateCheck([s('api.latency', [N, N])], p, 200), { policy: p, targets: ['x'] });
    expect(out).toBe("TRENDLINE UNKNOWN - api.latency: no data | 'api.latency'=U;5;10;;\n");
  });

  it('no series: says which target matched nothing', () => {
    const p = { ...policy(), onMissing: CRITICAL } as CheckPolicy;
    const out = pluginOutput(evaluateCheck([], p, 200), { policy: p, targets: ['web.*.latency', 'db.x'] });
    expect(out).toBe('TRENDLINE CRITICAL - no series matched "web.*.latency", "db.x"\n');
  });

  it('several series: summary, one long-output line and one perfdata pair per series', () => {
    const p = policy('max', '5', '10');
    const verdict = evaluateCheck([s('web1', [1, 2]), s('web2', [12]), s('web 3', [6]), s('web4', [N])], p, 200);
    const out = pluginOutput(verdict, { policy: p, targets: ['web*'], uom: 'ms' });
    expect(out).toBe(
      [
        "TRENDLINE CRITICAL - web2 = 12ms (4 series: 1 critical, 1 warning, 1 unknown, 1 ok) | 'web1'=2ms;5;10;;",
        'OK: web1 = 2ms',
        'CRITICAL: web2 = 12ms',
        'WARNING: web 3 = 6ms',
        "UNKNOWN: web4: no data | 'web2'=12ms;5;10;; 'web 3'=6ms;5;10;; 'web4'=U;5;10;;",
        '',
      ].join('\n'),
    );
    // Nagios takes the text before the first | of line 1 as the status, and every pair once.
    const lines = out.trimEnd().split('\n');
    const pairs = `${lines[0]?.split('|')[1]} ${lines.at(-1)?.split('|')[1]}`.trim().split(/ (?=')/);
    expect(pairs).toHaveLength(4);
  });

  it('nullpct is a percentage between 0 and 100', () => {
    const p = policy('nullpct', '10', '50');
    const out = pluginOutput(evaluateCheck([s('q', [1, N, N, 4])], p, 200), { policy: p, targets: ['q'] });
    expect(out).toBe("TRENDLINE WARNING - q = 50% | 'q'=50%;10;50;0;100\n");
  });

  it('keeps a | in a series name out of the status text', () => {
    const p = policy();
    const out = pluginOutput(evaluateCheck([s('a|b', [1])], p, 200), { policy: p, targets: ['x'] });
    expect(out).toBe("TRENDLINE OK - a/b = 1 | 'a|b'=1;;;;\n");
  });

  it('problems are one line', () => {
    expect(problemOutput(UNKNOWN, 'invalid target: syntax error\nat 3 | x')).toBe(
      'TRENDLINE UNKNOWN - invalid target: syntax error at 3 / x\n',
    );
  });

  it('JSON carries the same result as data', () => {
    const p = policy('last', '5', '10');
    const verdict = evaluateCheck([s('a', [1, 7]), s('b', [N])], p, 125);
    const json = checkJson(verdict, { policy: p, targets: ['*'], from: 0, until: 120, now: 125 });
    expect(json).toMatchObject({
      state: 'WARNING',
      code: 1,
      agg: 'last',
      warning: '5',
      critical: '10',
      series: [
        { label: 'a', state: 'WARNING', code: 1, value: 7, points: 2, nulls: 0, newest: 110, age: 15, missing: null },
        { label: 'b', state: 'UNKNOWN', code: 3, value: null, points: 0, missing: 'no-data', reason: 'no data' },
      ],
    });
    expect(json.output).toBe(pluginOutput(verdict, { policy: p, targets: ['*'] }));
    expect(json.series[0]?.perfdata).toBe("'a'=7;5;10;;");
  });
});
