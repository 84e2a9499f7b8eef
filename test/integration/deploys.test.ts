import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import type { RetentionTier } from '../../collector/src/store/retention.js';
import { SqliteWriter } from '../../collector/src/store/sqlite-writer.js';
import { toWriteBatch } from '../../collector/src/store/write-batch.js';
import { startTestCollector, type TestCollector, tempDir, waitFor } from '../support/collector.js';

/**
 * Deploy markers end to end over real HTTP, UDP and SQLite: POST /events (token, validation), DELETE
 * /events/:id, DogStatsD events, GET /deploys, and GET /deploys/:id/impact on series where a deploy really
 * shifts the latency and on ones where it does not.
 */

interface GraphiteEvent {
  when: number;
  what: string;
  data: string;
  tags: string[];
  id: number;
}

const TOKEN = 's3cret';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const nowSec = () => Math.floor(Date.now() / 1000);

function oneLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

/** A DogStatsD event line, lengths in UTF-8 bytes. */
function dogEvent(title: string, text: string, tags: string[], ts?: number): string {
  const len = (s: string) => Buffer.byteLength(s);
  return `_e{${len(title)},${len(text)}}:${title}|${text}${ts === undefined ? '' : `|d:${ts}`}${tags.length ? `|#${tags.join(',')}` : ''}`;
}

describe('events over HTTP, with a token', () => {
  let t: TestCollector;
  const post = (body: string, headers: Record<string, string> = { ...AUTH, ...JSON_TYPE }, path = '/events') =>
    fetch(`${t.url}${path}`, { method: 'POST', headers, body });
  const all = async () => (await (await t.get('/events/get_data?from=0')).json()) as GraphiteEvent[];

  beforeAll(async () => {
    t = await startTestCollector({ token: TOKEN });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('stores an event and answers it with its id; it reads back by id and from get_data', async () => {
    const res = await post(
      JSON.stringify({
        what: 'api v1.4.2',
        tags: ['deploy', 'service:api', 'version:1.4.2'],
        data: 'commit abc',
        when: 1_700_000_000,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const stored = (await res.json()) as GraphiteEvent;
    expect(stored).toEqual({
      when: 1_700_000_000,
      what: 'api v1.4.2',
      data: 'commit abc',
      tags: ['deploy', 'service:api', 'version:1.4.2'],
      id: expect.any(Number),
    });
    expect(await (await t.get(`/events/${stored.id}`)).json()).toEqual(stored);
    const listed = (await (
      await t.get('/events/get_data?from=1699999999&until=1700000001&tags=deploy')
    ).json()) as GraphiteEvent[];
    expect(listed).toEqual([stored]);
  });

  it("takes graphite-web's forms: /events/, space-separated tags, and JSON sent with curl -d's form type", async () => {
    const res = await post(
      JSON.stringify({ what: 'web 2.0', tags: ' deploy  service:web deploy ', when: 1_700_000_100 }),
      { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      '/events/',
    );
    expect(res.status).toBe(200);
    const stored = (await res.json()) as GraphiteEvent;
    expect(stored.tags).toEqual(['deploy', 'service:web']);
    expect(stored.data).toBe('');
    const noType = await post(JSON.stringify({ what: 'no type', when: 1_700_000_200, tags: null }), AUTH);
    expect(noType.status).toBe(200);
    expect(((await noType.json()) as GraphiteEvent).tags).toEqual([]);
  });

  it('defaults when to now and keeps whole seconds', async () => {
    const before = nowSec();
    const a = (await (await post(JSON.stringify({ what: 'now' }))).json()) as GraphiteEvent;
    const b = (await (await post(JSON.stringify({ what: 'fraction', when: 1_700_000_300.9 }))).json()) as GraphiteEvent;
    expect(a.when).toBeGreaterThanOrEqual(before);
    expect(a.when).toBeLessThanOrEqual(nowSec());
    expect(b.when).toBe(1_700_000_300);
  });

  it.each([
    ['no Authorization header', {}, /^missing bearer token/],
    ['a wrong token', { authorization: 'Bearer nope' }, /^wrong bearer token$/],
    ['another scheme', { authorization: `Basic ${TOKEN}` }, /^missing bearer token/],
  ])('refuses %s with a 401 and stores nothing', async (_name, headers, message) => {
    const count = (await all()).length;
    for (const body of [JSON.stringify({ what: 'intruder', tags: ['deploy'] }), '{not json']) {
      const res = await post(body, { ...headers, ...JSON_TYPE });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(oneLine(await res.text())).toMatch(message);
    }
    expect(await all()).toHaveLength(count);
  });

  it.each([
    ['bad JSON', '{"what": "x",', /^invalid JSON body: /],
    ['an empty body', '', /^invalid JSON body: /],
    ['a JSON array', '[]', /^Invalid parameters \(body must be object\)$/],
    ['no what', '{"tags": "deploy"}', /^Invalid parameters \(body .*'what'/],
    ['a blank what', '{"what": "  "}', /^Invalid parameters \(body "what" must match pattern/],
    ['tags of another type', '{"what": "x", "tags": {"a": 1}}', /^"tags" must be an array or space-separated string$/],
    [
      'tags that are not strings',
      '{"what": "x", "tags": [1, 2]}',
      /^"tags" must be an array or space-separated string$/,
    ],
    ['a negative when', '{"what": "x", "when": -1}', /^Invalid parameters \(body "when" must be >= 0\)$/],
    [
      'a when in the far future',
      `{"what": "x", "when": ${nowSec() + 2 * 86_400}}`,
      /^"when" \d+ is more than a day in the future \(now is \d+\); it is epoch seconds$/,
    ],
    [
      'a when in milliseconds',
      `{"what": "x", "when": ${Date.now()}}`,
      /is more than a day in the future .*\(it looks like milliseconds\)$/,
    ],
  ])('answers %s with a 400 and one line, storing nothing', async (_name, body, message) => {
    const count = (await all()).length;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(oneLine(await res.text())).toMatch(message);
    expect(await all()).toHaveLength(count);
  });

  it('refuses a body over 256 KiB with a 413', async () => {
    const res = await post(JSON.stringify({ what: 'big', data: 'x'.repeat(300 * 1024) }));
    expect(res.status).toBe(413);
    oneLine(await res.text());
  });

  it('deletes an event with the token (200 with the event, then 404), and never reuses its id', async () => {
    const stored = (await (await post(JSON.stringify({ what: 'oops', tags: 'deploy' }))).json()) as GraphiteEvent;
    const del = (headers: Record<string, string>) =>
      fetch(`${t.url}/events/${stored.id}`, { method: 'DELETE', headers });
    const refused = await del({});
    expect(refused.status).toBe(401);
    expect(((await (await t.get(`/events/${stored.id}`)).json()) as GraphiteEvent).what).toBe('oops');

    const res = await del(AUTH);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(stored);
    expect((await t.get(`/events/${stored.id}`)).status).toBe(404);
    const again = await del(AUTH);
    expect(again.status).toBe(404);
    expect(await again.text()).toBe('Event matching query does not exist\n');
    expect((await fetch(`${t.url}/events/abc`, { method: 'DELETE', headers: AUTH })).status).toBe(400);

    const next = (await (await post(JSON.stringify({ what: 'next' }))).json()) as GraphiteEvent;
    expect(next.id).toBeGreaterThan(stored.id);
  });
});

describe('events without a token, DogStatsD events and GET /deploys', () => {
  let t: TestCollector;
  const NOW = nowSec();
  const deploys = async (q = '') => {
    const res = await t.get(`/deploys${q}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as GraphiteEvent[];
  };

  beforeAll(async () => {
    t = await startTestCollector();
    const post = (body: object) =>
      fetch(`${t.url}/events`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
    expect((await post({ what: 'api 1.4.1', tags: ['deploy', 'service:api'], when: NOW - 7200 })).status).toBe(200);
    expect((await post({ what: 'maintenance', tags: ['ops'], when: NOW - 3000 })).status).toBe(200);
    await t.udp(
      [
        dogEvent('api 1.4.2', 'rolled out by CI', ['deploy', 'service:api', 'version:1.4.2'], NOW - 600),
        dogEvent('web 2.0', 'canary', ['deploy', 'service:web'], NOW - 300),
        dogEvent('disk full', 'on db1', ['alert', 'host:db1'], NOW - 100),
      ].join('\n'),
    );
    // Without its own time, a DogStatsD event is placed at the start of the interval it arrived in.
    await t.udp(dogEvent('web 2.1', 'no timestamp', ['deploy', 'service:web']));
    await t.collector.flushNow();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lets anyone write when no token is set', async () => {
    expect((await deploys()).map((d) => d.what)).toContain('api 1.4.1');
  });

  it('lists deploys (events tagged deploy) newest first, with ids, tags and text', async () => {
    const list = await deploys();
    expect(list.map((d) => d.what)).toEqual(['web 2.1', 'web 2.0', 'api 1.4.2', 'api 1.4.1']);
    expect(list[2]).toEqual({
      when: NOW - 600,
      what: 'api 1.4.2',
      data: 'rolled out by CI',
      tags: ['deploy', 'service:api', 'version:1.4.2'],
      id: expect.any(Number),
    });
    expect(list[0].when).toBeGreaterThanOrEqual(NOW - 2);
    expect(new Set(list.map((d) => d.id)).size).toBe(4);
  });

  it('filters by time (inclusive, graphite times), by tags (all must match) and limits', async () => {
    const whats = async (q: string) => (await deploys(q)).map((d) => d.what);
    expect(await whats(`?from=${NOW - 600}&until=${NOW - 300}`)).toEqual(['web 2.0', 'api 1.4.2']);
    expect(await whats('?from=-1h')).toEqual(['web 2.1', 'web 2.0', 'api 1.4.2']);
    expect(await whats('?tags=service:api')).toEqual(['api 1.4.2', 'api 1.4.1']);
    expect(await whats('?tags=service:api+version:1.4.2')).toEqual(['api 1.4.2']);
    expect(await whats('?tags=deploy%20service:web&limit=1')).toEqual(['web 2.1']);
    expect(await whats('?tags=alert')).toEqual([]);
    expect(await whats('?tags=nosuchtag')).toEqual([]);
  });

  it('keeps the tags of DogStatsD events through the round trip, for get_data and events() too', async () => {
    const alerts = (await (await t.get('/events/get_data?from=-1h&tags=host:db1')).json()) as GraphiteEvent[];
    expect(alerts.map((e) => [e.what, e.data, e.tags])).toEqual([['disk full', 'on db1', ['alert', 'host:db1']]]);
    const count = async (target: string) =>
      (await t.render(target, { from: '-1h', until: '-10s' }))[0].datapoints.reduce((a, [v]) => a + (v ?? 0), 0);
    expect(await count('events("deploy")')).toBe(2);
    expect(await count('events("deploy", "version:1.4.2")')).toBe(1);
  });

  it('rejects bad parameters with a 400 and one line', async () => {
    for (const q of ['?from=whenever', '?limit=0', '?limit=x']) {
      const res = await t.get(`/deploys${q}`);
      expect(res.status).toBe(400);
      expect(oneLine(await res.text())).toMatch(/^Invalid parameters/);
    }
  });
});

describe('GET /deploys/:id/impact', () => {
  const tiers: RetentionTier[] = [
    { stepSec: 1, retentionSec: 3600 },
    { stepSec: 60, retentionSec: 86400 },
  ];
  const dir = tempDir();
  const db = join(dir, 'impact.db');
  const NOW = nowSec();
  const BASE = NOW - 900;
  const DEPLOY = BASE + 300; // 10 minutes ago; 5 minutes of data on each side
  let t: TestCollector;
  let deployId: number;
  let seed = 42;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };

  /** One second of traffic: 10 requests per service; api gets 50% slower, errors and 40% less traffic after the deploy. */
  function second(ts: number) {
    const after = ts >= DEPLOY;
    const api = emptySummary();
    const web = emptySummary();
    for (let j = 0; j < 10; j++) {
      addSample(api, (after ? 150 : 100) + (rand() - 0.5) * 60, 1);
      addSample(web, 80 + (rand() - 0.5) * 40, 1);
    }
    return toWriteBatch({
      ts,
      intervalSec: 1,
      counters: {
        keys: ['stats.counters.api.errors', 'stats.counters.api.requests'],
        values: [after ? Math.floor(rand() * 4) + 1 : 0, (after ? 60 : 100) + Math.floor((rand() - 0.5) * 10)],
      },
      gauges: { keys: [], values: [] },
      sets: { keys: [], values: [] },
      timers: { keys: ['stats.timers.api.lat', 'stats.timers.web.lat'], summaries: [api, web] },
      timed: [],
      events: [],
    });
  }

  const impact = async (target: string, params = '', id = deployId) => {
    const res = await t.get(`/deploys/${id}/impact?target=${encodeURIComponent(target)}${params}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as {
      deploy: GraphiteEvent;
      window: number;
      before: { from: number; until: number };
      after: { from: number; until: number };
      test: { name: string; alpha: number; minChange: number; minPoints: number; better: string };
      series: Array<{
        target: string;
        step: number;
        before: { count: number; mean: number; p50: number; p99: number };
        after: { count: number; mean: number; p50: number; p99: number };
        change: { mean: number | null; p50: number | null; p99: number | null };
        test: { u: number; p: number; method: string; effect: number } | null;
        verdict: string;
        reason: string;
      }>;
    };
  };

  beforeAll(async () => {
    // Ten minutes of past intervals, written through the store as flushes would have written them.
    const writer = SqliteWriter.open(db, tiers);
    for (let ts = BASE; ts < BASE + 600; ts++) writer.write(second(ts));
    writer.close();
    t = await startTestCollector({ db, retention: tiers });
    const res = await fetch(`${t.url}/events`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ what: 'api 1.5.0', tags: ['deploy', 'service:api', 'version:1.5.0'], when: DEPLOY }),
    });
    deployId = ((await res.json()) as GraphiteEvent).id;
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the latency shift in the mean and the p99 of the deployed service, and none in the other', async () => {
    const out = await impact('stats.timers.{api,web}.lat.{mean,upper_99}', '&window=5m');
    expect(out.deploy).toMatchObject({ id: deployId, when: DEPLOY, what: 'api 1.5.0' });
    expect(out.window).toBe(300);
    expect(out.before).toEqual({ from: DEPLOY - 300, until: DEPLOY });
    expect(out.after).toEqual({ from: DEPLOY, until: DEPLOY + 300 });
    expect(out.test).toEqual({
      name: 'Mann-Whitney U, two-sided, on the interval values',
      alpha: 0.01,
      minChange: 10,
      minPoints: 5,
      better: 'lower',
    });
    const byTarget = Object.fromEntries(out.series.map((s) => [s.target, s]));
    expect(Object.keys(byTarget).sort()).toEqual([
      'stats.timers.api.lat.mean',
      'stats.timers.api.lat.upper_99',
      'stats.timers.web.lat.mean',
      'stats.timers.web.lat.upper_99',
    ]);
    for (const s of out.series) {
      expect(s.step).toBe(1);
      expect(s.before.count).toBe(300);
      expect(s.after.count).toBe(300);
    }
    const apiMean = byTarget['stats.timers.api.lat.mean'];
    expect(apiMean.verdict).toBe('worse');
    expect(apiMean.before.mean).toBeCloseTo(100, -1);
    expect(apiMean.after.mean).toBeCloseTo(150, -1);
    expect(apiMean.change.mean).toBeGreaterThan(40);
    expect(apiMean.change.mean).toBeLessThan(60);
    expect(apiMean.test).toMatchObject({ method: 'normal' });
    expect(apiMean.test?.p).toBeLessThan(1e-20);
    expect(apiMean.reason).toMatch(/^higher after the deploy/);
    expect(byTarget['stats.timers.api.lat.upper_99'].verdict).toBe('worse');
    expect(byTarget['stats.timers.api.lat.upper_99'].before.p50).toBeGreaterThan(120);
    for (const name of ['stats.timers.web.lat.mean', 'stats.timers.web.lat.upper_99']) {
      expect(byTarget[name].verdict, byTarget[name].reason).toBe('unchanged');
      expect(Math.abs(byTarget[name].change.mean as number)).toBeLessThan(5);
    }
  });

  it('defaults to a 30-minute window, cut at now after the deploy and at the data before it', async () => {
    const out = await impact('stats.timers.api.lat.mean');
    expect(out.window).toBe(1800);
    expect(out.after.until).toBeLessThanOrEqual(nowSec());
    // 300 s of data before the deploy; after it, 300 s of data then nothing (missing values are skipped).
    expect(out.series[0].before.count).toBe(300);
    expect(out.series[0].after.count).toBe(300);
    expect(out.series[0].verdict).toBe('worse');
  });

  it('judges by direction: errors appearing are worse; for throughput, better=higher makes a drop worse', async () => {
    const errors = (await impact('stats.counters.api.errors.count', '&window=5m')).series[0];
    expect(errors.verdict).toBe('worse');
    expect(errors.change.mean).toBeNull(); // from 0
    expect(errors.before.mean).toBe(0);
    const requests = (await impact('stats.counters.api.requests.rate', '&window=5m&better=higher')).series[0];
    expect(requests.verdict).toBe('worse');
    expect(requests.change.p50).toBeCloseTo(-40, -1);
    const latencyUp = (await impact('stats.timers.api.lat.mean', '&window=5m&better=higher')).series[0];
    expect(latencyUp.verdict).toBe('better');
  });

  it('honours minChange and alpha', async () => {
    const strict = (await impact('stats.timers.api.lat.mean', '&window=5m&minChange=80')).series[0];
    expect(strict.verdict).toBe('unchanged');
    expect(strict.reason).toMatch(/moved less than 80% up/);
    const web = (await impact('stats.timers.web.lat.mean', '&window=5m&alpha=0.5&minChange=0')).series[0];
    expect(['better', 'worse', 'unchanged']).toContain(web.verdict);
    expect(web.test?.p).toBeGreaterThan(0);
  });

  it('says unknown with the counts when the windows are too short, or the deploy too recent', async () => {
    const short = (await impact('stats.timers.api.lat.mean', '&window=3s')).series[0];
    expect(short.verdict).toBe('unknown');
    expect(short.reason).toBe('insufficient data: 3 values before and 3 after the deploy; at least 5 each are needed');
    expect(short.test).toBeNull();

    const res = await fetch(`${t.url}/events`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ what: 'api 1.5.1', tags: ['deploy', 'service:api'] }),
    });
    const recent = ((await res.json()) as GraphiteEvent).id;
    const out = await impact('stats.timers.api.lat.mean', '&window=5m', recent);
    expect(out.series[0].verdict).toBe('unknown');
    expect(out.series[0].after.count).toBe(0);
  });

  it('answers no series for a target that matches nothing', async () => {
    expect((await impact('stats.timers.nothing.here.mean')).series).toEqual([]);
  });

  it('refuses what it cannot answer with a 4xx and one line', async () => {
    const other = await fetch(`${t.url}/events`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ what: 'not a deploy', tags: ['ops'] }),
    });
    const otherId = ((await other.json()) as GraphiteEvent).id;
    const cases: Array<[string, number, RegExp]> = [
      [`/deploys/999999/impact?target=a`, 404, /^Deploy matching query does not exist$/],
      [`/deploys/${otherId}/impact?target=a`, 404, /is not a deploy: it has no "deploy" tag$/],
      [`/deploys/${deployId}/impact`, 400, /^Invalid parameters \(querystring .*'target'/],
      [`/deploys/${deployId}/impact?target=a&window=soon`, 400, /^Invalid parameters \(window "soon"/],
      [`/deploys/${deployId}/impact?target=a&window=30d`, 400, /expected whole seconds from 1s to 7d/],
      [`/deploys/${deployId}/impact?target=a&better=faster`, 400, /^Invalid parameters \(querystring "better"/],
      [`/deploys/${deployId}/impact?target=a&alpha=0`, 400, /^Invalid parameters \(querystring "alpha"/],
      [`/deploys/${deployId}/impact?target=sum(`, 400, /./],
      ['/deploys/x/impact?target=a', 400, /^Invalid parameters/],
    ];
    for (const [path, status, message] of cases) {
      const res = await t.get(path);
      expect(res.status, path).toBe(status);
      expect(oneLine(await res.text()), path).toMatch(message);
    }
  });

  it('sees a deploy sent as a DogStatsD event', async () => {
    await t.udp(dogEvent('api 1.5.2', 'via statsd', ['deploy', 'service:api'], DEPLOY));
    await t.collector.flushNow();
    const found = await waitFor(async () => {
      const list = (await (await t.get('/deploys?tags=service:api')).json()) as GraphiteEvent[];
      return list.find((d) => d.what === 'api 1.5.2');
    }, 'the DogStatsD deploy');
    expect(found.when).toBe(DEPLOY);
    const [series] = (await impact('stats.timers.api.lat.mean', '&window=5m', found.id)).series;
    expect(series.verdict, JSON.stringify(series)).toBe('worse');
  });
});

describe('a database from before DELETE /events', () => {
  it('is upgraded in place: its events are kept and a deleted id is not given out again', async () => {
    const dir = tempDir();
    const db = join(dir, 'old.db');
    // Schema version 1, as the first releases wrote it (events.id without AUTOINCREMENT).
    const old = new Database(db);
    old.exec(`CREATE TABLE series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '',
                kind INTEGER NOT NULL, created INTEGER NOT NULL, UNIQUE (name, tags, kind));
              CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, what TEXT NOT NULL,
                data TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]');
              CREATE INDEX events_ts ON events (ts);
              CREATE TABLE rollup_state (step INTEGER PRIMARY KEY, done_until INTEGER NOT NULL);
              INSERT INTO events (ts, what, data, tags) VALUES (1700000000, 'old deploy', 'x', '["deploy"]');
              INSERT INTO events (ts, what, data, tags) VALUES (1700000100, 'newest', '', '["deploy"]');
              PRAGMA user_version = 1;`);
    old.close();
    const t = await startTestCollector({ db });
    try {
      expect(((await (await t.get('/deploys')).json()) as GraphiteEvent[]).map((d) => [d.id, d.what])).toEqual([
        [2, 'newest'],
        [1, 'old deploy'],
      ]);
      expect((await fetch(`${t.url}/events/2`, { method: 'DELETE' })).status).toBe(200);
      const res = await fetch(`${t.url}/events`, { method: 'POST', body: JSON.stringify({ what: 'after' }) });
      expect(((await res.json()) as GraphiteEvent).id).toBe(3);
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
