import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphiteSeries, startTestCollector, type TestCollector, total } from '../support/collector.js';

/** The Graphite-compatible read API over real HTTP. */
describe('HTTP API', () => {
  let t: TestCollector;

  beforeAll(async () => {
    t = await startTestCollector();
    await t.udp(
      'api.web1.hits:1|c\napi.web2.hits:2|c\napi.lat:5|ms\napi.lat:15|ms\napi.level:3|g\napi.tagged:1|c|#env:prod',
    );
    await t.collector.flushNow();
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('/render', () => {
    it('expands globs and sorts the series of one target by name', async () => {
      for (const target of [
        'stats.counters.api.*.hits.count',
        'stats.counters.api.web?.hits.count',
        'stats.counters.api.{web1,web2}.hits.count',
        'stats.counters.api.web[12].hits.count',
      ]) {
        const series = await t.render(target);
        expect(series.map((s) => s.target)).toEqual([
          'stats.counters.api.web1.hits.count',
          'stats.counters.api.web2.hits.count',
        ]);
        expect(series.map(total)).toEqual([1, 2]);
      }
    });

    it('sends a large body (past 1 MB, written out piece by piece) whole, with its length', async () => {
      // 30 × an hour at 1 s: 108,000 points, also past the size where formatting threads take shares.
      const query = new URLSearchParams(
        Array.from({ length: 30 }, (): [string, string] => ['target', 'stats.gauges.api.level']),
      );
      query.set('from', '-1h');
      for (const jsonp of ['', 'cb']) {
        if (jsonp) query.set('jsonp', jsonp);
        const res = await fetch(`${t.url}/render?${query}`);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
        expect(Buffer.byteLength(text)).toBeGreaterThan(1 << 20);
        const series = JSON.parse(jsonp ? text.slice(jsonp.length + 1, -1) : text) as GraphiteSeries[];
        expect(series).toHaveLength(30);
        for (const s of series) {
          expect(s.datapoints).toHaveLength(3600);
          // The gauge holds 3 in every flush since it was set (one or two in this file's lifetime).
          const values = s.datapoints.flatMap(([v]) => (v === null ? [] : [v]));
          expect(values.length).toBeGreaterThan(0);
          expect(values.every((v) => v === 3)).toBe(true);
          expect(s.datapoints).toEqual(series[0]?.datapoints);
        }
      }
    });

    it('sends a large body whole while a slow client holds it and others are answered meanwhile', async () => {
      // Large bodies are written into buffers the collector keeps, and sent from them: one given back before
      // its body was sent would be overwritten by the next body. Counters (2 once, 0 in every flush since)
      // and gauges (3 throughout) make bodies of different values.
      const large = (target: string, n: number) => {
        const query = new URLSearchParams(Array.from({ length: n }, (): [string, string] => ['target', target]));
        query.set('from', '-1h');
        return `${t.url}/render?${query}`;
      };
      const check = (body: unknown, n: number, values: number[]) => {
        const series = body as GraphiteSeries[];
        expect(series).toHaveLength(n);
        for (const s of series) {
          expect(s.datapoints).toHaveLength(3600);
          expect(s.datapoints.every(([v]) => v === null || values.includes(v))).toBe(true);
          expect(s.datapoints).toEqual(series[0]?.datapoints);
        }
      };
      // ~11 MB, far past what the kernel buffers for a client that doesn't read: most of it waits in the
      // collector until the client reads on.
      const slow = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get(large('stats.gauges.api.level', 200), resolve).on('error', reject),
      );
      slow.pause();
      await new Promise((r) => setTimeout(r, 200));
      // A client that goes away mid-body.
      const cut = new AbortController();
      const res = await fetch(large('stats.counters.api.web2.hits.count', 150), { signal: cut.signal });
      await res.body?.getReader().read();
      cut.abort();
      for (let round = 0; round < 2; round++) {
        const bodies = await Promise.all(
          [150, 120].map(async (n) => (await fetch(large('stats.counters.api.web2.hits.count', n))).json()),
        );
        check(bodies[0], 150, [0, 2]);
        check(bodies[1], 120, [0, 2]);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of slow) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).length).toBe(Number(slow.headers['content-length']));
      check(JSON.parse(Buffer.concat(chunks).toString()), 200, [3]);
    });

    it('answers a form-encoded POST as Grafana sends it', async () => {
      const body = new URLSearchParams([
        ['target', 'stats.counters.api.web1.hits.count'],
        ['target', 'stats.gauges.api.level'],
        ['from', '-10min'],
        ['until', 'now'],
        ['format', 'json'],
        ['maxDataPoints', '1000'],
      ]);
      const res = await fetch(`${t.url}/render`, { method: 'POST', body });
      expect(res.status).toBe(200);
      const series = (await res.json()) as GraphiteSeries[];
      expect(series.map((s) => s.target)).toEqual(['stats.counters.api.web1.hits.count', 'stats.gauges.api.level']);
    });

    it('returns points in (from, until] on the step grid', async () => {
      const now = Math.floor(Date.now() / 1000);
      const [s] = await t.render('stats.gauges.api.level', { from: String(now - 10), until: String(now) });
      expect(s.datapoints).toHaveLength(10);
      expect(s.datapoints[0][1]).toBe(now - 9);
      expect(s.datapoints[9][1]).toBe(now);
    });

    it('consolidates to maxDataPoints and drops nulls with noNullPoints', async () => {
      const [wide] = await t.render('stats.counters.api.web2.hits.count', { from: '-10min', maxDataPoints: '10' });
      expect(wide.datapoints.length).toBeLessThanOrEqual(11);
      // Counts consolidate by sum, so the total survives.
      expect(total(wide)).toBe(2);
      const [dense] = await t.render('stats.counters.api.web2.hits.count', { noNullPoints: '1' });
      expect(dense.datapoints.every(([v]) => v !== null)).toBe(true);
    });

    it('serves CSV and JSONP', async () => {
      const csv = await (await t.get('/render?target=stats.gauges.api.level&from=-1min&format=csv')).text();
      expect(csv).toMatch(/^stats\.gauges\.api\.level,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,3\.0\r$/m);
      const res = await t.get('/render?target=stats.gauges.api.level&from=-1min&jsonp=cb');
      expect(res.headers.get('content-type')).toContain('text/javascript');
      expect(await res.text()).toMatch(/^cb\(\[\{"target": "stats\.gauges\.api\.level"/);
    });

    it('reads timer percentiles that were never configured', async () => {
      const [p999] = await t.render('stats.timers.api.lat.upper_99_9');
      expect(p999.target).toBe('stats.timers.api.lat.upper_99_9');
      expect(p999.datapoints.some(([v]) => v === 15)).toBe(true);
    });

    it('answers no target with an empty list', async () => {
      expect(await (await t.get('/render?format=json')).json()).toEqual([]);
    });

    it.each([
      ['from=yesterdayish', /Invalid parameters \(invalid time "yesterdayish"/],
      ['from=-1m', /Invalid parameters \(invalid time "-1m"/],
      ['from=now&until=now', /Invalid empty time range/],
      ['format=png', /Invalid parameters \(querystring "format" must be equal to one of the allowed values\)/],
      ['maxDataPoints=abc', /Invalid parameters \(querystring "maxDataPoints"/],
      ['target=noSuchFunction(a.*)', /unknown function "noSuchFunction" at position 1/],
      [
        'target=sumSeries(a.*',
        /syntax error in target at position 14: expected "," or "\)" to continue sumSeries\(, found end of target/,
      ],
      [
        'target=sumSeries(a.*,"x")',
        /Invalid "seriesList" value specified for function "sumSeries" parameter "seriesLists": "x"/,
      ],
      ['target=a.[b', /invalid path "a.\[b"/],
      ['target=a.b;env', /invalid tag "env"/],
      ['jsonp=alert(1)', /Invalid parameters \(querystring "jsonp"/],
    ])('rejects %s with a 400 and a one-line reason', async (query, message) => {
      const res = await t.get(`/render?target=stats.gauges.api.level&${query}`);
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(text).toMatch(message);
    });
  });

  describe('/metrics', () => {
    it('finds nodes in treejson, branches before leaves', async () => {
      const res = await t.get('/metrics/find?query=stats.counters.api.*');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.json()).toEqual([
        { text: 'web1', id: 'stats.counters.api.web1', allowChildren: 1, expandable: 1, leaf: 0 },
        { text: 'web2', id: 'stats.counters.api.web2', allowChildren: 1, expandable: 1, leaf: 0 },
      ]);
      const leaves = await (await t.get('/metrics/find?query=stats.gauges.api.*')).json();
      expect(leaves).toEqual([
        { text: 'level', id: 'stats.gauges.api.level', allowChildren: 0, expandable: 0, leaf: 1 },
      ]);
    });

    it('accepts find as a form POST, and the completer format', async () => {
      const res = await fetch(`${t.url}/metrics/find`, {
        method: 'POST',
        body: new URLSearchParams({ query: 'stats.timers.api.lat.upper_9' }),
      });
      expect(res.status).toBe(200);
      const completer = await (await t.get('/metrics/find?query=stats.timers.api.lat.upper_5&format=completer')).json();
      expect(completer).toEqual({
        metrics: [{ path: 'stats.timers.api.lat.upper_50', name: 'upper_50', is_leaf: '1' }],
      });
    });

    it('adds the wildcard node when asked', async () => {
      const nodes = (await (await t.get('/metrics/find?query=stats.counters.api.*&wildcards=1')).json()) as Array<{
        text: string;
      }>;
      expect(nodes[0].text).toBe('*');
    });

    it('expands globs and lists every leaf in index.json', async () => {
      const expanded = await (await t.get('/metrics/expand?query=stats.counters.api.*.hits.c*')).json();
      expect(expanded).toEqual({
        results: ['stats.counters.api.web1.hits.count', 'stats.counters.api.web2.hits.count'],
      });
      const all = (await (await t.get('/metrics/index.json')).json()) as string[];
      expect(all).toContain('stats.timers.api.lat.upper_99');
      expect(all).toContain('stats.gauges.api.level');
      expect(all).not.toContain('stats.counters.api.tagged.count;env=prod');
      expect([...all].sort()).toEqual(all);
    });

    it('requires a query', async () => {
      const res = await t.get('/metrics/find');
      expect(res.status).toBe(400);
      expect(await res.text()).toBe("Invalid parameters (Missing required parameter 'query')\n");
    });
  });

  it('reports health', async () => {
    const health = await t.health();
    expect(health.status).toBe('ok');
    expect(Number(health.series)).toBeGreaterThan(5);
    expect(Number(health.flushes)).toBeGreaterThan(0);
  });

  it('answers an unknown route with a 404, not a 500', async () => {
    const res = await t.get('/nope');
    expect(res.status).toBe(404);
  });
});
