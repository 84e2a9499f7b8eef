import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../support/collector.js';

/**
 * Replays, request for request, what Grafana's Graphite data source (public/app/plugins/datasource/graphite:
 * datasource.ts, state/providers.ts) sends while a user saves the data source, builds a panel in the query
 * editor, refreshes it and shows deploy annotations, and checks each answer the way Grafana reads it.
 */

interface GraphiteSeries {
  target: string;
  tags: Record<string, string | number>;
  datapoints: Array<[number | null, number]>;
}

interface Frame {
  refId: string;
  name: string;
  tags: Record<string, string | number>;
  points: Array<[number | null, number]>;
}

/** A Grafana time range as the browser holds it: moments (here epoch ms) plus the raw text. */
interface Range {
  from: number;
  to: number;
  raw: { from: string; to: string };
}

/** Grafana's translateTime: `now` stays, `now-6h` → `-6h` (first m → min), a moment → epoch s nudged out 1 s. */
function translateTime(range: Range, side: 'from' | 'to', useRaw: boolean): string {
  const raw = range.raw[side];
  if (useRaw) {
    if (raw === 'now') return 'now';
    if (raw.includes('now-') && !raw.includes('/')) return raw.slice(3).replace('m', 'min').replace('M', 'mon');
  }
  let sec = Math.floor(range[side] / 1000);
  // "graphite's from filter is exclusive": when the moment has seconds, step out by one.
  if (sec % 60 !== 0) sec += side === 'to' ? 1 : -1;
  return String(sec);
}

/** Grafana's toUrlParams: repeated keys for arrays, AngularJS-style encoding, empty arrays left out. */
function urlParams(params: Record<string, string | number | string[] | undefined>): string {
  const enc = (v: string) =>
    encodeURIComponent(v)
      .replace(/%40/gi, '@')
      .replace(/%3A/gi, ':')
      .replace(/%24/g, '$')
      .replace(/%2C/gi, ',')
      .replace(/%3B/gi, ';');
  const out: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) out.push(`${enc(k)}=${enc(String(item))}`);
  }
  return out.join('&');
}

/** The parts of Grafana's GraphiteDatasource that talk to the server, as it builds each request. */
class Grafana {
  /** Every request made, in order, for the final check. */
  readonly log: string[] = [];

  constructor(private readonly url: string) {}

  async request(method: 'GET' | 'POST', path: string, init: { body?: string; json?: boolean } = {}) {
    this.log.push(`${method} ${path.split('?')[0]}`);
    const res = await fetch(`${this.url}${path}`, {
      method,
      body: init.body,
      headers: {
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
        // Proxy mode adds these; a Graphite server must ignore them.
        'X-Dashboard-Id': '7',
        'X-Panel-Id': '2',
        'X-Grafana-Org-Id': '1',
      },
    });
    const text = await res.text();
    expect(res.status, `${method} ${path} → ${res.status}: ${text}`).toBe(200);
    return text;
  }

  /** getVersion(): the body must be a valid SemVer, else Grafana falls back to ''. */
  async getVersion(): Promise<string> {
    const body = await this.request('GET', '/version');
    return /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?$/.test(body) ? body : '';
  }

  /** getFuncDefs(): fetched as text, Graphite 1.1.7's bare Infinity patched, then parsed. */
  async getFuncDefs(): Promise<Record<string, FuncDef>> {
    const text = await this.request('GET', '/functions');
    return JSON.parse(text.replace(/"default": ?Infinity/g, '"default": 1e9999'));
  }

  /** query(): every target wrapped in aliasSub with its refId, form-encoded POST to /render. */
  async query(
    targets: Array<{ refId: string; target: string; hide?: boolean }>,
    range: Range,
    maxDataPoints: number,
    useRaw = false,
  ): Promise<Frame[]> {
    const original = Object.fromEntries(targets.map((t) => [t.refId, t.target]));
    const wrapped = targets.map((t) => ({
      ...t,
      target: `aliasSub(${t.target}, "(^.*$)", "\\1 ${t.refId.replaceAll(' ', '_')}")`,
    }));
    const params: string[] = [];
    for (const t of wrapped) {
      // #A references expand to the referenced query's original text.
      const value = t.target
        .replace(/'(\d+)m'/gi, (m) => m.replace('m', 'min').replace('M', 'mon'))
        .replace(/#([A-Z])/g, (m, ref: string) => original[ref] ?? m);
      if (!t.hide) params.push(`target=${encodeURIComponent(value)}`);
    }
    const options = {
      from: translateTime(range, 'from', useRaw),
      until: translateTime(range, 'to', useRaw),
      format: 'json',
      cacheTimeout: undefined,
      maxDataPoints,
    };
    for (const [key, value] of Object.entries(options)) if (value) params.push(`${key}=${encodeURIComponent(value)}`);
    const body = JSON.parse(await this.request('POST', '/render', { body: params.join('&') })) as
      | GraphiteSeries[]
      | { series: GraphiteSeries[] };
    const series = Array.isArray(body) ? body : body.series;
    expect(Array.isArray(series)).toBe(true);
    // convertResponseToDataFrames: the last space-separated word of target is the refId.
    return series.map((s) => {
      const words = s.target.split(' ');
      const refId = words.length > 1 ? (words.pop() ?? '') : '';
      return {
        refId,
        name: words.join(' '),
        tags: s.tags,
        points: s.datapoints.map(([v, t]) => [v, t * 1000] as [number | null, number]),
      };
    });
  }

  /** requestMetricFind(): POST /metrics/find with the (unencoded) query in the body and the range in the URL. */
  async metricFind(query: string, range: Range): Promise<Array<{ text: string; expandable: boolean }>> {
    const qs = urlParams({ from: translateTime(range, 'from', false), until: translateTime(range, 'to', false) });
    const nodes = JSON.parse(await this.request('POST', `/metrics/find?${qs}`, { body: `query=${query}` })) as Array<{
      text: string;
      expandable: number;
    }>;
    return nodes.map((n) => ({ text: n.text, expandable: !!n.expandable }));
  }

  /** requestMetricExpand(): a variable query `expand(<glob>)`. */
  async metricExpand(query: string, range: Range): Promise<string[]> {
    const qs = urlParams({
      query,
      from: translateTime(range, 'from', false),
      until: translateTime(range, 'to', false),
    });
    return (JSON.parse(await this.request('GET', `/metrics/expand?${qs}`)) as { results: string[] }).results;
  }

  async tagsAutoComplete(expressions: string[], tagPrefix?: string, limit?: number): Promise<string[]> {
    const qs = urlParams({ expr: expressions, tagPrefix: tagPrefix || undefined, limit });
    return JSON.parse(await this.request('GET', `/tags/autoComplete/tags${qs ? `?${qs}` : ''}`));
  }

  async tagValuesAutoComplete(expressions: string[], tag: string, valuePrefix?: string, limit?: number) {
    const qs = urlParams({ expr: expressions, tag, valuePrefix: valuePrefix || undefined, limit });
    return JSON.parse(await this.request('GET', `/tags/autoComplete/values?${qs}`)) as string[];
  }

  /** events(): the tags are pasted into the URL unencoded (fetch encodes the space). */
  async events(range: Range, tags: string): Promise<GraphiteEvent[]> {
    const from = translateTime(range, 'from', false);
    const until = translateTime(range, 'to', false);
    const body = JSON.parse(
      await this.request('GET', `/events/get_data?from=${from}&until=${until}${tags === '' ? '' : `&tags=${tags}`}`),
    );
    // Grafana: a non-array answer gives no annotations and a console error.
    expect(Array.isArray(body)).toBe(true);
    return body;
  }
}

interface FuncDef {
  name: string;
  function: string;
  description: string;
  group: string;
  params: Array<{ name: string; type: string; required?: boolean; default?: unknown; multiple?: boolean }>;
}

interface GraphiteEvent {
  when: number;
  what: string;
  data: string;
  tags: string[] | string;
  id: number;
}

const lastHours = (h: number, nowMs: number): Range => ({
  from: nowMs - h * 3_600_000,
  to: nowMs,
  raw: { from: `now-${h}h`, to: 'now' },
});

const total = (f: Frame | undefined) => (f?.points ?? []).reduce((a, [v]) => a + (v ?? 0), 0);

describe('Grafana Graphite data source, replayed', () => {
  let t: TestCollector;
  let grafana: Grafana;
  const nowSec = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    // The finest tier keeps 7 h, so a "Last 6 hours" panel reads the points just flushed.
    t = await startTestCollector({
      retention: [
        { stepSec: 1, retentionSec: 7 * 3600 },
        { stepSec: 60, retentionSec: 86_400 },
      ],
    });
    grafana = new Grafana(t.url);
    await t.udp(
      [
        'x:3|c',
        'api.hits:5|c',
        'api.hits:2|c|#env:prod,az:b',
        'api.hits:4|c|#env:dev',
        'api.latency:20|ms|#env:prod',
        'db.query:7|ms',
        'cpu:42|g',
      ].join('\n'),
    );
    const event = (title: string, text: string, ago: number, tags: string) =>
      `_e{${title.length},${text.length}}:${title}|${text}|d:${nowSec - ago}|#${tags}`;
    await t.udp(
      [
        event('deploy api v1.4.2', 'by ci #812', 1800, 'deploy,service:api'),
        event('deploy web v9', 'by ci #813', 900, 'deploy,service:web'),
        event('pager: disk full', 'db1 /var', 600, 'alert'),
        event('deploy api v1.4.1', 'last week', 7 * 86_400, 'deploy,service:api'),
      ].join('\n'),
    );
    await t.collector.flushNow();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('Save & test: /version, then constantLine(100) over the last hour', async () => {
    expect(await grafana.getVersion()).toBe('1.1.10');

    const range = lastHours(1, Date.now());
    const frames = await grafana.query([{ refId: 'A', target: 'constantLine(100)' }], range, 300);
    expect(frames).toHaveLength(1);
    const [f] = frames;
    expect(f.refId).toBe('A');
    expect(f.name).toBe('100');
    expect(f.points.map(([v]) => v)).toEqual([100, 100, 100]);
    // Three points: at from, halfway, and the end of the range.
    const from = Number(translateTime(range, 'from', false));
    const until = Number(translateTime(range, 'to', false));
    expect(f.points[0][1]).toBe(from * 1000);
    expect(f.points[1][1]).toBe((from + Math.floor((until - from) / 2)) * 1000);
  });

  it('query editor: loads the function index', async () => {
    const defs = await grafana.getFuncDefs();
    for (const name of ['aliasSub', 'constantLine', 'seriesByTag', 'sumSeries']) {
      expect(defs[name], name).toMatchObject({ name, group: expect.any(String), params: expect.any(Array) });
    }
    expect(defs.aliasSub.params.map((p) => [p.name, p.type])).toEqual([
      ['seriesList', 'seriesList'],
      ['search', 'string'],
      ['replace', 'string'],
    ]);
    // gfunc.parseFuncDefs treats a first seriesList(s) parameter as the piped input.
    expect(defs.sumSeries.params[0].type).toMatch(/^seriesLists?$/);
    expect(defs.seriesByTag.params).toEqual([
      expect.objectContaining({ name: 'tagExpressions', type: 'string', multiple: true }),
    ]);
    for (const def of Object.values(defs)) expect(def.function.startsWith(`${def.name}(`)).toBe(true);
  });

  it('query editor: browses the metric tree, with tags offered beside the first segment', async () => {
    const range = lastHours(6, Date.now());
    // getAltSegments(0, ''): find `*`, then the tags as "tag: …" entries.
    const roots = await grafana.metricFind('*', range);
    expect(roots).toContainEqual({ text: 'stats', expandable: true });
    expect(await grafana.tagsAutoComplete([], '')).toEqual(['az', 'env', 'name']);

    const kinds = await grafana.metricFind('stats.*', range);
    for (const text of ['counters', 'gauges', 'timers']) expect(kinds).toContainEqual({ text, expandable: true });
    // The user types "x" into the third segment.
    expect(await grafana.metricFind('stats.counters.*x*', range)).toEqual([{ text: 'x', expandable: true }]);
    expect(await grafana.metricFind('stats.counters.x.*', range)).toEqual([
      { text: 'count', expandable: false },
      { text: 'rate', expandable: false },
    ]);
    // Gauges are leaves themselves (beside the collector's own stats.gauges.statsd branch).
    expect(await grafana.metricFind('stats.gauges.*', range)).toContainEqual({ text: 'cpu', expandable: false });
    expect(await grafana.metricFind('stats.timers.db.query.upper_*', range)).toContainEqual({
      text: 'upper_99',
      expandable: false,
    });
  });

  it('variables: expand(), tags() and tag_values()', async () => {
    const range = lastHours(6, Date.now());
    expect(await grafana.metricExpand('stats.counters.*.count', range)).toEqual(['stats.counters.x.count']);
    // Branches expand too, as in graphite-web.
    expect(await grafana.metricExpand('stats.counters.{x,api}.*', range)).toEqual([
      'stats.counters.api.hits',
      'stats.counters.x.count',
      'stats.counters.x.rate',
    ]);
    expect(await grafana.tagsAutoComplete(['env=prod'], undefined, 10_000)).toEqual(['az', 'name']);
    expect(await grafana.tagValuesAutoComplete([], 'env', undefined, 10_000)).toEqual(['dev', 'prod']);
  });

  it('query editor: builds seriesByTag with tag and value autocomplete', async () => {
    // The user picks "tag: env", then its value.
    expect(await grafana.tagValuesAutoComplete([], 'env', '')).toEqual(['dev', 'prod']);
    // Adds a second tag: offered tags leave out env.
    expect(await grafana.tagsAutoComplete(['env=prod'], '')).toEqual(['az', 'name']);
    expect(await grafana.tagsAutoComplete(['env=prod'], 'n')).toEqual(['name']);
    // Picks name and types its start; the values come from the series with env=prod.
    expect(await grafana.tagValuesAutoComplete(['env=prod'], 'name', 'stats.counters.api')).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.rate',
    ]);
    // Editing the first tag again: its expression is left out, the other one stays.
    expect(await grafana.tagValuesAutoComplete(['name=stats.counters.api.hits.count'], 'env', '')).toEqual([
      'dev',
      'prod',
    ]);
  });

  it('panel: renders metric, tagged and #A-referencing targets with relative and epoch ranges', async () => {
    const targets = [
      { refId: 'A', target: 'stats.counters.x.count' },
      { refId: 'B', target: "seriesByTag('name=stats.counters.api.hits.count', 'env=prod')" },
      { refId: 'C', target: 'sumSeries(#A)' },
      { refId: 'D', target: 'stats.gauges.cpu', hide: true },
    ];
    for (const useRaw of [true, false]) {
      const range = lastHours(6, Date.now());
      const frames = await grafana.query(targets, range, 1000, useRaw);
      expect(frames.map((f) => [f.refId, f.name])).toEqual([
        ['A', 'stats.counters.x.count'],
        ['B', 'stats.counters.api.hits.count;az=b;env=prod'],
        ['C', 'sumSeries(stats.counters.x.count)'],
      ]);
      const [a, b, c] = frames;
      expect(a.tags).toEqual({ name: 'stats.counters.x.count' });
      expect(b.tags).toEqual({ az: 'b', env: 'prod', name: 'stats.counters.api.hits.count' });
      // maxDataPoints folds 6 h of 1 s points; counts are summed, so the totals survive.
      for (const f of frames) expect(f.points.length).toBeLessThanOrEqual(1001);
      expect([total(a), total(b), total(c)]).toEqual([3, 2, 3]);
      // Timestamps are epoch ms after Grafana's conversion, in order, within the range.
      const times = a.points.map(([, ts]) => ts);
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      expect(times[0]).toBeGreaterThanOrEqual(range.from - 60_000);
      expect(times[times.length - 1]).toBeLessThanOrEqual(range.to + 60_000);
    }
  });

  it("panel: a short relative range in Grafana's minute spelling (now-5m → -5min)", async () => {
    const now = Date.now();
    const range: Range = { from: now - 300_000, to: now, raw: { from: 'now-5m', to: 'now' } };
    const [a] = await grafana.query([{ refId: 'A', target: 'stats.counters.x.count' }], range, 1000, true);
    expect(a.points).toHaveLength(300);
    expect(total(a)).toBe(3);
  });

  it('annotations: deploy events by tag for the dashboard range', async () => {
    const range = lastHours(6, Date.now());
    const deploys = await grafana.events(range, 'deploy');
    // As Grafana maps them: time = when * 1000, title = what, text = data.
    const annotations = deploys.map((e) => ({ time: e.when * 1000, title: e.what, text: e.data, tags: e.tags }));
    expect(annotations).toEqual([
      {
        time: (nowSec - 1800) * 1000,
        title: 'deploy api v1.4.2',
        text: 'by ci #812',
        tags: ['deploy', 'service:api'],
      },
      { time: (nowSec - 900) * 1000, title: 'deploy web v9', text: 'by ci #813', tags: ['deploy', 'service:web'] },
    ]);
    for (const e of deploys) expect(Number.isInteger(e.when) && Number.isInteger(e.id)).toBe(true);

    // Two annotation tags are joined with a space: both must be on the event.
    expect((await grafana.events(range, 'deploy service:api')).map((e) => e.what)).toEqual(['deploy api v1.4.2']);
    // No tags: every event in range.
    expect((await grafana.events(range, '')).map((e) => e.what)).toEqual([
      'deploy api v1.4.2',
      'deploy web v9',
      'pager: disk full',
    ]);
    // A week back finds the older deploy as well.
    expect((await grafana.events(lastHours(8 * 24, Date.now()), 'deploy')).map((e) => e.what)).toEqual([
      'deploy api v1.4.1',
      'deploy api v1.4.2',
      'deploy web v9',
    ]);
  });

  it('annotations: from a Graphite target, one per non-null point', async () => {
    const range = lastHours(1, Date.now());
    const frames = await grafana.query([{ refId: 'Anno', target: 'drawAsInfinite(events("deploy"))' }], range, 100);
    expect(frames.map((f) => [f.refId, f.name])).toEqual([['Anno', 'drawAsInfinite(events("deploy"))']]);
    const marks = frames[0].points.filter(([v]) => v);
    expect(marks.length).toBeGreaterThanOrEqual(1);
    expect(total(frames[0])).toBe(2);
  });

  it('made exactly the requests Grafana makes', () => {
    expect(new Set(grafana.log)).toEqual(
      new Set([
        'GET /version',
        'POST /render',
        'GET /functions',
        'POST /metrics/find',
        'GET /metrics/expand',
        'GET /tags/autoComplete/tags',
        'GET /tags/autoComplete/values',
        'GET /events/get_data',
      ]),
    );
  });
});
