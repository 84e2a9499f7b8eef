import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrendline } from '../support/check.js';
import { startTestCollector, type TestCollector, waitFor } from '../support/collector.js';

/**
 * GET /check/deploy and `check_trendline --deploy`: the latest deploy of a service, judged by the deploy-impact
 * verdict, against a running collector. The points arrive over UDP as DogStatsD gauges with their own
 * timestamps (`|T`), so ten minutes of history exist at once.
 */

let tc: TestCollector;
const NOW = Math.floor(Date.now() / 1000);
/** The deploy under test: ten minutes ago, with five-minute windows of history on both sides. */
const DEPLOY = NOW - 600;
const WINDOW = '5m';

const API = 'stats.gauges.deploy.api.lat';
const WEB = 'stats.gauges.deploy.web.lat';

/** A repeatable wobble in [-1, 1). */
function noise(i: number): number {
  return (((i * 7919) % 1000) / 500 - 1) * 0.999;
}

async function postEvent(what: string, tags: string[], when: number): Promise<number> {
  const res = await fetch(`${tc.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ what, tags, when }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: number }).id;
}

function checkPath(path: string, params: Record<string, string>): string {
  return `${path}?${new URLSearchParams(params)}`;
}

async function deployCheck(params: Record<string, string>) {
  const res = await tc.get(checkPath('/check/deploy', { window: WINDOW, ...params }));
  return { status: res.status, nagios: res.headers.get('x-nagios-status'), body: await res.text() };
}

let deployId = 0;

beforeAll(async () => {
  tc = await startTestCollector();
  // api's latency doubles at the deploy; web's stays where it was.
  const lines: string[] = [];
  for (let ts = DEPLOY - 300; ts < DEPLOY + 300; ts++) {
    const after = ts >= DEPLOY;
    lines.push(`deploy.api.lat:${(after ? 200 : 100) + 10 * noise(ts)}|g|T${ts}`);
    lines.push(`deploy.web.lat:${50 + 10 * noise(ts + 17)}|g|T${ts}`);
  }
  for (let i = 0; i < lines.length; i += 20) await tc.udp(lines.slice(i, i + 20).join('\n'));
  await tc.collector.flushNow();
  await waitFor(async () => {
    const series = await tc.render(['stats.gauges.deploy.*.lat'], { from: String(DEPLOY - 301), until: String(NOW) });
    return series.length === 2 && series.every((s) => s.datapoints.filter(([v]) => v !== null).length === 600);
  }, 'the history to be stored');

  await postEvent('api 1.4.0', ['deploy', 'service:api'], DEPLOY - 1800);
  deployId = await postEvent('api 1.5.0', ['deploy', 'service:api', 'version:1.5.0'], DEPLOY);
  // Later, but another service's (plain tag form), and an event that is not a deploy.
  await postEvent('web 2.0', ['deploy', 'web'], DEPLOY + 60);
  await postEvent('api restarted', ['service:api'], DEPLOY + 120);
  // A deploy seconds ago: its after window has barely started.
  await postEvent('fresh 0.1', ['deploy', 'service:fresh'], NOW - 5);
}, 60_000);

afterAll(async () => {
  await tc?.stop();
});

describe('GET /check/deploy', () => {
  it('is CRITICAL (503) when the latest deploy of the service made the series worse', async () => {
    const r = await deployCheck({ target: API, service: 'api' });
    expect(r.status).toBe(503);
    expect(r.nagios).toBe('2');
    expect(r.body).toMatch(
      new RegExp(
        `^TRENDLINE CRITICAL - deploy "api 1\\.5\\.0" \\(id ${deployId}, 1\\d min ago\\): ${API.replaceAll('.', '\\.')} worse: higher after the deploy \\(p50 \\+\\d+\\.\\d%, mean \\+\\d+\\.\\d%; Mann-Whitney U p=.* < α=0\\.01\\), and lower is better \\| '${API}'=\\d+(\\.\\d+)?%;;;;\\n$`,
      ),
    );
  });

  it('is WARNING (429) when told so', async () => {
    expect(await deployCheck({ target: API, service: 'api', worse: 'warning' })).toMatchObject({
      status: 429,
      nagios: '1',
      body: expect.stringMatching(/^TRENDLINE WARNING - deploy "api 1\.5\.0"/),
    });
  });

  it('is OK when the series is unchanged or better', async () => {
    const unchanged = await deployCheck({ target: WEB, service: 'api' });
    expect(unchanged).toMatchObject({ status: 200, nagios: '0' });
    expect(unchanged.body).toMatch(
      /^TRENDLINE OK - deploy "api 1\.5\.0" .*: stats\.gauges\.deploy\.web\.lat unchanged: /,
    );
    const better = await deployCheck({ target: API, service: 'api', better: 'higher' });
    expect(better).toMatchObject({ status: 200, nagios: '0' });
    expect(better.body).toContain(`${API} better: higher after the deploy`);
  });

  it('judges several series, worst state first, one line and one perfdata pair each', async () => {
    const r = await deployCheck({ target: 'stats.gauges.deploy.*.lat', service: 'api' });
    expect(r.status).toBe(503);
    const lines = r.body.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^TRENDLINE CRITICAL - deploy "api 1\\.5\\.0" .*: ${API.replaceAll('.', '\\.')} worse \\(2 series: 1 critical, 1 ok\\) \\| '${API}'=`,
      ),
    );
    expect(lines[1]).toMatch(/^CRITICAL: stats\.gauges\.deploy\.api\.lat worse: /);
    expect(lines[2]).toMatch(
      /^OK: stats\.gauges\.deploy\.web\.lat unchanged: .* \| 'stats\.gauges\.deploy\.web\.lat'=-?[\d.]+%;;;;$/,
    );
  });

  it('finds the service by a plain tag too, and only deploys count', async () => {
    // web's deploy has its own history: the same web series, now judged around web 2.0.
    const r = await deployCheck({ target: WEB, service: 'web' });
    expect(r.body).toMatch(/^TRENDLINE OK - deploy "web 2\.0"/);
  });

  it('a deploy whose after window is still filling is not judged yet: OK', async () => {
    const r = await deployCheck({ target: API, service: 'fresh' });
    expect(r).toMatchObject({ status: 200, nagios: '0' });
    expect(r.body).toMatch(
      /^TRENDLINE OK - deploy "fresh 0\.1" \(id \d+, \d+ s ago\): stats\.gauges\.deploy\.api\.lat not judged yet: insufficient data/,
    );
  });

  it('too little data once the window has passed is missing data: UNKNOWN, or onMissing', async () => {
    // api 1.4.0's windows hold no points.
    const r = await deployCheck({ target: API, service: 'api', now: String(DEPLOY - 1), window: '10m' });
    expect(r).toMatchObject({ status: 500, nagios: '3' });
    expect(r.body).toMatch(
      /^TRENDLINE UNKNOWN - deploy "api 1\.4\.0" .*: stats\.gauges\.deploy\.api\.lat cannot be judged: insufficient data/,
    );
    const ok = await deployCheck({ target: API, service: 'api', now: String(DEPLOY - 1), onMissing: 'ok' });
    expect(ok).toMatchObject({ status: 200, nagios: '0' });
  });

  it('no deploy, or no series, is missing data', async () => {
    expect(await deployCheck({ target: API, service: 'nope' })).toEqual({
      status: 500,
      nagios: '3',
      body: 'TRENDLINE UNKNOWN - no deploy of service "nope" found\n',
    });
    expect((await deployCheck({ target: API, service: 'nope', onMissing: 'critical' })).nagios).toBe('2');
    const none = await deployCheck({ target: 'stats.gauges.none', service: 'api' });
    expect(none).toMatchObject({ status: 500, nagios: '3' });
    expect(none.body).toMatch(
      /^TRENDLINE UNKNOWN - deploy "api 1\.5\.0" \(id \d+, .* ago\): no series matched "stats\.gauges\.none"\n$/,
    );
  });

  it('format=json gives the verdict as data', async () => {
    const res = await tc.get(
      checkPath('/check/deploy', { target: API, service: 'api', window: WINDOW, format: 'json' }),
    );
    expect(res.status).toBe(503);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      state: 'CRITICAL',
      code: 2,
      service: 'api',
      window: 300,
      deploy: { id: deployId, what: 'api 1.5.0', when: DEPLOY },
      series: [{ label: API, state: 'CRITICAL', verdict: 'worse', pending: false }],
    });
  });

  it('a malformed parameter is a 400; a bad target is UNKNOWN plugin output', async () => {
    for (const [params, reason] of [
      [{ target: API }, 'Invalid parameters (service is required)'],
      [
        { target: API, service: 'api', worse: 'unknown' },
        'Invalid parameters (worse "unknown": use warning, critical)',
      ],
      [{ target: API, service: 'api', window: 'soon' }, 'Invalid parameters (window "soon"'],
      [{ target: API, service: 'api', alpha: '2' }, 'Invalid parameters (alpha "2"'],
      [{ target: API, service: 'api', warning: '5' }, 'Invalid parameters (unknown parameter "warning")'],
    ] as const) {
      const res = await tc.get(checkPath('/check/deploy', params as Record<string, string>));
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(await res.text()).toContain(reason);
    }
    expect(await deployCheck({ target: 'sumSeries(', service: 'api' })).toMatchObject({
      status: 500,
      nagios: '3',
      body: expect.stringMatching(/^TRENDLINE UNKNOWN - invalid target: syntax error/),
    });
  });
});

describe('check_trendline --deploy', () => {
  it('exits with the deploy check state and prints its output verbatim', async () => {
    const args = ['--url', tc.url, '--deploy', '--service', 'api', '--target', API, '--window', WINDOW];
    const crit = await checkTrendline(args);
    expect(crit.code).toBe(2);
    expect(crit.stdout).toBe((await deployCheck({ target: API, service: 'api' })).body);
    const warn = await checkTrendline([...args, '--worse', 'warning']);
    expect(warn.code).toBe(1);
    const ok = await checkTrendline([
      '--url',
      tc.url,
      '--deploy',
      '--service',
      'api',
      '--target',
      WEB,
      '--window',
      WINDOW,
    ]);
    expect(ok.code).toBe(0);
    const none = await checkTrendline(['--url', tc.url, '--deploy', '--service', 'nope', '--target', API]);
    expect(none.code).toBe(3);
    expect(none.stdout).toBe('TRENDLINE UNKNOWN - no deploy of service "nope" found\n');
  });
});
