import { describe, expect, it } from 'vitest';
import {
  consolidate,
  consolidateForRender,
  formatCsv,
  formatJson,
  pythonFloatRepr,
} from '../../collector/src/query/render-format.js';
import type { ConsolidationFunc, TimeSeries } from '../../collector/src/query/series.js';

const N = NaN;

function series(
  name: string,
  start: number,
  step: number,
  values: number[],
  opts: { func?: ConsolidationFunc; xff?: number; tags?: Record<string, string> } = {},
): TimeSeries {
  return {
    name,
    tags: opts.tags ?? { name },
    pathExpression: name,
    start,
    end: start + values.length * step,
    step,
    values: Float64Array.from(values),
    consolidationFunc: opts.func ?? 'average',
    xFilesFactor: opts.xff ?? 0,
  };
}

type Point = [number | null, number];
type Parsed = { target: string; tags: Record<string, string>; datapoints: Point[] };

function render(list: TimeSeries[], opts: { maxDataPoints?: number; noNullPoints?: boolean } = {}): Parsed[] {
  return JSON.parse(formatJson(list, opts).toString()) as Parsed[];
}

const range = (from: number, to: number, by = 1) =>
  Array.from({ length: (to - from) / by + 1 }, (_, i) => from + i * by);

describe('consolidate', () => {
  const v = Float64Array.from([1, N, 3, 4, N, N, 7]);

  it.each<[ConsolidationFunc, (number | null)[]]>([
    ['sum', [4, 4, 7]],
    ['average', [2, 4, 7]],
    ['min', [1, 4, 7]],
    ['max', [3, 4, 7]],
    ['first', [1, 4, 7]],
    ['last', [3, 4, 7]],
    // nulls count as zeros; the short trailing bucket divides by its own length
    ['avg_zero', [4 / 3, 4 / 3, 7]],
  ])('%s', (func, want) => {
    const got = Array.from(consolidate(v, 3, func, 0), (x) => (Number.isNaN(x) ? null : x));
    expect(got).toEqual(want);
  });

  it('yields null for an all-null bucket', () => {
    expect(Array.from(consolidate(Float64Array.from([N, N, 1, 2]), 2, 'sum', 0))).toEqual([N, 3]);
  });

  it('applies xFilesFactor against the full bucket size, trailing bucket included', () => {
    const vals = Float64Array.from([1, N, 3, 4, 5]);
    expect(Array.from(consolidate(vals, 2, 'sum', 0.5))).toEqual([1, 7, 5]);
    expect(Array.from(consolidate(vals, 2, 'sum', 0.51))).toEqual([N, 7, N]);
    expect(Array.from(consolidate(vals, 2, 'sum', 1))).toEqual([N, 7, N]);
  });

  it('keeps ±Infinity', () => {
    expect(Array.from(consolidate(Float64Array.from([Infinity, 1, -Infinity, 2]), 2, 'max', 0))).toEqual([Infinity, 2]);
  });

  it('rejects a bad valuesPerPoint', () => {
    expect(() => consolidate(v, 0, 'sum', 0)).toThrow(RangeError);
    expect(() => consolidate(v, 1.5, 'sum', 0)).toThrow(RangeError);
  });

  it('is a copy with valuesPerPoint 1', () => {
    const out = consolidate(v, 1, 'sum', 0);
    expect(out).not.toBe(v);
    expect(Array.from(out)).toEqual(Array.from(v));
  });
});

/**
 * graphite-web webapp/tests/test_render.py `test_maxDataPoints`: a 20-value 'sum' series, 1 s step,
 * at several start offsets and xFilesFactors; each row is [maxDataPoints values, expected datapoints].
 */
describe('maxDataPoints (graphite-web test_maxDataPoints)', () => {
  type Row = [number[], Point[]];
  const identity = (start: number): Point[] => range(start, start + 19).map((t) => [t, t]);
  const pairs = (from: number, to: number): Point[] => range(from, to, 2).map((t) => [2 * t - 1, t]);

  const cases: { start: number; xff: number; rows: Row[] }[] = [
    {
      start: 1,
      xff: 0,
      rows: [
        [[21, 20], identity(1)],
        [range(10, 19), pairs(2, 20)],
        [
          [9, 8, 7],
          [
            [9, 3],
            [18, 6],
            [27, 9],
            [36, 12],
            [45, 15],
            [54, 18],
            [20, 21],
          ],
        ],
        [
          [6, 5],
          [
            [18, 4],
            [34, 8],
            [50, 12],
            [66, 16],
            [39, 20],
          ],
        ],
        [
          [4],
          [
            [30, 5],
            [55, 10],
            [80, 15],
            [39, 20],
          ],
        ],
        [
          [3],
          [
            [63, 7],
            [112, 14],
            [20, 21],
          ],
        ],
        [
          [2],
          [
            [135, 10],
            [39, 20],
          ],
        ],
        [[1], [[210, 1]]],
      ],
    },
    {
      start: 3,
      xff: 0,
      rows: [
        [[21, 20], identity(3)],
        [range(10, 19), pairs(4, 22)],
        [
          [9, 8, 7],
          [
            [18, 6],
            [27, 9],
            [36, 12],
            [45, 15],
            [54, 18],
            [63, 21],
          ],
        ],
        [
          [6, 5],
          [
            [18, 4],
            [34, 8],
            [50, 12],
            [66, 16],
            [82, 20],
          ],
        ],
        [
          [4],
          [
            [30, 5],
            [55, 10],
            [80, 15],
            [82, 20],
          ],
        ],
        [
          [3],
          [
            [63, 7],
            [112, 14],
            [63, 21],
          ],
        ],
        [
          [2],
          [
            [135, 10],
            [82, 20],
          ],
        ],
        [[1], [[250, 3]]],
      ],
    },
    {
      start: 5,
      xff: 0,
      rows: [
        [[21, 20], identity(5)],
        [range(10, 19), pairs(6, 24)],
        [
          [9, 8, 7],
          [
            [18, 6],
            [27, 9],
            [36, 12],
            [45, 15],
            [54, 18],
            [63, 21],
            [47, 24],
          ],
        ],
        [
          [6, 5],
          [
            [34, 8],
            [50, 12],
            [66, 16],
            [82, 20],
            [47, 24],
          ],
        ],
        [
          [4],
          [
            [55, 10],
            [80, 15],
            [105, 20],
            [24, 25],
          ],
        ],
        [
          [3],
          [
            [63, 7],
            [112, 14],
            [110, 21],
          ],
        ],
        [
          [2],
          [
            [135, 10],
            [129, 20],
          ],
        ],
        [[1], [[290, 5]]],
      ],
    },
    {
      start: 1,
      xff: 1,
      rows: [
        [[21, 20], identity(1)],
        [range(10, 19), pairs(2, 20)],
        [
          [9, 8, 7],
          [
            [9, 3],
            [18, 6],
            [27, 9],
            [36, 12],
            [45, 15],
            [54, 18],
            [null, 21],
          ],
        ],
        [
          [6, 5],
          [
            [18, 4],
            [34, 8],
            [50, 12],
            [66, 16],
            [null, 20],
          ],
        ],
        [
          [4],
          [
            [30, 5],
            [55, 10],
            [80, 15],
            [null, 20],
          ],
        ],
        [
          [3],
          [
            [63, 7],
            [112, 14],
            [null, 21],
          ],
        ],
        [
          [2],
          [
            [135, 10],
            [null, 20],
          ],
        ],
        [[1], [[210, 1]]],
      ],
    },
    {
      start: 3,
      xff: 1,
      rows: [
        [[21, 20], identity(3)],
        [range(10, 19), pairs(4, 22)],
        [
          [9, 8, 7],
          [
            [18, 6],
            [27, 9],
            [36, 12],
            [45, 15],
            [54, 18],
            [63, 21],
          ],
        ],
        [
          [6, 5],
          [
            [18, 4],
            [34, 8],
            [50, 12],
            [66, 16],
            [82, 20],
          ],
        ],
        [
          [4],
          [
            [30, 5],
            [55, 10],
            [80, 15],
            [null, 20],
          ],
        ],
        [
          [3],
          [
            [63, 7],
            [112, 14],
            [null, 21],
          ],
        ],
        [
          [2],
          [
            [135, 10],
            [null, 20],
          ],
        ],
        [[1], [[250, 3]]],
      ],
    },
    {
      start: 5,
      xff: 1,
      rows: [
        [[21, 20], identity(5)],
        [range(10, 19), pairs(6, 24)],
        [
          [9, 8, 7],
          [
            [18, 6],
            [27, 9],
            [36, 12],
            [45, 15],
            [54, 18],
            [63, 21],
            [null, 24],
          ],
        ],
        [
          [6, 5],
          [
            [34, 8],
            [50, 12],
            [66, 16],
            [82, 20],
            [null, 24],
          ],
        ],
        [
          [4],
          [
            [55, 10],
            [80, 15],
            [105, 20],
            [null, 25],
          ],
        ],
        [
          [3],
          [
            [63, 7],
            [112, 14],
            [null, 21],
          ],
        ],
        [
          [2],
          [
            [135, 10],
            [null, 20],
          ],
        ],
        [[1], [[290, 5]]],
      ],
    },
    {
      start: 11,
      xff: 1,
      rows: [
        [[21, 20], identity(11)],
        [range(10, 19), pairs(12, 30)],
        [
          [9, 8, 7],
          [
            [36, 12],
            [45, 15],
            [54, 18],
            [63, 21],
            [72, 24],
            [81, 27],
            [null, 30],
          ],
        ],
        [
          [6, 5],
          [
            [50, 12],
            [66, 16],
            [82, 20],
            [98, 24],
            [114, 28],
          ],
        ],
        [
          [4],
          [
            [80, 15],
            [105, 20],
            [130, 25],
            [null, 30],
          ],
        ],
        [
          [3],
          [
            [112, 14],
            [161, 21],
            [null, 28],
          ],
        ],
        [
          [2],
          [
            [235, 20],
            [null, 30],
          ],
        ],
        [[1], [[410, 11]]],
      ],
    },
  ];

  for (const { start, xff, rows } of cases) {
    for (const [mdps, want] of rows) {
      it(`start=${start} xFilesFactor=${xff} maxDataPoints=${mdps.join(',')}`, () => {
        for (const maxDataPoints of mdps) {
          const s = series('test', start, 1, range(start, start + 19), { func: 'sum', xff });
          const before = Array.from(s.values);
          expect(render([s], { maxDataPoints })).toEqual([
            { target: 'test', tags: { name: 'test' }, datapoints: want },
          ]);
          // the input is never mutated
          expect(Array.from(s.values)).toEqual(before);
          expect(s.start).toBe(start);
        }
      });
    }
  }
});

describe('consolidateForRender', () => {
  it('returns series untouched without maxDataPoints or when they already fit', () => {
    const s = series('a', 10, 10, [1, 2, 3]);
    expect(consolidateForRender([s], undefined)[0]).toBe(s);
    expect(consolidateForRender([s], 0)[0]).toBe(s);
    expect(consolidateForRender([s], 3)[0]).toBe(s);
  });

  it('gives the consolidated series a coarser step and a matching end', () => {
    const [s] = consolidateForRender([series('a', 100, 10, range(1, 12))], 4);
    // n = 12, vpp = 3, secondsPerPoint = 30, nudge = 30 + 0 - 10 = 20 → start 120, one value dropped
    expect(s?.step).toBe(30);
    expect(s?.start).toBe(120);
    expect(Array.from(s?.values ?? [])).toEqual([3, 6, 9, 11.5]);
    expect(s?.end).toBe(120 + 4 * 30);
  });

  it('measures the time range across all series, each with its own step', () => {
    const fine = series('fine', 0, 1, range(1, 20));
    const coarse = series('coarse', 0, 2, range(1, 10));
    const [f, c] = consolidateForRender([fine, coarse], 10);
    expect(f?.step).toBe(2);
    expect(c).toBe(coarse);
  });

  it('folds the whole series into one point for maxDataPoints=1', () => {
    const [s] = consolidateForRender([series('a', 60, 60, [1, 2, 3, N], { func: 'max' })], 1);
    expect(Array.from(s?.values ?? [])).toEqual([3]);
    expect(s?.start).toBe(60);
    expect(s?.step).toBe(240);
  });

  it('uses each series consolidation function', () => {
    const list = ['average', 'min', 'max', 'last'].map((f) =>
      series(f, 0, 1, [1, 2, 3, 4, 5, 6, 7, 8], { func: f as ConsolidationFunc }),
    );
    const out = consolidateForRender(list, 3).map((s) => Array.from(s.values));
    // vpp = 3, nudge = 3 → start 3, two values dropped: [3,4,5],[6,7,8]
    expect(out).toEqual([
      [4, 7],
      [3, 6],
      [5, 8],
      [5, 8],
    ]);
  });
});

describe('formatJson', () => {
  it('writes graphite-web bytes', () => {
    const s = series('a.b', 60, 60, [1, N, 2.5]);
    expect(formatJson([s], {}).toString()).toBe(
      '[{"target": "a.b", "tags": {"name": "a.b"}, "datapoints": [[1, 60], [null, 120], [2.5, 180]]}]',
    );
  });

  it('writes Infinity the way graphite-web does (test_render_view)', () => {
    const ts = 1_700_000_000;
    const s = series('test', ts - 49, 1, [...Array(44).fill(N), 0.12345678901234568, 0.4, 0.6, Infinity, -Infinity, N]);
    const out = formatJson([s], {}).toString();
    expect(out).toContain(`[1e9999, ${ts - 2}]`);
    expect(out).toContain(`[-1e9999, ${ts - 1}]`);
    expect(out).toContain(`[null, ${ts}]`);
    const parsed = JSON.parse(out) as Parsed[];
    expect(parsed[0]?.datapoints.slice(-7)).toEqual([
      [null, ts - 6],
      [0.12345678901234568, ts - 5],
      [0.4, ts - 4],
      [0.6, ts - 3],
      [Infinity, ts - 2],
      [-Infinity, ts - 1],
      [null, ts],
    ]);
    expect(parsed[0]?.datapoints).toHaveLength(50);
  });

  it('drops null points with noNullPoints', () => {
    const ts = 1_700_000_000;
    const s = series('test', ts - 49, 1, [...Array(44).fill(N), 0.12345678901234568, 0.4, 0.6, Infinity, -Infinity, N]);
    const out = formatJson([s], { noNullPoints: true }).toString();
    expect(out).not.toContain('null');
    expect(JSON.parse(out)).toEqual([
      {
        target: 'test',
        tags: { name: 'test' },
        datapoints: [
          [0.12345678901234568, ts - 5],
          [0.4, ts - 4],
          [0.6, ts - 3],
          [Infinity, ts - 2],
          [-Infinity, ts - 1],
        ],
      },
    ]);
  });

  it('omits series left empty by noNullPoints', () => {
    const empty = series('empty', 0, 1, [N, N]);
    const full = series('full', 0, 1, [N, 1]);
    expect(formatJson([empty], { noNullPoints: true }).toString()).toBe('[]');
    expect(render([empty, full], { noNullPoints: true }).map((s) => s.target)).toEqual(['full']);
    expect(render([empty, full]).map((s) => s.target)).toEqual(['empty', 'full']);
  });

  it('applies noNullPoints after maxDataPoints', () => {
    const s = series('a', 0, 1, [N, N, N, N, 1, 2], { func: 'sum' });
    // vpp = 2, nudge = 2 → start 2, one value dropped: [N,N],[N,1],[2] → null, 1, 2
    expect(render([s], { maxDataPoints: 3, noNullPoints: true })[0]?.datapoints).toEqual([
      [1, 4],
      [2, 6],
    ]);
  });

  it('writes nothing when every series is empty, as graphite-web does', () => {
    expect(formatJson([], {}).toString()).toBe('[]');
    expect(formatJson([series('a', 0, 1, [])], {}).toString()).toBe('[]');
    expect(render([series('a', 0, 1, []), series('b', 0, 1, [1])]).map((s) => s.datapoints.length)).toEqual([0, 1]);
  });

  it('writes tags in order and escapes strings as Python json does', () => {
    const s = series('caf\u00e9;env=prod', 0, 10, [1], {
      tags: { env: 'prod', name: 'caf\u00e9', quote: 'a"b\\c\n', emoji: '\u{1F600}', del: '\u007f' },
    });
    expect(formatJson([s], {}).toString()).toBe(
      '[{"target": "caf\\u00e9;env=prod", "tags": {"env": "prod", "name": "caf\\u00e9", ' +
        '"quote": "a\\"b\\\\c\\n", "emoji": "\\ud83d\\ude00", "del": "\\u007f"}, "datapoints": [[1, 0]]}]',
    );
  });

  it('adds the name tag if a series lacks it', () => {
    const s = series('x.y', 0, 1, [1], { tags: {} });
    expect(render([s])[0]?.tags).toEqual({ name: 'x.y' });
  });

  it('prints numbers as JavaScript does, which JSON parsers read back exactly', () => {
    const vals = [0.1 + 0.2, 1e21, 1e-7, -0.5, 123456789.123];
    const out = render([series('n', 0, 1, vals)]);
    expect(out[0]?.datapoints.map((p) => p[0])).toEqual(vals);
  });
});

describe('formatCsv', () => {
  const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');

  it('matches graphite-web test_render_view (UTC, \\r\\n, empty nulls, Python floats)', () => {
    const ts = 1_700_000_000;
    const test = series('test', ts - 49, 1, [
      ...Array(44).fill(N),
      0.12345678901234568,
      0.4,
      0.6,
      Infinity,
      -Infinity,
      N,
    ]);
    const test2 = series('test2', ts - 49, 1, [...Array(44).fill(N), 1, 2, 3, 4, 5, 6]);
    let want = '';
    for (let t = ts - 49; t < ts - 5; t++) want += `test,${iso(t)},\r\n`;
    want += `test,${iso(ts - 5)},0.12345678901234568\r\n`;
    want += `test,${iso(ts - 4)},0.4\r\n`;
    want += `test,${iso(ts - 3)},0.6\r\n`;
    want += `test,${iso(ts - 2)},inf\r\n`;
    want += `test,${iso(ts - 1)},-inf\r\n`;
    // graphite prints a stored NaN as "nan"; ours cannot tell NaN from null, so it is empty.
    want += `test,${iso(ts)},\r\n`;
    for (let t = ts - 49; t < ts - 5; t++) want += `test2,${iso(t)},\r\n`;
    for (let i = 1; i <= 6; i++) want += `test2,${iso(ts - 6 + i)},${i}.0\r\n`;
    expect(formatCsv([test, test2])).toBe(want);
  });

  it('writes nothing for no series', () => {
    expect(formatCsv([])).toBe('');
  });

  it('writes local times in a time zone', () => {
    expect(formatCsv([series('a', 1_700_000_000, 60, [1])], 'America/New_York')).toBe('a,2023-11-14 17:13:20,1.0\r\n');
    expect(formatCsv([series('a', 1_700_000_000, 60, [1])], 'Asia/Kolkata')).toBe('a,2023-11-15 03:43:20,1.0\r\n');
    expect(formatCsv([series('a', 1_700_000_000, 60, [1])], 'UTC')).toBe('a,2023-11-14 22:13:20,1.0\r\n');
  });

  it('follows DST changes point by point', () => {
    const fallBack = Date.UTC(2023, 10, 5, 5) / 1000; // 01:00 EDT
    expect(formatCsv([series('a', fallBack, 1800, [1, 2, 3, 4, 5])], 'America/New_York')).toBe(
      [
        'a,2023-11-05 01:00:00,1.0',
        'a,2023-11-05 01:30:00,2.0',
        'a,2023-11-05 01:00:00,3.0',
        'a,2023-11-05 01:30:00,4.0',
        'a,2023-11-05 02:00:00,5.0',
        '',
      ].join('\r\n'),
    );
    const edge = Date.UTC(2023, 10, 5, 5, 59, 50) / 1000;
    expect(formatCsv([series('b', edge, 10, [1, 2, 3])], 'America/New_York')).toBe(
      'b,2023-11-05 01:59:50,1.0\r\nb,2023-11-05 01:00:00,2.0\r\nb,2023-11-05 01:00:10,3.0\r\n',
    );
    const springForward = Date.UTC(2023, 2, 12, 6, 59, 50) / 1000; // 01:59:50 EST
    expect(formatCsv([series('c', springForward, 10, [1, 2])], 'America/New_York')).toBe(
      'c,2023-03-12 01:59:50,1.0\r\nc,2023-03-12 03:00:00,2.0\r\n',
    );
  });

  it('quotes names as the excel dialect does', () => {
    expect(formatCsv([series('a,b', 0, 1, [1])])).toBe('"a,b",1970-01-01 00:00:00,1.0\r\n');
    expect(formatCsv([series('say "hi"', 0, 1, [1])])).toBe('"say ""hi""",1970-01-01 00:00:00,1.0\r\n');
    expect(formatCsv([series('plain;tag=v', 0, 1, [1])])).toBe('plain;tag=v,1970-01-01 00:00:00,1.0\r\n');
  });
});

describe('pythonFloatRepr', () => {
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [-0, '-0.0'],
    [123456789.123, '123456789.123'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [1234567890123456, '1234567890123456.0'],
    [2 ** 53, '9007199254740992.0'],
    [1.2345678901234567e19, '1.2345678901234567e+19'],
    [1e22, '1e+22'],
    [1e300, '1e+300'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [5e-324, '5e-324'],
    [0.12345678901234568, '0.12345678901234568'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ])('%d → %s', (v, want) => {
    expect(pythonFloatRepr(v)).toBe(want);
  });
});
