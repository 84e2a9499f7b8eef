import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTcp, sendUdp, startTestCollector, type TestCollector, tempDir, waitFor } from '../support/collector.js';

/**
 * Issue 9, hostile input: injection (SQL metacharacters, path traversal, HTML/JS) is stored and read back as
 * text and never executed; with a token set every write refuses a missing or wrong token with a 401 and
 * stores nothing; request bodies, URLs and StatsD lines are limited.
 */

const TOKEN = 's3cret-token';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** Texts that would do harm if anything concatenated them into SQL, a path, HTML or a script. */
const HOSTILE = [
  "'; DROP TABLE series; --",
  '" OR 1=1; DELETE FROM events; --',
  "Robert'); DROP TABLE events;--",
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "javascript:alert('x')",
  // A template placeholder, written so that it stays literal text.
  `$${'{'}process.exit(1)}`,
  '{{constructor.constructor("return process")()}}',
  '%00%0d%0aSet-Cookie: x=1',
  'line\nbreak\r\nand\ttab',
  'emoji \u{1F4A9} rtl \u202e nul \u0000 end',
];

describe('injection', () => {
  let t: TestCollector;
  let uiDir: string;

  beforeAll(async () => {
    uiDir = tempDir();
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>ui</title>');
    mkdirSync(join(uiDir, 'assets'));
    writeFileSync(join(uiDir, 'assets', 'app.js'), '/* app */');
    t = await startTestCollector({ token: TOKEN, uiDir });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stores event texts and tags verbatim through POST /events, and reads them back as JSON data', async () => {
    const sent: Array<{ what: string; data: string; tags: string[] }> = [];
    for (const [i, text] of HOSTILE.entries()) {
      // Tags are space-separated words: use the text without whitespace, plus a marker tag to find them.
      const tag = text.replace(/\s/g, '_').slice(0, 200) || 'x';
      const body = { what: `${text} #${i}`, data: text, tags: ['inj', tag] };
      const res = await t.collector.app.inject({ method: 'POST', url: '/events', headers: AUTH, payload: body });
      expect(res.statusCode, res.body).toBe(200);
      sent.push(body);
    }
    const res = await t.get('/events/get_data?from=-1h&tags=inj');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const got = (await res.json()) as Array<{ what: string; data: string; tags: string[] }>;
    expect(got.map(({ what, data, tags }) => ({ what, data, tags }))).toEqual(sent);
    // Each one is also found by its own (hostile) tag: tags are compared as data, not as patterns.
    for (const s of sent) {
      const q = new URLSearchParams({ from: '-1h', tags: s.tags[1] });
      const one = (await (await t.get(`/events/get_data?${q}`)).json()) as unknown[];
      expect(one).toHaveLength(1);
    }
  });

  it('stores DogStatsD events verbatim and sanitises metric names, over UDP and TCP', async () => {
    const title = "<script>alert('t')</script>";
    const text = "'; DROP TABLE events; -- ../../etc/passwd";
    await t.udp(`_e{${title.length},${text.length}}:${title}|${text}|#inj-dog`);
    await sendTcp(t.collector.statsdPort, [
      "inj.'; DROP TABLE series; --:1|c\n",
      'inj.<script>alert(1)</script>:2|c\n',
      'inj.../../../etc/passwd:3|c\n',
      `inj.set:${HOSTILE[0]}|s\n`,
    ]);
    await waitFor(async () => Number((await t.health()).metrics_received) >= 5, 'the lines');
    await t.collector.flushNow();
    const events = (await (await t.get('/events/get_data?from=-1h&tags=inj-dog')).json()) as Array<{
      what: string;
      data: string;
    }>;
    expect(events.map((e) => [e.what, e.data])).toEqual([[title, text]]);
    // Names keep only [A-Za-z0-9_.-]: nothing of the markup or the SQL survives into a series name.
    const names = (await (await t.get('/metrics/index.json')).json()) as string[];
    const mine = names.filter((n) => n.includes('.inj.'));
    expect(mine.length).toBeGreaterThan(0);
    for (const n of mine) expect(n).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('returns hostile text from functions as JSON data, and refuses a script as a JSONP callback', async () => {
    const alias = HOSTILE[5];
    const q = new URLSearchParams({ target: `alias(stats.gauges.none,"${alias}")`, from: '-5min', format: 'json' });
    const res = await t.get(`/render?${q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const bad = await t.get('/render?target=a&jsonp=alert(1)//');
    expect(bad.status).toBe(400);
    const badEvents = await t.get('/events/get_data?jsonp=%3Cscript%3E');
    expect(badEvents.status).toBe(400);
  });

  it('saves dashboards with hostile titles and targets verbatim; ids are a closed alphabet', async () => {
    const body = { title: HOSTILE[6], panels: [{ title: HOSTILE[0], targets: [HOSTILE[3], HOSTILE[5]] }] };
    const put = await t.collector.app.inject({ method: 'PUT', url: '/dashboards/inj', headers: AUTH, payload: body });
    expect(put.statusCode, put.body).toBe(200);
    const got = (await (await t.get('/dashboards/inj')).json()) as typeof body;
    expect(got.title).toBe(body.title);
    expect(got.panels[0]).toEqual(body.panels[0]);
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '%2e%2e', "a';DROP", 'a%00b', '<script>']) {
      const res = await t.collector.app.inject({
        method: 'PUT',
        url: `/dashboards/${id}`,
        headers: AUTH,
        payload: body,
      });
      expect([400, 404], `${id}: ${res.body}`).toContain(res.statusCode);
    }
  });

  it('serves only the UI files: no path reaches outside the UI directory', async () => {
    expect((await t.get('/assets/app.js')).status).toBe(200);
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%252e%252e/etc/passwd',
      '/assets/../../trendline.db',
      '/..%5c..%5ctrendline.db',
      '/%00/etc/passwd',
    ]) {
      // Raw HTTP, so the client does not normalise the dots away before the server sees them.
      const { status, body } = await rawGet(t.collector.httpPort, path);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
      expect(body).not.toContain('root:');
      expect(body).not.toContain('SQLite format');
    }
  });

  it('left the database whole: every table there, integrity ok, the texts stored as written', async () => {
    await t.collector.flushNow();
    const db = new Database(t.config.db, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
      ).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['series', 'events', 'dashboards']));
      const whats = (db.prepare('SELECT what FROM events').all() as Array<{ what: string }>).map((r) => r.what);
      for (const [i, text] of HOSTILE.entries()) expect(whats).toContain(`${text} #${i}`);
    } finally {
      db.close();
    }
  });
});

function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('auth: with a token set, every write refuses a missing or wrong token and stores nothing', () => {
  let t: TestCollector;
  let eventId: number;

  beforeAll(async () => {
    t = await startTestCollector({ token: TOKEN });
    const ev = await t.collector.app.inject({
      method: 'POST',
      url: '/events',
      headers: AUTH,
      payload: { what: 'keep me', tags: ['deploy'] },
    });
    eventId = (JSON.parse(ev.body) as { id: number }).id;
    const put = await t.collector.app.inject({
      method: 'PUT',
      url: '/dashboards/keep',
      headers: AUTH,
      payload: { title: 'Keep', panels: [] },
    });
    expect(put.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
  });

  const BAD_AUTH: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['wrong token', { authorization: 'Bearer wrong' }],
    ['token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['token plus a char', { authorization: `Bearer ${TOKEN}x` }],
    ['other case', { authorization: `Bearer ${TOKEN.toUpperCase()}` }],
    ['basic scheme', { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }],
    ['token without scheme', { authorization: TOKEN }],
    ['two tokens', { authorization: `Bearer wrong Bearer ${TOKEN}` }],
    ['token in query only', {}],
  ];

  const WRITES = () => [
    { method: 'POST' as const, url: '/events', payload: { what: 'forged', tags: ['deploy'] } },
    { method: 'DELETE' as const, url: `/events/${eventId}` },
    { method: 'PUT' as const, url: '/dashboards/keep', payload: { title: 'Forged', panels: [] } },
    { method: 'PUT' as const, url: '/dashboards/new-one', payload: { title: 'Forged', panels: [] } },
    { method: 'DELETE' as const, url: '/dashboards/keep' },
  ];

  it('answers 401 with a reason and a WWW-Authenticate challenge', async () => {
    let refused = 0;
    for (const w of WRITES()) {
      for (const [name, headers] of BAD_AUTH) {
        const url = name === 'token in query only' ? `${w.url}?token=${TOKEN}` : w.url;
        const res = await t.collector.app.inject({
          method: w.method,
          url,
          headers: { 'content-type': 'application/json', ...headers },
          ...(w.payload ? { payload: w.payload } : {}),
        });
        expect(res.statusCode, `${w.method} ${w.url} with ${name}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="trendline"');
        expect(res.body).toMatch(/^(missing|wrong) bearer token[^\n]*\n$/);
        refused++;
      }
    }
    expect(refused).toBe(WRITES().length * BAD_AUTH.length);
  });

  it('refuses before reading the body: an oversized body without a token is still a 401', async () => {
    const res = await t.collector.app.inject({
      method: 'POST',
      url: '/events',
      headers: { 'content-type': 'application/json' },
      payload: `{"what":"${'x'.repeat(2 * 1024 * 1024)}"}`,
    });
    expect(res.statusCode).toBe(401);
  });

  it('stored nothing: the event and dashboards read back unchanged', async () => {
    const events = (await (await t.get('/events/get_data?from=-1h')).json()) as Array<{ what: string }>;
    expect(events.map((e) => e.what)).toEqual(['keep me']);
    const keep = (await (await t.get('/dashboards/keep')).json()) as { title: string };
    expect(keep.title).toBe('Keep');
    expect((await t.get('/dashboards/new-one')).status).toBe(404);
    const db = new Database(t.config.db, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT count(*) AS n FROM dashboards').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('lets the right token write, and reads stay open', async () => {
    expect((await t.get('/render?target=a&from=-5min')).status).toBe(200);
    expect((await t.get('/dashboards')).status).toBe(200);
    const res = await t.collector.app.inject({
      method: 'POST',
      url: '/events',
      headers: AUTH,
      payload: { what: 'real deploy', tags: ['deploy'] },
    });
    expect(res.statusCode).toBe(200);
    const del = await t.collector.app.inject({
      method: 'DELETE',
      url: '/dashboards/keep',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(del.statusCode).toBe(200);
  });
});

describe('limits', () => {
  let t: TestCollector;
  beforeAll(async () => {
    t = await startTestCollector({ maxLineLength: 100 });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses request bodies over 1 MiB (256 KiB for events) with a one-line 413', async () => {
    const form = `target=${'a'.repeat(1024 * 1024 + 10)}`;
    const res = await fetch(`${t.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(res.status).toBe(413);
    expect((await res.text()).trimEnd()).not.toContain('\n');
    const ev = await fetch(`${t.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ what: 'x', data: 'd'.repeat(300 * 1024) }),
    });
    expect(ev.status).toBe(413);
  });

  it('refuses URLs and headers past the HTTP parser limit with a 4xx, and stays up', async () => {
    const { status } = await rawGet(t.collector.httpPort, `/render?target=${'a'.repeat(100_000)}`);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect((await t.health()).status).toBe('ok');
  });

  it('counts a StatsD line over --max-line-length as bad and keeps the good ones', async () => {
    const before = await t.health();
    const ok = `lim.ok:1|c`;
    const at = `lim.at:1|c|#${'a'.repeat(100 - 'lim.at:1|c|#'.length)}`;
    const over = `lim.over:1|c|#${'a'.repeat(100)}`;
    expect(at).toHaveLength(100);
    await sendUdp(t.collector.statsdPort, [ok, at, over].join('\n'));
    await sendTcp(t.collector.statsdPort, [`${ok}\n`, 'x'.repeat(500), '\n', `${ok}\n`]);
    const after = await waitFor(async () => {
      const h = await t.health();
      return Number(h.metrics_received) >= Number(before.metrics_received) + 5 ? h : null;
    }, 'the lines');
    expect(Number(after.bad_lines_seen) - Number(before.bad_lines_seen)).toBe(2);
    await t.collector.flushNow();
    const [okSeries] = await t.render('stats.counters.lim.ok.count');
    expect(okSeries.datapoints.reduce((a, [v]) => a + (v ?? 0), 0)).toBe(3);
  });
});
