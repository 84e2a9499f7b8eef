import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELF_COUNTERS } from '../../collector/src/aggregate/aggregator.js';
import { startTestCollector, type TestCollector } from '../support/collector.js';

/**
 * --prefix-stats (etsy's prefixStats) on a running collector, real UDP and a real SQLite file: every series the
 * collector writes about itself is under the prefix (`stats.<prefix>.*`, `stats.counters.<prefix>.*`,
 * `stats.gauges.<prefix>.*`), none is left under `statsd`, its figures read back under the new names, /health
 * keeps its field names, and the built-in dashboard graphs the prefixed series.
 */

const PREFIX = 'statsd.host-a';

let t: TestCollector;

describe('--prefix-stats names the collector own series', () => {
  beforeAll(async () => {
    t = await startTestCollector({ prefixStats: PREFIX });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('writes every own series under the prefix and none under statsd', async () => {
    await t.udp('app.hits:3|c\nthis is not statsd\napp.temp:21|g');
    // Flushes a second apart: the one after a write carries its timing, and the lag gauge starts at the second.
    for (let i = 0; i < 3; i++) {
      await t.collector.flushNow();
      await new Promise((r) => setTimeout(r, 1100));
    }

    const all = (await (await t.get('/metrics/index.json')).json()) as string[];
    const own = all.filter((name) => !name.startsWith('stats.counters.app.') && name !== 'stats.gauges.app.temp');
    const under = [`stats.${PREFIX}.`, `stats.counters.${PREFIX}.`, `stats.gauges.${PREFIX}.`];
    for (const name of own)
      expect(
        under.some((p) => name.startsWith(p)),
        name,
      ).toBe(true);
    const expected = [
      ...SELF_COUNTERS.flatMap((id) =>
        ['count', 'rate'].map((s) => `stats.counters.${PREFIX}.${id.slice('statsd.'.length)}.${s}`),
      ),
      `stats.gauges.${PREFIX}.timestamp_lag`,
      ...[
        'numStats',
        'processing_time',
        'sqliteStats.flush_time',
        'sqliteStats.flush_length',
        'store.pending_points',
        'store.failed_writes',
        'store.dropped_points',
        'store.write_stalled_ms',
        ...['ingest', 'writer'].flatMap((th) => ['restarts', 'up', 'given_up'].map((g) => `threads.${th}.${g}`)),
      ].map((n) => `stats.${PREFIX}.${n}`),
    ];
    expect(own.sort()).toEqual(expected.sort());

    // The figures read back under their new names; /health keeps its own field names.
    const read = async (target: string) =>
      ((await t.render(target, { from: '-5min' }))[0]?.datapoints ?? []).reduce((s, [v]) => s + (v ?? 0), 0);
    expect(await read(`stats.counters.${PREFIX}.bad_lines_seen.count`)).toBe(1);
    expect(await read(`stats.counters.${PREFIX}.packets_received.count`)).toBe(1);
    expect(await read(`stats.counters.${PREFIX}.metrics_received.count`)).toBe(3); // the bad line too, as etsy counts
    expect(await read(`stats.${PREFIX}.threads.ingest.up`)).toBeGreaterThanOrEqual(1);
    expect(await t.health()).toMatchObject({ bad_lines_seen: 1, packets_received: 1, metrics_received: 3 });

    const dashboard = (await (await t.get('/dashboards/collector')).json()) as { panels: Array<{ targets: string[] }> };
    const targets = dashboard.panels.flatMap((p) => p.targets);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target, target).toMatch(/^stats\.(counters\.)?statsd\.host-a\./);
  });
});
