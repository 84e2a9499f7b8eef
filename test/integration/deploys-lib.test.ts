import { createMetrics, type MetricsError } from 'trendline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../support/collector.js';

/** The library's deploy() and deployOnStart against the collector's real POST /events, with a token. */

interface GraphiteEvent {
  when: number;
  what: string;
  data: string;
  tags: string[];
  id: number;
}

describe('library deploy marks end to end', () => {
  let t: TestCollector;
  const deploys = async (tags: string) =>
    (await (await t.get(`/deploys?tags=${encodeURIComponent(tags)}`)).json()) as GraphiteEvent[];

  beforeAll(async () => {
    t = await startTestCollector({ token: 's3cret' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("stores metrics.deploy() as a deploy with the client's tags", async () => {
    const errors: MetricsError[] = [];
    const m = createMetrics({
      port: t.collector.statsdPort,
      url: t.url,
      token: 's3cret',
      tags: { service: 'billing' },
      env: {},
      onError: (e) => errors.push(e),
    });
    expect(
      await m.deploy({ what: 'billing 3.1.0', tags: ['version:3.1.0'], data: 'commit def', when: 1_700_000_000 }),
    ).toBe(true);
    await m.close();
    expect(errors).toEqual([]);
    expect(await deploys('service:billing')).toEqual([
      {
        when: 1_700_000_000,
        what: 'billing 3.1.0',
        data: 'commit def',
        tags: ['deploy', 'service:billing', 'version:3.1.0'],
        id: expect.any(Number),
      },
    ]);
  });

  it('is refused with a wrong token and stores nothing', async () => {
    const errors: MetricsError[] = [];
    const m = createMetrics({
      port: t.collector.statsdPort,
      url: t.url,
      token: 'wrong',
      tags: { service: 'intruder' },
      env: {},
      onError: (e) => errors.push(e),
    });
    expect(await m.deploy({ what: 'nope' })).toBe(false);
    await m.close();
    expect(errors[0]?.message).toMatch(/HTTP 401/);
    expect(await deploys('service:intruder')).toEqual([]);
  });

  it('marks the starting version once with deployOnStart, across restarts of the app', async () => {
    for (let i = 0; i < 2; i++) {
      const m = createMetrics({
        port: t.collector.statsdPort,
        url: t.url,
        token: 's3cret',
        tags: { service: 'search' },
        deployOnStart: { version: '7.0.0' },
        env: {},
      });
      await m.close();
    }
    const marks = await deploys('service:search version:7.0.0');
    expect(marks).toHaveLength(1);
    expect(marks[0].what).toBe('search 7.0.0');
  });
});
