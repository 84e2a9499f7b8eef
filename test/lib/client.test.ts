import { spawnSync } from 'node:child_process';
import { createMetrics, type MetricsError, MetricsOptionError, type MetricsOptions } from 'trendline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32, type UdpReceiver, udpReceiver } from './support.js';

/** The socket client against a bare UDP receiver: the exact wire, batching, timers, errors and options. */

let rx: UdpReceiver;
beforeEach(async () => {
  rx = await udpReceiver();
});
afterEach(async () => {
  await rx.close();
});

function client(options: MetricsOptions = {}) {
  const errors: MetricsError[] = [];
  const m = createMetrics({ host: '127.0.0.1', port: rx.port, env: {}, onError: (e) => errors.push(e), ...options });
  return { m, errors };
}

describe('wire format', () => {
  it('sends each metric type as a StatsD line, with prefix and merged tags', async () => {
    const { m, errors } = client({ prefix: 'api', tags: { env: 'test', az: 'b' } });
    m.increment('hits');
    m.increment('hits', 5);
    m.increment('hits', { route: 'home' });
    m.increment('hits', 2, ['route:home', 'canary', 'team=core']);
    m.decrement('hits');
    m.decrement('hits', 3, { env: 'prod' });
    m.gauge('queue', 7);
    m.gauge('queue', -2);
    m.gaugeDelta('queue', 3);
    m.gaugeDelta('queue', -4);
    m.gaugeDelta('queue', 0);
    m.timing('latency', 12.5);
    m.histogram('size', 3);
    m.distribution('dist', 0.25);
    m.set('users', 'alice');
    m.set('users', 42);
    await m.close();
    expect(await rx.waitForLines(17)).toEqual([
      'api.hits:1|c|#env:test,az:b',
      'api.hits:5|c|#env:test,az:b',
      'api.hits:1|c|#env:test,az:b,route:home',
      'api.hits:2|c|#env:test,az:b,route:home,canary:true,team:core',
      'api.hits:-1|c|#env:test,az:b',
      'api.hits:-3|c|#env:prod,az:b',
      'api.queue:7|g|#env:test,az:b',
      'api.queue:0|g|#env:test,az:b',
      'api.queue:-2|g|#env:test,az:b',
      'api.queue:+3|g|#env:test,az:b',
      'api.queue:-4|g|#env:test,az:b',
      'api.queue:+0|g|#env:test,az:b',
      'api.latency:12.5|ms|#env:test,az:b',
      'api.size:3|h|#env:test,az:b',
      'api.dist:0.25|d|#env:test,az:b',
      'api.users:alice|s|#env:test,az:b',
      'api.users:42|s|#env:test,az:b',
    ]);
    expect(errors).toEqual([]);
  });

  it('sanitises names and tags to what the collector stores', async () => {
    const { m } = client({ prefix: 'my app.', tags: ['host:web 1', 'name:x', ':empty', 'bad:'] });
    m.increment('GET /users/:id');
    m.increment('..a..b..');
    m.increment('caf\u00e9.\u2603count', { 'the key': 'a/b', skipped: undefined, n: 1, ok: true });
    m.set('emoji', '\u2615 | %');
    m.child({ prefix: '/db/' }).increment('q');
    await m.close();
    expect(await rx.waitForLines(5)).toEqual([
      'my_app.GET_-users-id:1|c|#host:web_1',
      'my_app.a.b:1|c|#host:web_1',
      'my_app.caf.count:1|c|#host:web_1,the_key:a-b,n:1,ok:true',
      'my_app.emoji:%E2%98%95%20%7C%20%25|s|#host:web_1',
      'my_app.-db-.q:1|c|#host:web_1',
    ]);
  });

  it('adds the sample rate to sampled counters and timers only, using the injected random source', async () => {
    const draws = [0.05, 0.5, 0.05, 0.5, 0.05];
    const { m } = client({ sampleRate: 0.1, random: () => draws.shift() ?? 0 });
    m.increment('c'); // 0.05 < 0.1: kept
    m.increment('c'); // 0.5: dropped
    m.timing('t', 1, undefined, 0.6); // per-call rate: 0.05 < 0.6 kept
    m.timing('t', 2, undefined, 0.6); // 0.5 < 0.6 kept
    m.gauge('g', 1); // gauges and sets are never sampled
    m.set('s', 'x');
    m.histogram('h', 1, undefined, 1); // rate 1: no draw, no field
    await m.close();
    expect(await rx.waitForLines(5)).toEqual(['c:1|c|@0.1', 't:1|ms|@0.6', 't:2|ms|@0.6', 'g:1|g', 's:x|s', 'h:1|h']);
  });

  it('samples at the stated rate: the kept fraction is within statistical error', async () => {
    const random = mulberry32(7);
    const { m } = client({ sampleRate: 0.25, random, flushIntervalMs: 1 });
    const n = 8000;
    for (let i = 0; i < n; i++) m.increment('s');
    await m.close();
    await new Promise((r) => setTimeout(r, 100));
    const kept = rx.lines().length;
    expect(rx.lines().every((l) => l === 's:1|c|@0.25')).toBe(true);
    expect(Math.abs(kept - n * 0.25)).toBeLessThan(5 * Math.sqrt(n * 0.25 * 0.75));
  });
});

describe('batching', () => {
  it('packs lines into datagrams of at most maxDatagramBytes, counting bytes', async () => {
    const { m } = client({ maxDatagramBytes: 100 });
    for (let i = 0; i < 60; i++) m.increment(`batch.n${i}`);
    m.set('batch.set', '\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9'); // 10 chars, 20 UTF-8 bytes, 60 encoded
    await m.close();
    const lines = await rx.waitForLines(61);
    expect(lines.slice(0, 60)).toEqual(Array.from({ length: 60 }, (_, i) => `batch.n${i}:1|c`));
    expect(lines[60]).toBe(`batch.set:${'%C3%A9'.repeat(10)}|s`);
    expect(rx.datagrams.length).toBeGreaterThanOrEqual(8);
    for (const d of rx.datagrams) expect(d.length).toBeLessThanOrEqual(100);
    expect(rx.datagrams.every((d) => !d.toString().endsWith('\n'))).toBe(true);
  });

  it('sends a line longer than the limit alone, and drops one longer than the collector accepts', async () => {
    const { m, errors } = client({ maxDatagramBytes: 64 });
    m.increment('a');
    m.increment('long', { tag: 'x'.repeat(200) });
    m.increment('b');
    m.increment('huge', { tag: 'x'.repeat(9000) });
    await m.close();
    await rx.waitForLines(3);
    expect(rx.datagrams.map((d) => d.toString().split('\n').length)).toEqual([1, 1, 1]);
    expect(errors.map((e) => e.code)).toEqual(['TRENDLINE_LINE_TOO_LONG']);
    expect(m.dropped).toBe(1);
  });

  it('flushes on a short interval without close()', async () => {
    const { m } = client({ flushIntervalMs: 20 });
    m.increment('soon');
    expect(await rx.waitForLines(1, 1000)).toEqual(['soon:1|c']);
    await m.close();
  });

  it('close() resolves once everything buffered was sent; later metrics are dropped and reported once', async () => {
    const { m, errors } = client({ flushIntervalMs: 60_000 });
    for (let i = 0; i < 300; i++) m.timing('t', i);
    await m.close();
    await m.close();
    expect((await rx.waitForLines(300, 1000)).length).toBe(300);
    m.increment('late');
    m.increment('late');
    expect(m.dropped).toBe(2);
    expect(errors.map((e) => e.code)).toEqual(['TRENDLINE_CLOSED']);
  });

  it('a child shares the socket, the buffer and the dropped count', async () => {
    const { m } = client({ prefix: 'app', tags: { env: 'a' } });
    const db = m.child({ prefix: 'db', tags: { pool: 'main' } });
    const deeper = db.child({ tags: ['env:b'] });
    m.increment('x');
    db.increment('y');
    deeper.increment('z');
    db.increment('');
    expect(db.prefix).toBe('app.db');
    expect(m.dropped).toBe(1);
    await db.close(); // a child's close() only flushes
    m.increment('after');
    await m.close();
    await rx.waitForLines(4);
    expect(rx.datagrams[0].toString()).toBe(
      'app.x:1|c|#env:a\napp.db.y:1|c|#env:a,pool:main\napp.db.z:1|c|#env:b,pool:main',
    );
    expect(rx.lines()[3]).toBe('app.after:1|c|#env:a');
  });
});

describe('never throws after construction', () => {
  it('drops bad names, values and rates with an error each and a dropped count', async () => {
    const { m, errors } = client();
    const anyM = m as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => {
      m.increment('');
      m.increment('!!!');
      m.increment('...');
      anyM.increment(undefined);
      anyM.increment({});
      m.increment('x', Number.NaN);
      m.gauge('x', Number.POSITIVE_INFINITY);
      anyM.timing('x', '5');
      m.timing('x', -1);
      m.histogram('x', -1);
      m.increment('x', 1, undefined, 0);
      m.increment('x', 1, undefined, 1.5);
      m.set('x', '');
      anyM.set('x', { a: 1 });
      anyM.time('x', 'not a function');
      anyM.child(undefined);
      anyM.increment('x', 1, 'not tags');
    }).not.toThrow();
    expect(errors.map((e) => e.code)).toEqual([
      'TRENDLINE_INVALID_NAME',
      'TRENDLINE_INVALID_NAME',
      'TRENDLINE_INVALID_NAME',
      'TRENDLINE_INVALID_NAME',
      'TRENDLINE_INVALID_NAME',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_SAMPLE_RATE',
      'TRENDLINE_INVALID_SAMPLE_RATE',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_VALUE',
      'TRENDLINE_INVALID_VALUE',
    ]);
    expect(m.dropped).toBe(15);
    expect(errors.every((e) => e.dropped === 1)).toBe(true);
    await m.close();
    // Tags that are not tags (an untyped caller's string) are ignored; the metric itself is fine.
    expect(await rx.waitForLines(1)).toEqual(['x:1|c']);
  });

  it('an onError that throws does not reach the app', async () => {
    const m = createMetrics({
      port: rx.port,
      env: {},
      onError: () => {
        throw new Error('handler bug');
      },
    });
    expect(() => m.increment('')).not.toThrow();
    expect(m.dropped).toBe(1);
    await m.close();
  });

  it('ignores DD_* variables: no Datadog tags, container ids or telemetry on the wire', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      DD_ENV: 'prod',
      DD_SERVICE: 'svc',
      DD_TAGS: 'a:b',
      DD_ENTITY_ID: 'e1',
      DD_AGENT_HOST: '10.9.9.9',
    });
    try {
      const { m } = client();
      m.increment('plain');
      await m.close();
      expect(await rx.waitForLines(1)).toEqual(['plain:1|c']);
    } finally {
      for (const k of ['DD_ENV', 'DD_SERVICE', 'DD_TAGS', 'DD_ENTITY_ID', 'DD_AGENT_HOST']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('timers', () => {
  it('startTimer() returns stop(), which records once and returns the elapsed ms', async () => {
    const { m } = client();
    const stop = m.startTimer('job', { kind: 'a' });
    await new Promise((r) => setTimeout(r, 30));
    const ms = stop({ result: 'done' });
    expect(ms).toBeGreaterThanOrEqual(25);
    expect(stop()).toBe(ms);
    await m.close();
    expect(await rx.waitForLines(1)).toEqual([`job:${ms}|ms|#kind:a,result:done`]);
  });

  it('time() times sync functions, returns their value and rethrows their error unchanged', async () => {
    const { m } = client();
    expect(m.time('sync', () => 42, { k: 'v' })).toBe(42);
    const boom = new Error('boom');
    let caught: unknown;
    try {
      m.time('sync', () => {
        throw boom;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(boom);
    await m.close();
    const lines = await rx.waitForLines(2);
    expect(lines[0]).toMatch(/^sync:\d+(\.\d+)?\|ms\|#k:v,outcome:ok$/);
    expect(lines[1]).toMatch(/^sync:\d+(\.\d+)?\|ms\|#outcome:error$/);
  });

  it('time() returns the very promise of an async function, timed until it settles', async () => {
    const { m } = client();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const inner = new Promise<string>((r) => setTimeout(() => r('ok'), 30));
      const returned = m.time('async', () => inner);
      expect(returned).toBe(inner);
      expect(await returned).toBe('ok');

      const err = new TypeError('nope');
      const failing = m.time('async', async () => {
        await new Promise((r) => setTimeout(r, 10));
        throw err;
      });
      await expect(failing).rejects.toBe(err);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    await m.close();
    const [ok, failed] = await rx.waitForLines(2);
    expect(ok).toMatch(/^async:\d+(\.\d+)?\|ms\|#outcome:ok$/);
    expect(Number(ok.split(/[:|]/)[1])).toBeGreaterThanOrEqual(25);
    expect(failed).toMatch(/^async:\d+(\.\d+)?\|ms\|#outcome:error$/);
  });
});

describe('options and their environment twins', () => {
  it('reads TRENDLINE_* variables', async () => {
    const m = createMetrics({
      env: {
        TRENDLINE_STATSD_HOST: '127.0.0.1',
        TRENDLINE_STATSD_PORT: String(rx.port),
        TRENDLINE_STATSD_PROTOCOL: 'udp',
        TRENDLINE_PREFIX: 'envp',
        TRENDLINE_TAGS: 'env:ci, team=core,canary',
        TRENDLINE_SAMPLE_RATE: '1',
        TRENDLINE_MAX_DATAGRAM_BYTES: '512',
        TRENDLINE_FLUSH_INTERVAL_MS: '10',
      },
    });
    m.increment('x');
    expect(await rx.waitForLines(1, 1000)).toEqual(['envp.x:1|c|#env:ci,team:core,canary:true']);
    await m.close();
  });

  it('an option wins over its environment twin', async () => {
    const m = createMetrics({
      port: rx.port,
      prefix: 'opt',
      env: { TRENDLINE_STATSD_PORT: '1', TRENDLINE_PREFIX: 'env' },
    });
    m.increment('x');
    await m.close();
    expect(await rx.waitForLines(1)).toEqual(['opt.x:1|c']);
  });

  it('throws MetricsOptionError at construction, naming the bad option or variable', () => {
    const bad: Array<[MetricsOptions, RegExp]> = [
      [{ port: 0 }, /option "port" 0/],
      [{ port: 70000 }, /option "port"/],
      [{ protocol: 'http' as 'udp' }, /option "protocol" "http": expected udp, tcp or uds/],
      [{ protocol: 'uds' }, /needs a socket path/],
      [{ sampleRate: 0 }, /option "sampleRate"/],
      [{ sampleRate: 1.5 }, /option "sampleRate"/],
      [{ url: 'ftp://x' }, /option "url"/],
      [{ maxDatagramBytes: 10 }, /option "maxDatagramBytes"/],
      [{ env: { TRENDLINE_STATSD_PORT: 'abc' } }, /TRENDLINE_STATSD_PORT "abc": expected a port number/],
      [{ env: { TRENDLINE_STATSD_PROTOCOL: 'quic' } }, /TRENDLINE_STATSD_PROTOCOL "quic"/],
      [{ env: { TRENDLINE_SAMPLE_RATE: 'half' } }, /TRENDLINE_SAMPLE_RATE "half"/],
      [{ env: { TRENDLINE_PROCESS_METRICS: 'maybe' } }, /TRENDLINE_PROCESS_METRICS/],
    ];
    for (const [options, message] of bad) {
      expect(() => createMetrics({ env: {}, ...options })).toThrow(MetricsOptionError);
      expect(() => createMetrics({ env: {}, ...options })).toThrow(message);
    }
  });

  it('with no options at all it sends to localhost:8125 over UDP', async () => {
    const { resolveOptions } = await import('../../lib/src/options.js');
    const r = resolveOptions({ env: {} });
    expect([r.host, r.port, r.protocol, r.prefix, r.sampleRate, r.url, r.maxDatagramBytes, r.flushIntervalMs]).toEqual([
      'localhost',
      8125,
      'udp',
      '',
      1,
      'http://localhost:8080',
      1432,
      100,
    ]);
    const uds = resolveOptions({ env: { TRENDLINE_STATSD_SOCKET: '/tmp/x.sock' } });
    expect([uds.protocol, uds.socketPath, uds.maxDatagramBytes]).toEqual(['uds', '/tmp/x.sock', 8192]);
    // process.env is the default source.
    process.env.TRENDLINE_PREFIX = 'from-process-env';
    try {
      expect(resolveOptions().prefix).toBe('from-process-env');
    } finally {
      delete process.env.TRENDLINE_PREFIX;
    }
    // And the real default target: localhost resolves (through the DNS cache) and sends.
    const m = createMetrics({ env: {}, port: rx.port });
    m.increment('via.localhost');
    await m.close();
    expect(await rx.waitForLines(1)).toEqual(['via.localhost:1|c']);
  });
});

describe('process exit', () => {
  it('a script that never calls close() still delivers what it buffered, and exits promptly', async () => {
    const script = `import { createMetrics } from 'trendline';
      const m = createMetrics({ port: ${rx.port}, flushIntervalMs: 60000, env: {} });
      m.increment('bye');
      m.gauge('last', 1);`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(child.status).toBe(0);
    expect(child.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await rx.waitForLines(2)).toEqual(['bye:1|c', 'last:1|g']);
  });
});
