import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_PARAMS, DEPLOY_CHECK_PARAMS } from '../../collector/src/http/routes/check.js';
import { startTestCollector, type TestCollector } from '../support/collector.js';
import { fuzzParams } from './fuzz-params.js';

/**
 * Every HTTP route fuzzed with wrong types, huge values, deep nesting and unicode (issue 9). Each answer must
 * be a 2xx (the input happened to be valid) or a 4xx with a one-line reason; a 500 is a bug. The Nagios
 * routes answer plugin output with their own status mapping (500 = UNKNOWN), so there the rule is: every
 * answer carries X-Nagios-Status, and no UNKNOWN comes from an internal error.
 */

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `:id` style placeholders are filled with fuzzed (encoded) values. */
  path: string;
  params: readonly string[];
  body?: boolean;
  nagios?: boolean;
}

const RENDER = ['target', 'target[]', 'from', 'until', 'now', 'format', 'maxDataPoints', 'noNullPoints', 'jsonp', 'tz'];
const TAGS = ['expr', 'expr[]', 'filter', 'tag', 'tagPrefix', 'valuePrefix', 'limit'];

/** Every route in collector/src/http/routes/*.ts (and the UI root). */
const ROUTES: Route[] = [
  { method: 'GET', path: '/', params: [] },
  { method: 'GET', path: '/health', params: [] },
  { method: 'GET', path: '/version', params: [] },
  { method: 'GET', path: '/functions', params: ['grouped', 'group', 'type'] },
  { method: 'GET', path: '/functions/:name', params: ['type'] },
  { method: 'POST', path: '/functions', params: [], body: true },
  { method: 'GET', path: '/render', params: RENDER },
  { method: 'POST', path: '/render', params: RENDER, body: true },
  { method: 'GET', path: '/metrics/find', params: ['query', 'format', 'wildcards', 'leavesOnly', 'from', 'until'] },
  { method: 'POST', path: '/metrics/find', params: ['query', 'format'], body: true },
  { method: 'GET', path: '/metrics/expand', params: ['query', 'groupByExpr', 'leavesOnly'] },
  { method: 'GET', path: '/metrics/index.json', params: [] },
  { method: 'GET', path: '/tags', params: ['filter', 'limit'] },
  { method: 'GET', path: '/tags/:tag', params: ['filter', 'limit'] },
  { method: 'GET', path: '/tags/findSeries', params: TAGS },
  { method: 'POST', path: '/tags/findSeries', params: TAGS, body: true },
  { method: 'GET', path: '/tags/autoComplete/tags', params: TAGS },
  { method: 'POST', path: '/tags/autoComplete/tags', params: TAGS, body: true },
  { method: 'GET', path: '/tags/autoComplete/values', params: TAGS },
  { method: 'POST', path: '/tags/autoComplete/values', params: TAGS, body: true },
  { method: 'GET', path: '/events/get_data', params: ['from', 'until', 'tags', 'set', 'jsonp', 'tz'] },
  { method: 'GET', path: '/events/:id', params: [] },
  { method: 'POST', path: '/events', params: [], body: true },
  { method: 'DELETE', path: '/events/:id', params: [] },
  { method: 'GET', path: '/deploys', params: ['from', 'until', 'tags', 'limit', 'tz'] },
  {
    method: 'GET',
    path: '/deploys/:id/impact',
    params: ['target', 'window', 'better', 'alpha', 'minChange', 'minPoints'],
  },
  { method: 'GET', path: '/check', params: CHECK_PARAMS, nagios: true },
  { method: 'GET', path: '/check/deploy', params: DEPLOY_CHECK_PARAMS, nagios: true },
  { method: 'GET', path: '/dashboards', params: [] },
  { method: 'GET', path: '/dashboards/:id', params: [] },
  { method: 'PUT', path: '/dashboards/:id', params: [], body: true },
  { method: 'DELETE', path: '/dashboards/:id', params: [] },
];

/** Values that reach deep into the parsers, and values that no parser should ever see whole. */
const GRAMMAR = [
  'stats.counters.fz.*.count',
  'sumSeries(stats.counters.fz.*.count)',
  'seriesByTag("name=~stats.*")',
  'movingAverage(stats.gauges.fz.g,"1min")',
  'summarize(stats.counters.fz.a.count,"1s")',
  'alias(',
  '{a,b',
  '[z-a]',
  '-1h',
  '-10y',
  '0',
  '253402300799',
  '99999999999999999999',
  'now-1d',
  'noon yesterday',
  '1e309',
  '-1',
  'NaN',
  'Infinity',
  '10:5',
  '@~:',
  'avg',
  'json',
  'csv',
  'union',
  'lower',
  'Europe/Paris',
  'Nope/Zone',
  '../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  "'; DROP TABLE series; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '\u202e',
  '\u{1F4A9}',
  'deploy',
  '1',
  '2',
];

const value: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...GRAMMAR) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  // Huge values and deep nesting.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'é', '(', 'f(', '{', '[', '*.', '9'), fc.integer({ min: 1_000, max: 100_000 }))
      .map(([s, n]) => s.repeat(n)),
  },
);

const query: (names: readonly string[]) => fc.Arbitrary<Array<[string, string]>> = (names) =>
  fc.array(
    fc.tuple(
      fc.oneof(
        { weight: 5, arbitrary: names.length ? fc.constantFrom(...names) : fc.constant('x') },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
        { weight: 1, arbitrary: fc.constantFrom('a[b][c][d]', '__proto__', 'constructor', 'target[0]') },
      ),
      value,
    ),
    { maxLength: 8 },
  );

/** JSON of every shape, including the fields the write routes know with wrong types. */
const jsonBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      what: fc.oneof(value, fc.jsonValue({ maxDepth: 2 })),
      tags: fc.oneof(value, fc.array(value, { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
      data: fc.oneof(value, fc.jsonValue({ maxDepth: 2 })),
      when: fc.oneof(fc.double(), fc.integer(), value, fc.constant(null)),
      title: fc.oneof(value, fc.jsonValue({ maxDepth: 2 })),
      panels: fc.oneof(
        fc.array(
          fc.record(
            {
              title: value,
              targets: fc.oneof(fc.array(value, { maxLength: 3 }), value),
              width: fc.oneof(fc.integer(), value),
              height: fc.oneof(fc.integer(), value),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      target: fc.oneof(value, fc.array(value, { maxLength: 3 })),
      query: value,
    },
    { requiredKeys: [] },
  ),
);

const rawBody: fc.Arbitrary<{ payload: string | Buffer; type: string | undefined }> = fc.oneof(
  jsonBody.map((b) => ({ payload: JSON.stringify(b) ?? 'null', type: 'application/json' })),
  jsonBody.map((b) => ({ payload: JSON.stringify(b) ?? 'null', type: 'text/plain' })),
  query(['target', 'from', 'query', 'expr', 'what']).map((q) => ({
    payload: new URLSearchParams(q).toString(),
    type: 'application/x-www-form-urlencoded',
  })),
  // Deeply nested JSON, invalid JSON, random bytes, and no content type at all.
  fc.tuple(fc.integer({ min: 100, max: 50_000 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => ({
    payload: `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`,
    type: 'application/json',
  })),
  fc.string({ unit: 'binary', maxLength: 100 }).map((s) => ({ payload: s, type: 'application/json' })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ payload: Buffer.from(b), type: undefined })),
  fc
    .constantFrom('multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16')
    .map((type) => ({ payload: '--x\r\n\r\n', type })),
);

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) goes as its raw, invalid UTF-8 bytes. */
function encodePathValue(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[^A-Za-z0-9]/g, (c) => (c >= '\ud800' && c <= '\udfff' ? '%ED%A0%80' : encodeURIComponent(c)));
  }
}

describe('fuzz: every HTTP route', () => {
  let t: TestCollector;
  const statuses = new Map<number, number>();
  let requests = 0;

  beforeAll(async () => {
    // A token, so the write routes are fuzzed both refused (no token) and past the check (with it).
    t = await startTestCollector({ token: 'fuzz-token', maxQueryPoints: 200_000 });
    await t.udp('fz.a:1|c\nfz.b:2|c|#env:prod\nfz.t:5|ms\nfz.g:3|g\nfz.s:x|s');
    await t.collector.flushNow();
    const auth = { authorization: 'Bearer fuzz-token', 'content-type': 'application/json' };
    await t.collector.app.inject({
      method: 'POST',
      url: '/events',
      headers: auth,
      payload: { what: 'v1', tags: 'deploy api' },
    });
    await t.collector.app.inject({
      method: 'PUT',
      url: '/dashboards/d1',
      headers: auth,
      payload: { title: 'D', panels: [{ targets: ['stats.counters.fz.a.count'] }] },
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: never a 500', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(
        query(route.params),
        fc.array(value, { minLength: 2, maxLength: 2 }),
        route.body ? rawBody : fc.constant(undefined),
        fc.boolean(),
        async (q, pathValues, body, withToken) => {
          let i = 0;
          const path = route.path.replace(/:[a-z]+/g, () => encodePathValue(pathValues[i++] ?? ''));
          const search = new URLSearchParams(q).toString();
          const headers: Record<string, string> = {};
          if (withToken) headers.authorization = 'Bearer fuzz-token';
          if (body?.type) headers['content-type'] = body.type;
          const res = await t.collector.app.inject({
            method: route.method,
            url: search ? `${path}?${search}` : path,
            headers,
            ...(body ? { payload: body.payload } : {}),
          });
          requests++;
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const where = `${route.method} ${path.slice(0, 80)}?${search.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (route.nagios && res.headers['x-nagios-status'] !== undefined) {
            // Plugin output: the state is in the header, and an UNKNOWN never hides an internal error.
            expect(['0', '1', '2', '3'], where).toContain(res.headers['x-nagios-status']);
            expect(res.body, where).not.toContain('internal error');
            return;
          }
          expect(res.statusCode, where).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const reason = res.body.trimEnd();
            expect(reason.length, where).toBeGreaterThan(0);
            expect(reason, where).not.toContain('\n');
          }
        },
      ),
      fuzzParams(route.body ? 60 : 40),
    );
  });

  it('kept the server up and answering throughout', async () => {
    expect((await t.health()).status).toBe('ok');
    expect(requests).toBeGreaterThan(1000);
    console.log(
      `http fuzz: ${requests} requests over ${ROUTES.length} routes, statuses ${JSON.stringify([...statuses].sort())}`,
    );
  });
});
