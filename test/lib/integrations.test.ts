import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  createMemoryMetrics,
  createMetrics,
  httpMetrics,
  type MemoryMetrics,
  type MetricRecord,
  routeTag,
  startProcessMetrics,
} from 'trendline';
import { trendlineFastify } from 'trendline/fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCollector, waitFor } from '../support/collector.js';
import { udpReceiver } from './support.js';

/** The fastify plugin in a real app, the node:http middleware in a real server, process metrics, the memory double. */

const timings = (m: MemoryMetrics, name = 'http.request'): MetricRecord[] =>
  m.records.filter((r) => r.kind === 'timing' && r.name === name);

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe('trendline/fastify', () => {
  let app: FastifyInstance | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('times every request by method, route pattern and status code, including encapsulated routes and 404s', async () => {
    const metrics = createMemoryMetrics({ prefix: 'web' });
    app = Fastify();
    await app.register(trendlineFastify, { metrics });
    app.get('/', async () => 'home');
    app.get('/users/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      if (id === '0') return reply.code(404).send({ error: 'no such user' });
      await new Promise((r) => setTimeout(r, 20));
      return { id };
    });
    await app.register(
      (child, _options, done) => {
        child.post('/items', async (_req, reply) => reply.code(201).send({ ok: true }));
        child.get('/boom', async () => {
          throw new Error('boom');
        });
        done();
      },
      { prefix: '/api' },
    );
    const base = await listen(app);

    const statuses = [];
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/users/7'],
      ['GET', '/users/8'],
      ['GET', '/users/0'],
      ['POST', '/api/items'],
      ['GET', '/api/boom'],
      ['GET', '/nowhere'],
    ]) {
      statuses.push((await fetch(`${base}${path}`, { method })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 404, 201, 500, 404]);
    const web = () => timings(metrics, 'web.http.request');
    await waitFor(async () => web().length === 7, 'seven timings');

    expect(web().map((r) => r.tags)).toEqual([
      { method: 'GET', route: 'root', status: '200' },
      { method: 'GET', route: 'users-id', status: '200' },
      { method: 'GET', route: 'users-id', status: '200' },
      { method: 'GET', route: 'users-id', status: '404' },
      { method: 'POST', route: 'api-items', status: '201' },
      { method: 'GET', route: 'api-boom', status: '500' },
      { method: 'GET', route: 'unmatched', status: '404' },
    ]);
    expect(metrics.records).toHaveLength(7);
    expect(web()[1].value as number).toBeGreaterThanOrEqual(15);
  });

  it('takes a timer name and extra tags, and refuses a missing client at registration', async () => {
    const metrics = createMemoryMetrics();
    app = Fastify();
    await app.register(trendlineFastify, { metrics, name: 'api.req', tags: { service: 'api' } });
    app.get('/ping', async () => 'pong');
    await app.inject('/ping');
    expect(timings(metrics, 'api.req').map((r) => r.tags)).toEqual([
      { service: 'api', method: 'GET', route: 'ping', status: '200' },
    ]);

    const bad = Fastify();
    await expect(bad.register(trendlineFastify, {} as never).ready()).rejects.toThrow(/options.metrics/);
    await bad.close();
  });

  it('sends through the real client to a real collector', async () => {
    const t = await startTestCollector();
    const metrics = createMetrics({ host: '127.0.0.1', port: t.collector.statsdPort, prefix: 'fst', env: {} });
    app = Fastify();
    await app.register(trendlineFastify, { metrics });
    app.get('/orders/:id', async () => ({ ok: true }));
    const base = await listen(app);
    for (let i = 0; i < 5; i++) await fetch(`${base}/orders/${i}`);
    await metrics.close();
    try {
      await waitFor(async () => Number((await t.health()).metrics_received) >= 5, 'five request timings');
      await t.collector.flushNow();
      const [count] = await t.render('stats.timers.fst.http.request.count;method=GET;route=orders-id;status=200');
      expect(count.datapoints.reduce((s, [v]) => s + (v ?? 0), 0)).toBe(5);
    } finally {
      await t.stop();
    }
  });
});

describe('httpMetrics (node:http, Express-style)', () => {
  it('times each response by method, route and status; counts aborted ones', async () => {
    const metrics = createMemoryMetrics();
    const timer = httpMetrics(metrics, { tags: { service: 'plain' } });
    const server = http.createServer((req, res) => {
      timer(req, res, () => {
        // An Express-like router sets req.route (and baseUrl) before the handler runs.
        const r = req as http.IncomingMessage & { route?: { path: string }; baseUrl?: string };
        if (req.url?.startsWith('/users/')) {
          r.baseUrl = '/v1';
          r.route = { path: '/users/:id' };
          res.writeHead(200).end('user');
        } else if (req.url === '/slow') {
          r.route = { path: '/slow' };
          setTimeout(() => res.writeHead(200).end('late'), 500);
        } else {
          res.writeHead(404).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/users/1`)).status).toBe(200);
      expect((await fetch(`${base}/missing`, { method: 'DELETE' })).status).toBe(404);
      await fetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }).catch(() => undefined);
      await waitFor(async () => metrics.records.length === 3, 'three records');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(metrics.records.map((r) => [r.kind, r.name, r.tags])).toEqual([
      ['timing', 'http.request', { service: 'plain', method: 'GET', route: 'v1-users-id', status: '200' }],
      ['timing', 'http.request', { service: 'plain', method: 'DELETE', route: 'unmatched', status: '404' }],
      ['counter', 'http.request.aborted', { service: 'plain', method: 'GET', route: 'slow' }],
    ]);
  });

  it('routeTag keeps route patterns readable and bounded', () => {
    expect(routeTag('/users/:id')).toBe('users-id');
    expect(routeTag('/')).toBe('root');
    expect(routeTag('/files/*')).toBe('files-');
    expect(routeTag(undefined)).toBe('unmatched');
  });
});

describe('process metrics (opt-in)', () => {
  it('samples event-loop delay, memory and GC pauses', async () => {
    const metrics = createMemoryMetrics();
    const stop = startProcessMetrics(metrics, { intervalMs: 100 });
    const garbage: unknown[] = [];
    const deadline = Date.now() + 400;
    while (Date.now() < deadline) {
      for (let i = 0; i < 10_000; i++) garbage.push({ i, s: `x${i}` });
      garbage.length = 0;
      await new Promise((r) => setTimeout(r, 5));
    }
    stop();
    const count = metrics.records.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(metrics.records.length).toBe(count); // stopped means stopped
    const names = new Set(metrics.records.map((r) => r.name));
    for (const n of [
      'process.memory.rss',
      'process.memory.heap_used',
      'process.memory.heap_total',
      'process.memory.external',
      'process.event_loop.delay.p50',
      'process.event_loop.delay.p99',
      'process.event_loop.delay.max',
      'process.event_loop.delay.mean',
      'process.event_loop.utilization',
      'process.gc.pause',
    ]) {
      expect(names, n).toContain(n);
    }
    const rss = metrics.records.find((r) => r.name === 'process.memory.rss');
    expect(rss?.kind).toBe('gauge');
    expect(rss?.value as number).toBeGreaterThan(10 * 1024 * 1024);
    const gc = metrics.records.find((r) => r.name === 'process.gc.pause');
    expect(gc?.kind).toBe('timing');
    expect(['major', 'minor', 'incremental', 'weakcb', 'other']).toContain(gc?.tags.kind);
    expect(metrics.errors).toEqual([]);
  });

  it('createMetrics({ processMetrics }) sends them and stops on close()', async () => {
    const rx = await udpReceiver();
    const m = createMetrics({ port: rx.port, prefix: 'svc', processMetrics: { intervalMs: 100 }, env: {} });
    try {
      const lines = await rx.waitForLines(5, 2000);
      expect(lines.some((l) => l.startsWith('svc.process.memory.rss:'))).toBe(true);
    } finally {
      await m.close();
      await rx.close();
    }
    expect(m.dropped).toBe(0);
  });
});

describe('createMemoryMetrics', () => {
  it('records calls with full names and merged tags, like the real client, for app tests', async () => {
    const m = createMemoryMetrics({ prefix: 'shop', tags: { env: 'test' } });
    const checkout = m.child({ prefix: 'checkout', tags: { region: 'eu' } });
    checkout.increment('orders', 2, { method: 'card' });
    checkout.gauge('basket', -3);
    checkout.set('buyers', 'u1');
    m.time('render', () => 'html');
    m.increment('');
    expect(await m.deploy({ what: 'shop 2.0' })).toBe(true);

    expect(m.records.map(({ kind, name, value, tags }) => ({ kind, name, value, tags }))).toEqual([
      { kind: 'counter', name: 'shop.checkout.orders', value: 2, tags: { env: 'test', region: 'eu', method: 'card' } },
      { kind: 'gauge', name: 'shop.checkout.basket', value: -3, tags: { env: 'test', region: 'eu' } },
      { kind: 'set', name: 'shop.checkout.buyers', value: 'u1', tags: { env: 'test', region: 'eu' } },
      { kind: 'timing', name: 'shop.render', value: expect.any(Number), tags: { env: 'test', outcome: 'ok' } },
    ]);
    expect(m.lines().slice(0, 4)).toEqual([
      'shop.checkout.orders:2|c|#env:test,region:eu,method:card',
      'shop.checkout.basket:0|g|#env:test,region:eu',
      'shop.checkout.basket:-3|g|#env:test,region:eu',
      'shop.checkout.buyers:u1|s|#env:test,region:eu',
    ]);
    expect(m.deploys).toEqual([{ what: 'shop 2.0', tags: ['deploy', 'env:test'], data: '', when: expect.any(Number) }]);
    expect(m.errors.map((e) => e.code)).toEqual(['TRENDLINE_INVALID_NAME']);
    expect(m.dropped).toBe(1);

    // Sampled calls are all recorded, with their rate, so tests stay deterministic.
    m.clear();
    for (let i = 0; i < 10; i++) m.increment('sampled', 1, undefined, 0.01);
    expect(m.records).toHaveLength(10);
    expect(m.records[0].sampleRate).toBe(0.01);

    await m.close();
    m.increment('late');
    expect(m.records).toHaveLength(10);
    expect(m.dropped).toBe(2);
  });
});
