import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGraphiteJson } from '../../collector/src/http/routes/functions.js';
import { startTestCollector, type TestCollector, tempDir } from '../support/collector.js';

/** graphite-web's tag, event, function-index and version APIs over real HTTP. */

interface GraphiteEvent {
  when: number;
  what: string;
  data: string;
  tags: string[];
  id: number;
}

const NOW = Math.floor(Date.now() / 1000);

/** A DogStatsD event line, lengths in UTF-8 bytes as the spec has them. */
function dogEvent(title: string, text: string, ts: number, tags: string[]): string {
  const len = (s: string) => Buffer.byteLength(s);
  return `_e{${len(title)},${len(text)}}:${title}|${text}|d:${ts}${tags.length ? `|#${tags.join(',')}` : ''}`;
}

describe('tags, events, functions and version', () => {
  let t: TestCollector;
  const json = async (path: string) => {
    const res = await t.get(path);
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return res.json();
  };
  const fail = async (path: string, status = 400) => {
    const res = await t.get(path);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(text.trim().split('\n')).toHaveLength(1);
    return text;
  };

  beforeAll(async () => {
    t = await startTestCollector();
    await t.udp(
      [
        'api.hits:1|c',
        'api.hits:2|c|#env:prod,az:b',
        'api.hits:3|c|#env:dev',
        'api.errors:1|c|#env:prod',
        'api.lat:10|ms|#env:prod',
        'queue:7|g|#env:prod,host:web1',
        'cpu:42|g',
      ].join('\n'),
    );
    await t.udp(
      [
        dogEvent('deploy api 1.4.2', 'rolled out', NOW - 300, ['deploy', 'service:api']),
        dogEvent('deploy web 2.0', 'rolled out', NOW - 200, ['deploy', 'service:web']),
        dogEvent('disk full', 'on db1', NOW - 100, ['alert']),
        dogEvent('old deploy', 'long ago', NOW - 5 * 86_400, ['deploy']),
      ].join('\n'),
    );
    await t.collector.flushNow();
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('/tags', () => {
    it('lists tag names, name included, with an anchored regex filter and a limit', async () => {
      expect(await json('/tags')).toEqual([{ tag: 'az' }, { tag: 'env' }, { tag: 'host' }, { tag: 'name' }]);
      expect(await json('/tags?filter=e')).toEqual([{ tag: 'env' }]);
      expect(await json('/tags?limit=1')).toEqual([{ tag: 'az' }]);
    });

    it('lists the values of a tag with series counts, null for an unknown tag', async () => {
      expect(await json('/tags/env')).toEqual({
        tag: 'env',
        values: [
          { count: 2, value: 'dev' },
          // hits and errors (count, rate), the timer's leaves, the gauge.
          { count: 2 + 2 + 29 + 1, value: 'prod' },
        ],
      });
      expect(await json('/tags/env?filter=p')).toEqual({ tag: 'env', values: [{ count: 34, value: 'prod' }] });
      expect(await json('/tags/name?filter=stats\\.counters\\.api\\.hits&limit=1')).toEqual({
        tag: 'name',
        values: [{ count: 3, value: 'stats.counters.api.hits.count' }],
      });
      const res = await t.get('/tags/nope');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('null');
    });

    it('finds series by tag expressions, by GET and by form POST', async () => {
      expect(await json('/tags/findSeries?expr=name=stats.counters.api.hits.count&expr=env!=dev')).toEqual([
        'stats.counters.api.hits.count',
        'stats.counters.api.hits.count;az=b;env=prod',
      ]);
      expect(await json(`/tags/findSeries?${new URLSearchParams([['expr[]', 'host=web1']])}`)).toEqual([
        'stats.gauges.queue;env=prod;host=web1',
      ]);
      const res = await fetch(`${t.url}/tags/findSeries`, {
        method: 'POST',
        body: new URLSearchParams([
          ['expr', 'name=~stats\\.counters\\.api\\.'],
          ['expr', 'env=prod'],
        ]),
      });
      expect(await res.json()).toEqual([
        'stats.counters.api.errors.count;env=prod',
        'stats.counters.api.errors.rate;env=prod',
        'stats.counters.api.hits.count;az=b;env=prod',
        'stats.counters.api.hits.rate;az=b;env=prod',
      ]);
    });

    it('completes tag names and values as Grafana asks for them', async () => {
      expect(await json('/tags/autoComplete/tags')).toEqual(['az', 'env', 'host', 'name']);
      expect(await json('/tags/autoComplete/tags?tagPrefix=h')).toEqual(['host']);
      expect(await json('/tags/autoComplete/tags?expr=env%3Dprod&limit=10000')).toEqual(['az', 'host', 'name']);
      expect(await json('/tags/autoComplete/values?tag=env')).toEqual(['dev', 'prod']);
      expect(await json('/tags/autoComplete/values?tag=env&valuePrefix=d')).toEqual(['dev']);
      expect(
        await json('/tags/autoComplete/values?tag=name&expr=env%3Dprod&valuePrefix=stats.gauges&limit=10000'),
      ).toEqual(['stats.gauges.queue']);
      // The collector's own gauge (statsd.timestamp_lag) appears from its second flush on.
      const gauges = (await json('/tags/autoComplete/values?tag=name&valuePrefix=stats.gauges')) as string[];
      expect(gauges.filter((g) => !g.startsWith('stats.gauges.statsd.'))).toEqual([
        'stats.gauges.cpu',
        'stats.gauges.queue',
      ]);
    });

    it.each([
      ['/tags/findSeries', /no tag expressions specified/],
      ['/tags/findSeries?expr=env', /invalid tag expression "env"/],
      ['/tags/findSeries?expr=env!=prod', /at least one tag expression must not match the empty string/],
      ['/tags/findSeries?expr=env=~(', /tag expression "env=~\(": Invalid regular expression/],
      ['/tags/autoComplete/values', /no tag specified/],
      ['/tags?filter=(', /Invalid parameters \(filter: Invalid regular expression/],
      ['/tags/autoComplete/tags?limit=-1', /Invalid parameters \(querystring "limit"/],
    ])('rejects %s with a 400 and one line', async (path, message) => {
      expect(await fail(path)).toMatch(message);
    });
  });

  describe('seriesByTag', () => {
    it('renders the matching leaves, tagged and untagged, with their tags', async () => {
      const series = await t.render("seriesByTag('name=stats.counters.api.hits.count','env!=dev')");
      expect(series.map((s) => [s.target, s.tags])).toEqual([
        ['stats.counters.api.hits.count', { name: 'stats.counters.api.hits.count' }],
        [
          'stats.counters.api.hits.count;az=b;env=prod',
          { az: 'b', env: 'prod', name: 'stats.counters.api.hits.count' },
        ],
      ]);
      expect(series.map((s) => s.datapoints.reduce((a, [v]) => a + (v ?? 0), 0))).toEqual([1, 2]);
    });

    it('reads timer percentiles and gauges by tag', async () => {
      const [p99] = await t.render("seriesByTag('name=stats.timers.api.lat.upper_99','env=prod')");
      expect(p99.target).toBe('stats.timers.api.lat.upper_99;env=prod');
      expect(p99.datapoints.some(([v]) => v === 10)).toBe(true);
      const [queue] = await t.render("seriesByTag('host=web1')");
      expect(queue.target).toBe('stats.gauges.queue;env=prod;host=web1');
      expect(queue.datapoints.some(([v]) => v === 7)).toBe(true);
    });

    it('gives a 400 for a bad expression', async () => {
      const res = await t.get(`/render?format=json&target=${encodeURIComponent("seriesByTag('env!=prod')")}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/at least one tag expression must not match the empty string/);
    });
  });

  describe('/events', () => {
    it('lists events in time order, from the epoch to now by default', async () => {
      const all = (await json('/events/get_data')) as GraphiteEvent[];
      expect(all.map((e) => e.what)).toEqual(['old deploy', 'deploy api 1.4.2', 'deploy web 2.0', 'disk full']);
      expect(all[1]).toEqual({
        when: NOW - 300,
        what: 'deploy api 1.4.2',
        data: 'rolled out',
        tags: ['deploy', 'service:api'],
        id: expect.any(Number),
      });
    });

    it('filters by inclusive range and by tags: all of them by default and with intersection, any with union', async () => {
      const whats = async (q: string) => ((await json(`/events/get_data?${q}`)) as GraphiteEvent[]).map((e) => e.what);
      expect(await whats(`from=${NOW - 300}&until=${NOW - 200}`)).toEqual(['deploy api 1.4.2', 'deploy web 2.0']);
      expect(await whats('from=-1h&until=now&tags=deploy')).toEqual(['deploy api 1.4.2', 'deploy web 2.0']);
      expect(await whats('from=-1h&tags=deploy%20service:api')).toEqual(['deploy api 1.4.2']);
      // A '+' in a query string is a space, as Grafana's backend encodes it.
      expect(await whats('from=-1h&tags=deploy+service:api&set=intersection')).toEqual(['deploy api 1.4.2']);
      expect(await whats('from=-1h&tags=service:web%20alert&set=union')).toEqual(['deploy web 2.0', 'disk full']);
      expect(await whats('from=-1h&tags=deploy%20nosuchtag')).toEqual([]);
    });

    it('feeds events() with the same tag semantics: all tags must match, "*" is any event', async () => {
      const count = async (target: string) =>
        (await t.render(target, { from: '-1h' }))[0].datapoints.reduce((a, [v]) => a + (v ?? 0), 0);
      expect(await count('events("deploy")')).toBe(2);
      expect(await count('events("deploy", "service:api")')).toBe(1);
      expect(await count('events("*")')).toBe(3);
      expect(await count('events("deploy", "nosuchtag")')).toBe(0);
    });

    it('answers JSONP', async () => {
      const res = await t.get('/events/get_data?from=-1h&tags=alert&jsonp=cb');
      expect(res.headers.get('content-type')).toContain('text/javascript');
      expect(await res.text()).toMatch(/^cb\(\[\{"when":\d+,"what":"disk full"/);
    });

    it('returns one event by id, 404 for an unknown one', async () => {
      const [first] = (await json('/events/get_data?tags=alert')) as GraphiteEvent[];
      expect(await json(`/events/${first.id}`)).toEqual({ ...first });
      expect(await fail('/events/999999', 404)).toBe('Event matching query does not exist\n');
      await fail('/events/abc');
    });

    it.each([
      ['from=yesterdayish', /Invalid parameters \(invalid time "yesterdayish"/],
      ['set=both', /Invalid parameters \(querystring "set"/],
      ['jsonp=alert(1)', /Invalid parameters \(querystring "jsonp"/],
    ])('rejects %s with a 400', async (query, message) => {
      expect(await fail(`/events/get_data?${query}`)).toMatch(message);
    });
  });

  describe('/functions and /version', () => {
    it('describes every function in graphite-web shape', async () => {
      const all = (await json('/functions')) as Record<string, Record<string, unknown>>;
      expect(Object.keys(all).length).toBeGreaterThan(0);
      for (const [name, f] of Object.entries(all)) {
        expect(f).toMatchObject({ name, module: expect.any(String), group: expect.any(String) });
        expect(f.function).toMatch(new RegExp(`^${name}\\(`));
        expect(typeof f.description).toBe('string');
        expect(Array.isArray(f.params)).toBe(true);
      }
      expect(all.constantLine).toMatchObject({
        group: 'Special',
        function: 'constantLine(value)',
        params: [{ name: 'value', type: 'float', required: true }],
      });
    });

    it('groups and filters by group, and describes one function', async () => {
      const grouped = (await json('/functions?grouped=true')) as Record<string, Record<string, { group: string }>>;
      for (const [group, funcs] of Object.entries(grouped)) {
        for (const f of Object.values(funcs)) expect(f.group).toBe(group);
      }
      expect(Object.keys((await json('/functions?group=Special')) as object)).toContain('constantLine');
      expect(await json('/functions?group=NoSuchGroup')).toEqual({});
      expect(await json('/functions?type=pie')).toEqual({});
      expect(await json('/functions/constantLine')).toMatchObject({ name: 'constantLine', group: 'Special' });
      expect(await fail('/functions/noSuchFunction', 404)).toBe('Function not found: noSuchFunction\n');
    });

    it('answers only GET', async () => {
      const res = await fetch(`${t.url}/functions`, { method: 'POST' });
      expect(res.status).toBe(405);
    });

    it('writes an infinite default as 1e9999, which parses back to Infinity', () => {
      const text = toGraphiteJson({
        n: { default: Number.POSITIVE_INFINITY, low: -Infinity, d: 'x"\\u0000+Infinity' },
      });
      expect(text).toBe('{"n":{"default":1e9999,"low":-1e9999,"d":"x\\"\\\\u0000+Infinity"}}');
      expect(JSON.parse(text).n).toEqual({ default: Infinity, low: -Infinity, d: 'x"\\u0000+Infinity' });
    });

    it('serves /version as a bare SemVer string', async () => {
      const res = await t.get('/version');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toBe('1.1.10');
    });
  });
});

describe('tag index across restarts and limits', () => {
  it('loads the tags of stored series at startup and refuses a seriesByTag over the series limit', async () => {
    const dir = tempDir();
    const db = join(dir, 'trendline.db');
    const first = await startTestCollector({ db });
    await first.udp('a.hits:1|c|#env:prod\nb.hits:1|c|#env:prod\nc.hits:1|c|#env:prod');
    await first.collector.flushNow();
    await first.stop();

    const second = await startTestCollector({ db, maxQuerySeries: 4 });
    try {
      expect(await (await second.get('/tags/autoComplete/values?tag=env')).json()).toEqual(['prod']);
      // 3 counters × (count, rate) = 6 series > 4.
      const res = await second.get(`/render?format=json&target=${encodeURIComponent("seriesByTag('env=prod')")}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe("seriesByTag('env=prod') matches 6 series, more than the limit of 4\n");
      const find = await second.get('/tags/findSeries?expr=env=prod');
      expect(find.status).toBe(400);
      expect(await find.text()).toMatch(/more than the limit of 4/);
      expect(await second.render("seriesByTag('name=stats.counters.a.hits.count')")).toHaveLength(1);
    } finally {
      await second.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
