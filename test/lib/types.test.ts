import type { FastifyPluginCallback } from 'fastify';
import {
  createMemoryMetrics,
  createMetrics,
  type MemoryMetrics,
  type MetricKind,
  type Metrics,
  type MetricsError,
  type MetricsErrorCode,
  type StopTimer,
  type Tags,
} from 'trendline';
import { type TrendlineFastifyOptions, trendlineFastify } from 'trendline/fastify';
import { describe, expectTypeOf, it } from 'vitest';

/**
 * The public types. The `@ts-expect-error` lines are checked by `tsc -b` (test/tsconfig.json): each wrong
 * call must fail to compile, or the directive itself becomes an error. The function holding them never runs.
 */

function wrongCallsDoNotCompile(m: Metrics): void {
  // @ts-expect-error a name is required
  m.increment();
  // @ts-expect-error the name is a string
  m.increment(5);
  // @ts-expect-error a value is a number, not a string
  m.increment('hits', '5');
  // @ts-expect-error tags are an object or a string array, not a string
  m.increment('hits', 1, 'route:home');
  // @ts-expect-error the sample rate is a number
  m.increment('hits', 1, undefined, '0.5');
  // @ts-expect-error a gauge needs a value
  m.gauge('queue');
  // @ts-expect-error timings are numbers (ms), not Dates
  m.timing('latency', new Date());
  // @ts-expect-error gauges take no sample rate
  m.gauge('queue', 1, undefined, 0.5);
  // @ts-expect-error set members are strings or numbers
  m.set('users', { id: 1 });
  // @ts-expect-error tag values are strings, numbers or booleans
  m.increment('hits', { route: { path: '/' } });
  // @ts-expect-error tag arrays hold strings
  m.increment('hits', [1, 2]);
  // @ts-expect-error time() takes a function
  m.time('work', 42);
  // @ts-expect-error startTimer needs a name
  m.startTimer();
  // @ts-expect-error child prefixes are strings
  m.child({ prefix: 1 });
  // @ts-expect-error a deploy mark needs `what`
  void m.deploy({ tags: ['x'] });
  // @ts-expect-error `dropped` is read-only
  m.dropped = 0;
  // @ts-expect-error unknown metric type
  m.counter('hits');
  // @ts-expect-error protocols are udp, tcp or uds
  createMetrics({ protocol: 'http' });
  // @ts-expect-error the port is a number
  createMetrics({ port: '8125' });
  // @ts-expect-error unknown option
  createMetrics({ hostname: 'x' });
  // @ts-expect-error deployOnStart needs a version
  createMetrics({ deployOnStart: {} });
  // @ts-expect-error onError receives a MetricsError, not a string
  createMetrics({ onError: (e: string) => e });
  // @ts-expect-error the fastify plugin needs a metrics client
  const opts: TrendlineFastifyOptions = {};
  void opts;
}
void wrongCallsDoNotCompile;

describe('public types', () => {
  it('types the client and its results', () => {
    const m = createMetrics({ env: {}, port: 9 });
    expectTypeOf(m).toEqualTypeOf<Metrics>();
    expectTypeOf(m.increment).toBeCallableWith('hits');
    expectTypeOf(m.increment).toBeCallableWith('hits', { route: 'home', ok: true, n: 1, skipped: undefined });
    expectTypeOf(m.increment).toBeCallableWith('hits', 2, ['route:home'], 0.5);
    expectTypeOf(m.gaugeDelta).toBeCallableWith('queue', -1);
    expectTypeOf(m.set).toBeCallableWith('users', 42);
    expectTypeOf(m.startTimer('t')).toEqualTypeOf<StopTimer>();
    expectTypeOf(m.startTimer('t')()).toEqualTypeOf<number>();
    expectTypeOf(m.time('t', () => 42)).toEqualTypeOf<number>();
    expectTypeOf(m.time('t', async () => 'x')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(m.child({ prefix: 'db' })).toEqualTypeOf<Metrics>();
    expectTypeOf(m.deploy({ what: 'v1' })).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(m.close()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(m.dropped).toEqualTypeOf<number>();
    expectTypeOf<Tags>().toMatchTypeOf<
      Readonly<Record<string, string | number | boolean | undefined>> | readonly string[]
    >();
    void m.close();
  });

  it('types the memory double and errors', () => {
    const mem = createMemoryMetrics();
    expectTypeOf(mem).toEqualTypeOf<MemoryMetrics>();
    expectTypeOf(mem).toMatchTypeOf<Metrics>();
    expectTypeOf<MemoryMetrics['records'][number]['kind']>().toEqualTypeOf<MetricKind>();
    expectTypeOf<MemoryMetrics['records'][number]['tags']>().toEqualTypeOf<Record<string, string>>();
    expectTypeOf<MetricsError['code']>().toEqualTypeOf<MetricsErrorCode>();
    expectTypeOf<MetricKind>().toEqualTypeOf<
      'counter' | 'gauge' | 'gaugeDelta' | 'timing' | 'histogram' | 'distribution' | 'set'
    >();
  });

  it('types the fastify plugin as a fastify plugin', () => {
    expectTypeOf(trendlineFastify).toEqualTypeOf<FastifyPluginCallback<TrendlineFastifyOptions>>();
  });
});
