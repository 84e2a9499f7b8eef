import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector, tempDir } from '../support/collector.js';

/** GET|PUT|DELETE /dashboards/:id and GET /dashboards over real HTTP, stored in the SQLite file. */
describe('dashboards API', () => {
  const TOKEN = 'dash-token';
  const dir = tempDir();
  const db = join(dir, 'trendline.db');
  let t: TestCollector;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const put = (id: string, body: unknown, headers: Record<string, string> = auth) =>
    fetch(`${t.url}/dashboards/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const oneLine = async (res: Response, status: number) => {
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(text.endsWith('\n') && text.trim().split('\n').length === 1, text).toBe(true);
    return text.trim();
  };

  beforeAll(async () => {
    t = await startTestCollector({ db, token: TOKEN });
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the built-in read-only Collector dashboard', async () => {
    expect(await (await t.get('/dashboards')).json()).toEqual([
      { id: 'collector', title: 'Collector', panels: 4, updated: 0, readOnly: true },
    ]);
    const collector = (await (await t.get('/dashboards/collector')).json()) as { panels: Array<{ targets: string[] }> };
    expect(collector.panels.flatMap((p) => p.targets)).toEqual([
      'stats.counters.statsd.packets_received.rate',
      'stats.counters.statsd.metrics_received.rate',
      'stats.counters.statsd.bad_lines_seen.count',
      'stats.statsd.sqliteStats.flush_time',
      'stats.statsd.numStats',
    ]);
    expect(await oneLine(await put('collector', { title: 'x', panels: [] }), 403)).toMatch(/read-only/);
    const del = await fetch(`${t.url}/dashboards/collector`, { method: 'DELETE', headers: auth });
    expect(await oneLine(del, 403)).toMatch(/read-only/);
  });

  it('requires the bearer token to write', async () => {
    expect(await oneLine(await put('ops', { title: 'Ops', panels: [] }, {}), 401)).toMatch(/missing bearer token/);
    expect(await oneLine(await put('ops', { title: 'Ops', panels: [] }, { authorization: 'Bearer nope' }), 401)).toBe(
      'wrong bearer token',
    );
    const del = await fetch(`${t.url}/dashboards/ops`, { method: 'DELETE' });
    expect(del.status).toBe(401);
    expect((await t.get('/dashboards/ops')).status).toBe(404);
  });

  it('creates, replaces, reads and deletes a dashboard, dropping unknown fields', async () => {
    const body = {
      title: 'Ops',
      from: '-6h',
      panels: [{ title: 'Latency', targets: ['stats.timers.api.lat.upper_99'], width: 6, height: 240, color: 'red' }],
      extra: true,
    };
    const created = await put('ops', body);
    expect(created.status).toBe(200);
    const stored = (await created.json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ id: 'ops', title: 'Ops', from: '-6h', readOnly: false });
    expect(stored.panels).toEqual([
      { title: 'Latency', targets: ['stats.timers.api.lat.upper_99'], width: 6, height: 240 },
    ]);
    expect(stored).not.toHaveProperty('extra');
    expect(typeof stored.updated).toBe('number');
    expect(await (await t.get('/dashboards/ops')).json()).toEqual(stored);

    expect((await put('ops', { title: 'Ops 2', panels: [] })).status).toBe(200);
    expect(await (await t.get('/dashboards')).json()).toMatchObject([
      { id: 'collector' },
      { id: 'ops', title: 'Ops 2', panels: 0, readOnly: false },
    ]);

    const del = await fetch(`${t.url}/dashboards/ops`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ id: 'ops', title: 'Ops 2' });
    expect(await oneLine(await t.get('/dashboards/ops'), 404)).toBe('no dashboard "ops"');
    const again = await fetch(`${t.url}/dashboards/ops`, { method: 'DELETE', headers: auth });
    expect(await oneLine(again, 404)).toBe('no dashboard "ops"');
  });

  it('refuses bad input with a 4xx and one line', async () => {
    expect(await oneLine(await put('ops', { panels: [] }), 400)).toMatch(/title/);
    expect(await oneLine(await put('ops', { title: ' ', panels: [] }), 400)).toMatch(/title/);
    expect(await oneLine(await put('ops', { title: 'x', panels: [{ targets: [''] }] }), 400)).toMatch(/targets/);
    expect(await oneLine(await put('ops', { title: 'x', panels: [{ targets: ['a'], width: 13 }] }), 400)).toMatch(
      /width/,
    );
    expect(await oneLine(await put('ops', '{"title": "x", "panels": ['), 400)).toMatch(/JSON/);
    expect(await oneLine(await put('bad.id', { title: 'x', panels: [] }), 400)).toMatch(/id/);
    expect(await oneLine(await t.get('/dashboards/-x'), 400)).toMatch(/id/);
    expect(await oneLine(await put('x'.repeat(65), { title: 'x', panels: [] }), 400)).toMatch(/id/);
  });

  it('keeps dashboards in the SQLite file across a restart', async () => {
    expect((await put('kept', { title: 'Kept', panels: [{ targets: ['a.b'] }] })).status).toBe(200);
    await t.collector.close();
    t = await startTestCollector({ db, token: TOKEN });
    expect(await (await t.get('/dashboards/kept')).json()).toMatchObject({
      title: 'Kept',
      panels: [{ targets: ['a.b'] }],
    });
  });
});
