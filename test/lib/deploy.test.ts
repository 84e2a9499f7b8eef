import { createMetrics, type MetricsError, type MetricsOptions } from 'trendline';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventServer, eventServer, freePort } from './support.js';

/**
 * deploy() and deployOnStart against a small real HTTP server that records requests. (The collector's own
 * POST /events route belongs to the deploy-markers issue; the end-to-end test joins it there.)
 */

let server: EventServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function client(url: string, options: MetricsOptions = {}) {
  const errors: MetricsError[] = [];
  const m = createMetrics({ port: 9, url, env: {}, onError: (e) => errors.push(e), ...options });
  return { m, errors };
}

describe('deploy()', () => {
  it("POSTs Graphite's event JSON to /events, tagged deploy plus the client's tags, with the bearer token", async () => {
    server = await eventServer();
    const { m, errors } = client(server.url, { token: 's3cret', tags: { service: 'api', env: 'prod' } });
    const ok = await m.deploy({
      what: 'api v1.4.2',
      tags: ['canary', 'version:1.4.2'],
      data: 'commit abc',
      when: 1_700_000_000,
    });
    await m.close();
    expect(ok).toBe(true);
    expect(errors).toEqual([]);
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/events');
    expect(req.headers.authorization).toBe('Bearer s3cret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      what: 'api v1.4.2',
      tags: ['deploy', 'service:api', 'env:prod', 'canary', 'version:1.4.2'],
      data: 'commit abc',
      when: 1_700_000_000,
    });
  });

  it('defaults when to now (epoch seconds) and data to empty; sends no Authorization without a token', async () => {
    server = await eventServer();
    const { m } = client(`${server.url}/`);
    const before = Math.floor(Date.now() / 1000);
    expect(await m.deploy({ what: 'v2', when: new Date((before + 1) * 1000) })).toBe(true);
    expect(await m.deploy({ what: 'v3' })).toBe(true);
    await m.close();
    const [withDate, withNow] = server.requests.map((r) => JSON.parse(r.body));
    expect(withDate.when).toBe(before + 1);
    expect(withNow.when).toBeGreaterThanOrEqual(before);
    expect(withNow.data).toBe('');
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(server.requests[0].url).toBe('/events');
  });

  it('retries a 5xx and a dropped connection, then succeeds', async () => {
    server = await eventServer([{ status: 503, body: 'busy' }, 'hang-up', { status: 200 }]);
    const { m, errors } = client(server.url, { deployRetries: 2 });
    expect(await m.deploy({ what: 'v1' })).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(errors).toEqual([]);
    await m.close();
  });

  it('gives up after the retries, resolving false and reporting the last failure', async () => {
    server = await eventServer([{ status: 500, body: 'database is locked' }]);
    const { m, errors } = client(server.url, { deployRetries: 1 });
    expect(await m.deploy({ what: 'v1' })).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(errors.map((e) => e.code)).toEqual(['TRENDLINE_DEPLOY_FAILED']);
    expect(errors[0].message).toMatch(/HTTP 500: database is locked/);
    expect(errors[0].dropped).toBe(0);
    expect(m.dropped).toBe(0);
    await m.close();
  });

  it('does not retry a 4xx (e.g. a wrong token)', async () => {
    server = await eventServer([{ status: 401, body: '{"error":"bad token"}' }]);
    const { m, errors } = client(server.url, { token: 'wrong' });
    expect(await m.deploy({ what: 'v1' })).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(errors[0].message).toMatch(/HTTP 401/);
    await m.close();
  });

  it('times out each attempt', async () => {
    server = await eventServer([{ status: 200, delayMs: 2000 }]);
    const { m, errors } = client(server.url, { deployTimeoutMs: 100, deployRetries: 1 });
    const started = Date.now();
    expect(await m.deploy({ what: 'v1' })).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.requests).toHaveLength(2);
    expect(errors[0].message).toMatch(/no answer within 100 ms/);
    await m.close();
  });

  it('never rejects: a collector that is not there, and a bad mark, resolve false', async () => {
    const { m, errors } = client(`http://127.0.0.1:${await freePort()}`, { deployRetries: 1 });
    await expect(m.deploy({ what: 'v1' })).resolves.toBe(false);
    await expect(m.deploy({ what: '  ' })).resolves.toBe(false);
    await expect(m.deploy(undefined as unknown as { what: string })).resolves.toBe(false);
    await expect(m.deploy({ what: 'v', when: Number.NaN })).resolves.toBe(false);
    expect(errors.map((e) => e.code)).toEqual(Array(4).fill('TRENDLINE_DEPLOY_FAILED'));
    expect(errors[0].message).toMatch(/ECONNREFUSED/);
    await m.close();
  });
});

describe('deployOnStart', () => {
  it('marks the starting version once: checks /events/get_data, then POSTs; close() waits for it', async () => {
    server = await eventServer([{ status: 200, body: '[]' }, { status: 200 }]);
    const m = createMetrics({
      port: 9,
      url: server.url,
      tags: { service: 'api' },
      deployOnStart: { version: '1.2.3', data: 'started' },
      env: {},
    });
    await m.close();
    expect(server.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /events/get_data',
      'POST /events',
    ]);
    const query = new URL(server.requests[0].url, server.url).searchParams;
    expect(query.get('tags')).toBe('deploy service:api version:1.2.3');
    expect(JSON.parse(server.requests[1].body)).toMatchObject({
      what: 'api 1.2.3',
      tags: ['deploy', 'service:api', 'version:1.2.3'],
      data: 'started',
    });
  });

  it('skips the mark when that version is already marked (another replica, a restart)', async () => {
    const existing = [
      { id: 1, when: 1, what: 'api 1.2.3', tags: ['deploy', 'service:api', 'version:1.2.3'], data: '' },
    ];
    server = await eventServer([{ status: 200, body: JSON.stringify(existing) }]);
    const m = createMetrics({
      port: 9,
      url: server.url,
      tags: { service: 'api' },
      env: { TRENDLINE_DEPLOY_VERSION: '1.2.3' },
    });
    await m.close();
    expect(server.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('still marks when the lookup fails (no events route yet, or an old collector)', async () => {
    server = await eventServer([{ status: 404 }, { status: 200 }]);
    const m = createMetrics({ port: 9, url: server.url, prefix: 'web', deployOnStart: { version: 'abc123' }, env: {} });
    await m.close();
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(JSON.parse(server.requests[1].body).what).toBe('web abc123');
  });
});
