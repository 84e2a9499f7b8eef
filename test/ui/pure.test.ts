import { describe, expect, it } from 'vitest';
import type { Deploy, GraphiteSeries } from '../../ui/src/api.js';
import { movePanel, newPanel, parseImport, slug, stepHeight, stepWidth } from '../../ui/src/dashboard-model.js';
import { filterDeploys, shownTags, versionOf } from '../../ui/src/deploys.js';
import { summarize, toChartData } from '../../ui/src/series-data.js';
import { timeLabels } from '../../ui/src/time-axis.js';
import { isRelative, offsetSec, refreshMs, resolveRange } from '../../ui/src/time-range.js';
import { formatValue, guessUnit } from '../../ui/src/units.js';
import { href, parsePlace } from '../../ui/src/url-state.js';

/** The UI's pure modules, in Node: units, ranges, the URL, dashboards as data, series columns and time labels. */

describe('units', () => {
  it('reads the unit from StatsD names and functions', () => {
    expect(guessUnit('stats.timers.api.latency.upper_99')).toBe('ms');
    expect(guessUnit('stats.timers.api.latency.count')).toBe('');
    expect(guessUnit('stats.counters.api.hits.rate')).toBe('/s');
    expect(guessUnit('stats.timers.api.latency.count_ps')).toBe('/s');
    expect(guessUnit('perSecond(stats.gauges.bytes_total)')).toBe('/s');
    expect(guessUnit('sumSeries(stats.timers.*.latency.mean)')).toBe('ms');
    expect(guessUnit('stats.gauges.queue.depth;env=prod')).toBe('');
  });

  it('formats values with their unit', () => {
    expect(formatValue(12.345, 'ms')).toBe('12.345 ms');
    expect(formatValue(1500, 'ms')).toBe('1.5 s');
    expect(formatValue(90_000, 'ms')).toBe('1.5 min');
    expect(formatValue(2_500_000, '/s')).toBe('2.5M/s');
    expect(formatValue(2048, 'B')).toBe('2 KiB');
    expect(formatValue(null, 'ms')).toBe('–');
    expect(formatValue(Number.NaN, '')).toBe('–');
  });
});

describe('time ranges', () => {
  it('reads Graphite offsets and resolves ranges', () => {
    expect(offsetSec('-15min')).toBe(-900);
    expect(offsetSec('-30d')).toBe(-30 * 86_400);
    expect(offsetSec('yesterday')).toBeNull();
    expect(resolveRange({ from: '-1h', until: 'now' }, 10_000)).toEqual({ from: 6400, until: 10_000 });
    expect(resolveRange({ from: '1800000000', until: '1800003600' }, 10_000)).toEqual({
      from: 1_800_000_000,
      until: 1_800_003_600,
    });
    // An inverted or unreadable range falls back to the hour before its end.
    expect(resolveRange({ from: 'noon', until: 'now' }, 10_000)).toEqual({ from: 6400, until: 10_000 });
    expect(isRelative({ from: '-1h', until: 'now' })).toBe(true);
    expect(isRelative({ from: '1800000000', until: '1800003600' })).toBe(false);
    expect(refreshMs('30s')).toBe(30_000);
    expect(refreshMs('off')).toBeNull();
  });

  it('labels the time axis by the tick spacing, with the date under the first tick of each day', () => {
    const at = (y: number, mo: number, d: number, h: number, mi: number, s = 0) =>
      new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
    expect(timeLabels([at(2026, 12, 3, 23, 58), at(2026, 12, 3, 23, 59), at(2026, 12, 4, 0, 0)], 60)).toEqual([
      '23:58\n12/3',
      '23:59',
      '00:00\n12/4',
    ]);
    expect(timeLabels([at(2026, 12, 3, 9, 0, 30), at(2026, 12, 3, 9, 1)], 30)).toEqual(['09:00:30\n12/3', '09:01:00']);
    expect(timeLabels([at(2026, 12, 3, 0, 0), at(2026, 12, 4, 0, 0)], 86_400)).toEqual(['12/3', '12/4']);
  });
});

describe('the URL', () => {
  it('round-trips every view with its parameters', () => {
    const cases = [
      { view: 'explore' as const },
      { view: 'dashboards' as const },
      { view: 'dashboard' as const, id: 'shop-overview' },
      { view: 'deploy' as const, id: 42 },
    ];
    for (const route of cases) {
      const params = new URLSearchParams([
        ['target', 'sumSeries(stats.counters.{a,b}.count)'],
        ['target', 'alias(x, "a&b=c")'],
        ['from', '-6h'],
      ]);
      const place = parsePlace(href(route, params));
      expect(place.route).toEqual(route);
      expect(place.params.getAll('target')).toEqual(params.getAll('target'));
      expect(place.params.get('from')).toBe('-6h');
    }
    expect(parsePlace('').route).toEqual({ view: 'explore' });
    expect(parsePlace('#/nowhere/x').route).toEqual({ view: 'missing', path: 'nowhere/x' });
    expect(parsePlace('#/deploy/abc').route).toEqual({ view: 'missing', path: 'deploy/abc' });
  });
});

describe('dashboards as data', () => {
  it('makes ids from titles', () => {
    expect(slug('Checkout latency (p99)')).toBe('checkout-latency-p99');
    expect(slug('Ünïcödé')).toBe('unicode');
    expect(slug('<img src=x>')).toBe('img-src-x');
    expect(slug('!!!')).toBe('dashboard');
  });

  it('imports an exported file and refuses what is not a dashboard', () => {
    const d = parseImport(
      JSON.stringify({ id: 'ops', title: ' Ops ', panels: [{ targets: ['a.b'], width: 40, height: 5 }], from: '-6h' }),
    );
    expect(d).toEqual({
      id: 'ops',
      title: 'Ops',
      panels: [{ title: '', targets: ['a.b'], width: 12, height: 120 }],
      from: '-6h',
      until: undefined,
      readOnly: false,
    });
    expect(parseImport(JSON.stringify({ id: '../x', title: 'My board', panels: [] })).id).toBe('my-board');
    expect(() => parseImport('{')).toThrow(/^not JSON/);
    expect(() => parseImport('[]')).toThrow('expected a JSON object');
    expect(() => parseImport('{"title":"x","panels":[{"targets":[1]}]}')).toThrow(
      'panel 1: "targets" must be an array of strings',
    );
  });

  it('moves and resizes panels within bounds', () => {
    const d = { id: 'x', title: 'x', readOnly: false, panels: [newPanel(['a']), newPanel(['b'])] };
    movePanel(d, 0, -1);
    expect(d.panels.map((p) => p.targets[0])).toEqual(['a', 'b']);
    movePanel(d, 0, 1);
    expect(d.panels.map((p) => p.targets[0])).toEqual(['b', 'a']);
    const p = d.panels[0];
    const widths: number[] = [];
    for (let i = 0; i < 5; i++) {
      stepWidth(p, 1);
      widths.push(p.width);
    }
    expect(widths).toEqual([8, 12, 12, 12, 12]);
    stepWidth(p, -1);
    expect(p.width).toBe(8);
    for (let i = 0; i < 20; i++) stepHeight(p, 1);
    expect(p.height).toBe(800);
  });
});

describe('series for uPlot', () => {
  const series = (target: string, points: Array<[number | null, number]>): GraphiteSeries => ({
    target,
    tags: {},
    datapoints: points,
  });

  it('shares one x column when timestamps agree, and joins them when they differ', () => {
    const same = toChartData([
      series('a', [
        [1, 10],
        [null, 20],
      ]),
      series('b', [
        [3, 10],
        [4, 20],
      ]),
    ]);
    expect(same.data).toEqual([
      [10, 20],
      [1, null],
      [3, 4],
    ]);
    expect(same.points).toBe(4);
    const joined = toChartData([
      series('a', [
        [1, 10],
        [2, 20],
      ]),
      series('b', [[5, 15]]),
    ]);
    expect(joined.data).toEqual([
      [10, 15, 20],
      [1, null, 2],
      [null, 5, null],
    ]);
  });

  it('summarizes last, min, max and average over the non-null values', () => {
    expect(summarize([3, null, 1, 8, null])).toEqual({ last: 8, min: 1, max: 8, avg: 4 });
    expect(summarize([null, null])).toEqual({ last: null, min: null, max: null, avg: null });
  });
});

describe('deploys', () => {
  const d = (tags: string[]): Deploy => ({ id: 1, when: 0, what: 'x', data: '', tags });

  it('reads the version and the tags worth showing', () => {
    expect(versionOf(d(['deploy', 'version:1.4.2']))).toBe('1.4.2');
    expect(versionOf(d(['deploy', 'version=2']))).toBe('2');
    expect(versionOf(d(['deploy']))).toBeNull();
    expect(shownTags(d(['deploy', 'service:api', 'version:1']))).toEqual(['service:api']);
  });

  it('filters by every tag given', () => {
    const list = [d(['deploy', 'service:api']), d(['deploy', 'service:web', 'env:prod'])];
    expect(filterDeploys(list, '')).toHaveLength(2);
    expect(filterDeploys(list, 'service:web, env:prod')).toEqual([list[1]]);
    expect(filterDeploys(list, 'service:api env:prod')).toEqual([]);
  });
});
