import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrendline, PLUGINS_DIR, requireFile, run } from '../support/check.js';
import { startTestCollector, type TestCollector, waitFor } from '../support/collector.js';

/**
 * GET /check, the check_trendline plugin and Debian's check_http/check_curl against a running collector fed
 * real StatsD over UDP.
 */

let tc: TestCollector;

function checkPath(params: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  return `/check?${q}`;
}

async function check(params: Record<string, string | string[]>) {
  const res = await tc.get(checkPath(params));
  return {
    status: res.status,
    nagios: res.headers.get('x-nagios-status'),
    type: res.headers.get('content-type'),
    body: await res.text(),
  };
}

const OK_GAUGE = 'stats.gauges.check.ok';
const WARN_GAUGE = 'stats.gauges.check.warn';
const CRIT_GAUGE = 'stats.gauges.check.crit';
const TIMER_MEAN = 'stats.timers.check.rt.mean';
const thresholds = { warning: '5', critical: '10' };

beforeAll(async () => {
  tc = await startTestCollector();
  await tc.udp('check.ok:3.2|g\ncheck.warn:7|g\ncheck.crit:12|g\ncheck.rt:100|ms');
  await tc.collector.flushNow();
  // Wait until the store answers for every series (the flush writes through a worker).
  await waitFor(async () => (await tc.render(['stats.gauges.check.*', TIMER_MEAN])).length === 4, 'the series');
});
afterAll(async () => {
  await tc?.stop();
});

describe('GET /check', () => {
  it('OK is 200 with plugin output and X-Nagios-Status 0', async () => {
    const r = await check({ target: OK_GAUGE, ...thresholds });
    expect(r).toEqual({
      status: 200,
      nagios: '0',
      type: 'text/plain; charset=utf-8',
      body: `TRENDLINE OK - ${OK_GAUGE} = 3.2 | '${OK_GAUGE}'=3.2;5;10;;\n`,
    });
  });

  it('WARNING is 429 and CRITICAL is 503', async () => {
    expect(await check({ target: WARN_GAUGE, ...thresholds })).toMatchObject({
      status: 429,
      nagios: '1',
      body: `TRENDLINE WARNING - ${WARN_GAUGE} = 7 | '${WARN_GAUGE}'=7;5;10;;\n`,
    });
    expect(await check({ target: CRIT_GAUGE, ...thresholds })).toMatchObject({
      status: 503,
      nagios: '2',
      body: `TRENDLINE CRITICAL - ${CRIT_GAUGE} = 12 | '${CRIT_GAUGE}'=12;5;10;;\n`,
    });
  });

  it('reads ranges as the guidelines do: @ inside, ~ below, inclusive ends', async () => {
    expect((await check({ target: CRIT_GAUGE, critical: '@10:12' })).nagios).toBe('2');
    expect((await check({ target: CRIT_GAUGE, critical: '@12.01:20' })).nagios).toBe('0');
    expect((await check({ target: OK_GAUGE, warning: '3.2:', critical: '~:3.2' })).nagios).toBe('0');
    expect((await check({ target: OK_GAUGE, warning: '3.3:', critical: '~:3.2' })).nagios).toBe('1');
  });

  it('judges several series: worst state wins, or any/all; a line and a perfdata pair each', async () => {
    const r = await check({ target: 'stats.gauges.check.*', ...thresholds, agg: 'last' });
    expect(r.status).toBe(503);
    expect(r.body).toBe(
      [
        `TRENDLINE CRITICAL - ${CRIT_GAUGE} = 12 (3 series: 1 critical, 1 warning, 1 ok) | '${CRIT_GAUGE}'=12;5;10;;`,
        `CRITICAL: ${CRIT_GAUGE} = 12`,
        `OK: ${OK_GAUGE} = 3.2`,
        `WARNING: ${WARN_GAUGE} = 7 | '${OK_GAUGE}'=3.2;5;10;; '${WARN_GAUGE}'=7;5;10;;`,
        '',
      ].join('\n'),
    );
    expect((await check({ target: 'stats.gauges.check.*', ...thresholds, any: 'true' })).nagios).toBe('2');
    expect((await check({ target: 'stats.gauges.check.*', ...thresholds, all: 'true' })).nagios).toBe('0');
    expect((await check({ target: 'stats.gauges.check.{crit,warn}', ...thresholds, all: '' })).nagios).toBe('1');
  });

  it('evaluates Graphite expressions', async () => {
    const sum = await check({ target: 'sumSeries(stats.gauges.check.*)', critical: '22.2:22.2' });
    expect(sum.body).toMatch(/^TRENDLINE OK - sumSeries\(stats\.gauges\.check\.\*\) = 22\.2 \|/);
    const scaled = await check({ target: `alias(scale(${OK_GAUGE}, 10), 'ten times')`, ...thresholds });
    expect(scaled.body).toBe(`TRENDLINE CRITICAL - ten times = 32 | 'ten times'=32;5;10;;\n`);
  });

  it('never reads null as 0 unless the expression asks for it', async () => {
    // One timer value in five minutes of intervals: the others are null.
    const mean = await check({ target: TIMER_MEAN, critical: '50' });
    expect(mean.body).toMatch(/^TRENDLINE CRITICAL - stats\.timers\.check\.rt\.mean = 100 \|/);
    const zeroed = await check({ target: `transformNull(${TIMER_MEAN}, 0)`, critical: '50' });
    expect(zeroed.nagios).toBe('0');
    const nulls = await check({ target: TIMER_MEAN, agg: 'nullpct', warning: '50' });
    expect(nulls.nagios).toBe('1');
    expect(nulls.body).toMatch(/;50;;0;100\n$/);
    const count = await check({ target: TIMER_MEAN, agg: 'count', critical: '1:1' });
    expect(count.body).toBe(`TRENDLINE OK - ${TIMER_MEAN} = 1 | '${TIMER_MEAN}'=1;;1:1;;\n`);
  });

  it('missing data is UNKNOWN (500) by default, or the onMissing state', async () => {
    expect(await check({ target: 'stats.gauges.nope', ...thresholds })).toMatchObject({
      status: 500,
      nagios: '3',
      body: 'TRENDLINE UNKNOWN - no series matched "stats.gauges.nope"\n',
    });
    expect(await check({ target: 'stats.gauges.nope', onMissing: 'critical' })).toMatchObject({
      status: 503,
      nagios: '2',
    });
    expect(await check({ target: 'stats.gauges.nope', onMissing: 'warning' })).toMatchObject({
      status: 429,
      nagios: '1',
    });
    expect(await check({ target: 'stats.gauges.nope', onMissing: 'ok' })).toMatchObject({ status: 200, nagios: '0' });
    // A series that exists but has no point in the range.
    const old = await check({ target: OK_GAUGE, from: '-2h', until: '-1h' });
    expect(old).toMatchObject({
      status: 500,
      nagios: '3',
      body: `TRENDLINE UNKNOWN - ${OK_GAUGE}: no data | '${OK_GAUGE}'=U;;;;\n`,
    });
    // Too few points.
    const few = await check({ target: TIMER_MEAN, minPoints: '2', onMissing: 'critical' });
    expect(few.body).toBe(`TRENDLINE CRITICAL - ${TIMER_MEAN}: 1 point, fewer than 2 | '${TIMER_MEAN}'=U;;;;\n`);
  });

  it('stale data is missing data (maxAge)', async () => {
    // Ask as if it were 10 minutes later: the newest point is about 600 s old.
    const r = await check({ target: OK_GAUGE, from: '-20min', now: '+10min', maxAge: '5min' });
    expect(r.status).toBe(500);
    expect(r.body).toMatch(
      /^TRENDLINE UNKNOWN - stats\.gauges\.check\.ok: stale: newest point 6\d\d s old \(max 300 s\) \|/,
    );
    expect((await check({ target: OK_GAUGE, maxAge: '5min' })).nagios).toBe('0');
  });

  it('format=json gives the same result as data', async () => {
    const res = await tc.get(checkPath({ target: 'stats.gauges.check.*', ...thresholds, agg: 'last', format: 'json' }));
    expect(res.status).toBe(503);
    expect(res.headers.get('x-nagios-status')).toBe('2');
    const json = (await res.json()) as Record<string, unknown> & { series: Array<Record<string, unknown>> };
    expect(json).toMatchObject({ state: 'CRITICAL', code: 2, agg: 'last', warning: '5', critical: '10' });
    expect(json.series.map((s) => [s.label, s.state, s.value])).toEqual([
      [CRIT_GAUGE, 'CRITICAL', 12],
      [OK_GAUGE, 'OK', 3.2],
      [WARN_GAUGE, 'WARNING', 7],
    ]);
    const text = await check({ target: 'stats.gauges.check.*', ...thresholds, agg: 'last' });
    expect(json.output).toBe(text.body);
  });

  it('a malformed parameter is a 400 with a one-line reason, not plugin output', async () => {
    for (const [params, reason] of [
      [
        { target: OK_GAUGE, warning: 'abc' },
        'Invalid parameters (warning: invalid range "abc": "abc" is not a number)',
      ],
      [
        { target: OK_GAUGE, critical: '2:1' },
        'Invalid parameters (critical: invalid range "2:1": start 2 is greater than end 1)',
      ],
      [{ target: OK_GAUGE, agg: 'mode' }, 'Invalid parameters (agg: invalid reducer "mode"'],
      [{ target: OK_GAUGE, from: 'soon' }, 'Invalid parameters (invalid time "soon"'],
      [{ target: OK_GAUGE, onMissing: 'maybe' }, 'Invalid parameters (onMissing "maybe"'],
      [{ target: OK_GAUGE, on_missing: 'ok' }, 'Invalid parameters (unknown parameter "on_missing")'],
      [{ warning: '5' }, 'Invalid parameters (target is required)'],
    ] as const) {
      const r = await check(params as Record<string, string>);
      expect(r.status, JSON.stringify(params)).toBe(400);
      expect(r.nagios).toBeNull();
      expect(r.body.split('\n')).toHaveLength(2);
      expect(r.body).toContain(reason);
    }
  });

  it('a target that cannot be evaluated is UNKNOWN plugin output (500)', async () => {
    expect(await check({ target: 'sumSeries(stats.gauges.check.*', ...thresholds })).toMatchObject({
      status: 500,
      nagios: '3',
      body: expect.stringMatching(/^TRENDLINE UNKNOWN - invalid target: syntax error in target at position \d+: .*\n$/),
    });
    expect(await check({ target: 'noSuchFunction(a.b)' })).toMatchObject({
      status: 500,
      nagios: '3',
      body: 'TRENDLINE UNKNOWN - invalid target: unknown function "noSuchFunction" at position 1\n',
    });
  });
});

describe('check_trendline (child process)', () => {
  const hostPort = () => ['-H', '127.0.0.1', '-p', String(tc.collector.httpPort)];

  it.each([
    [OK_GAUGE, 0, 'OK'],
    [WARN_GAUGE, 1, 'WARNING'],
    [CRIT_GAUGE, 2, 'CRITICAL'],
    ['stats.gauges.nope', 3, 'UNKNOWN'],
  ])('%s exits %i and prints the endpoint output verbatim', async (target, code, state) => {
    const out = await checkTrendline([...hostPort(), '--target', target, '-w', '5', '-c', '10']);
    expect(out.code).toBe(code);
    expect(out.stdout.startsWith(`TRENDLINE ${state} - `)).toBe(true);
    expect(out.stdout).toBe((await check({ target, ...thresholds })).body);
    expect(out.stderr).toBe('');
  });

  it('passes the options: --url, several series, --agg, --all, -v', async () => {
    const out = await checkTrendline([
      '--url',
      tc.url,
      '--target',
      'stats.gauges.check.*',
      '-w5',
      '-c10',
      '--agg',
      'last',
      '-v',
    ]);
    expect(out.code).toBe(2);
    expect(out.stdout.split('\n')).toHaveLength(5);
    expect(out.stdout).toBe((await check({ target: 'stats.gauges.check.*', ...thresholds, agg: 'last' })).body);
    expect(out.stderr).toMatch(/^check_trendline: GET http:\/\/127\.0\.0\.1:\d+\/check\?target=/);
    expect(out.stderr).toContain('HTTP 503, X-Nagios-Status 2');
    const all = await checkTrendline(['--url', tc.url, '--target', 'stats.gauges.check.*', '-w5', '-c10', '--all']);
    expect(all.code).toBe(0);
  });

  it('reports a target error and a refused parameter as UNKNOWN', async () => {
    const bad = await checkTrendline([...hostPort(), '--target', 'sumSeries(', '-c', '1']);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/^TRENDLINE UNKNOWN - invalid target: syntax error/);
    const from = await checkTrendline([...hostPort(), '--target', OK_GAUGE, '--from', 'soon']);
    expect(from.code).toBe(3);
    expect(from.stdout).toBe(
      'TRENDLINE UNKNOWN - the collector refused the check (HTTP 400): Invalid parameters (invalid time "soon": unknown day reference)\n',
    );
    const range = await checkTrendline([...hostPort(), '--target', OK_GAUGE, '-w', '2:1']);
    expect(range.code).toBe(3);
    expect(range.stdout.split('\n')[0]).toBe(
      'TRENDLINE UNKNOWN - -w: invalid range "2:1": start 2 is greater than end 1',
    );
  });

  it('-h and -V exit 3', async () => {
    const help = await checkTrendline(['-h']);
    expect(help.code).toBe(3);
    expect(help.stdout).toContain('Usage:');
    const version = await checkTrendline(['-V']);
    expect(version.code).toBe(3);
    expect(version.stdout).toMatch(/^check_trendline \d+\.\d+\.\d+\n$/);
  });

  it('a collector that cannot be reached is UNKNOWN, with the reason on the first line', async () => {
    const port = await freePort();
    const out = await checkTrendline(['-H', '127.0.0.1', '-p', String(port), '--target', OK_GAUGE]);
    expect(out.code).toBe(3);
    expect(out.stdout).toBe(
      `TRENDLINE UNKNOWN - cannot reach the collector at http://127.0.0.1:${port}/check?target=${OK_GAUGE}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    const notOurs = await checkTrendline(['--url', `${tc.url}/elsewhere`, '--target', OK_GAUGE]);
    expect(notOurs.code).toBe(3);
    expect(notOurs.stdout).toMatch(/^TRENDLINE UNKNOWN - no Trendline check at .* \(HTTP 404\)/);
  });

  describe('a collector that does not answer', () => {
    let silent: net.Server;
    let port = 0;
    const sockets = new Set<net.Socket>();
    beforeAll(async () => {
      silent = net.createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it.each([
      [['-t', '1'], 2, 'CRITICAL'],
      [['-t', '1', '--timeout-result', 'unknown'], 3, 'UNKNOWN'],
      [['-t', '1:WARNING'], 1, 'WARNING'],
    ])('%j times out as %i', async (args, code, state) => {
      const started = Date.now();
      const out = await checkTrendline(['-H', '127.0.0.1', '-p', String(port), '--target', OK_GAUGE, ...args]);
      expect(out.code).toBe(code);
      expect(out.stdout).toBe(
        `TRENDLINE ${state} - timeout after 1 s: no answer from the collector at http://127.0.0.1:${port}/check?target=${OK_GAUGE}\n`,
      );
      expect(Date.now() - started).toBeLessThan(9000);
    });
  });
});

describe("Debian's check_http and check_curl polling /check (no -e)", () => {
  it.each(['check_http', 'check_curl'])('%s maps OK, WARNING and CRITICAL', async (plugin) => {
    const bin = requireFile(join(PLUGINS_DIR, plugin), 'monitoring-plugins-basic and -standard');
    const poll = (target: string) =>
      run(bin, [
        '-I',
        '127.0.0.1',
        '-p',
        String(tc.collector.httpPort),
        '-u',
        checkPath({ target, ...thresholds }),
        '-t',
        '20',
      ]);
    const ok = await poll(OK_GAUGE);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^HTTP OK: HTTP\/1\.1 200 OK - \d+ bytes in [\d.]+ second response time/);
    const warn = await poll(WARN_GAUGE);
    expect(warn.code, warn.stdout).toBe(1);
    expect(warn.stdout).toMatch(/^HTTP WARNING: HTTP\/1\.1 429 Too Many Requests/);
    const crit = await poll(CRIT_GAUGE);
    expect(crit.code, crit.stdout).toBe(2);
    expect(crit.stdout).toMatch(/^HTTP CRITICAL: HTTP\/1\.1 503 Service Unavailable/);
    // An expression, URL-encoded into the path: 3.2 + 7 = 10.2 > 10.
    const sum = await poll('sumSeries(stats.gauges.check.{ok,warn})');
    expect(sum.code, sum.stdout).toBe(2);
    // The body is there to match on: -s with the plugin's status text.
    const body = await run(bin, [
      '-I',
      '127.0.0.1',
      '-p',
      String(tc.collector.httpPort),
      '-u',
      checkPath({ target: OK_GAUGE, ...thresholds }),
      '-s',
      'TRENDLINE OK - ',
    ]);
    expect(body.code, body.stdout).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
