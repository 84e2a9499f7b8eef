import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type GraphiteSeries, serveArgs, spawnServe, tempDir, total, waitFor } from '../support/collector.js';

/**
 * A cardinality attack: a million distinct names inside one minute. The series cap must hold, every name
 * past it must be counted as dropped, the series that existed before must stay exact, and the collector
 * must keep answering while it happens.
 */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ATTACK_NAMES = 1_000_000;
const CAP = 50_000;
const LINES_PER_CHUNK = 10_000;

interface Health {
  series: number;
  metrics_received: number;
  series_dropped: number;
  memory: { rssMB: number };
}

async function health(port: number): Promise<Health> {
  return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;
}

async function render(port: number, target: string): Promise<GraphiteSeries[]> {
  const q = new URLSearchParams({ target, from: '-10min', format: 'json' });
  return (await (await fetch(`http://127.0.0.1:${port}/render?${q}`)).json()) as GraphiteSeries[];
}

/** Writes on one TCP connection (lossless, unlike UDP, so the books must balance exactly), honouring backpressure. */
async function stream(port: number, chunks: Iterable<string>): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (const chunk of chunks) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

function* attack(): Generator<string> {
  for (let start = 0; start < ATTACK_NAMES; start += LINES_PER_CHUNK) {
    let chunk = 'victim.hits:1|c\n';
    for (let i = start; i < start + LINES_PER_CHUNK; i++) chunk += `attack.n${i}:1|c\n`;
    yield chunk;
  }
}

describe('cardinality attack', () => {
  it('holds the series cap against a million new names in a minute, counts the rest, and keeps existing series exact', async () => {
    const run = await spawnServe(
      serveArgs(join(dir, 'cardinality.db'), ['--flush-interval', '2s', '--max-series', String(CAP)]),
    );
    try {
      // Series that exist before the attack.
      await stream(run.statsdPort, ['victim.hits:1|c\nvictim.level:42|g\n']);
      await waitFor(async () => (await render(run.httpPort, 'stats.gauges.victim.level'))[0], 'the victim series');

      const started = Date.now();
      let answered = 0;
      const attacking = stream(run.statsdPort, attack());
      // The HTTP side must keep answering while the names pour in.
      while (!(await Promise.race([attacking.then(() => true), new Promise((r) => setTimeout(() => r(false), 250))]))) {
        if ((await fetch(`http://127.0.0.1:${run.httpPort}/health`)).ok) answered++;
      }
      const sentInMs = Date.now() - started;
      expect(sentInMs, 'a million names must arrive within one minute').toBeLessThan(60_000);
      expect(answered).toBeGreaterThan(0);

      const victimLines = ATTACK_NAMES / LINES_PER_CHUNK;
      const expectedLines = 2 + ATTACK_NAMES + victimLines;
      const after = await waitFor(
        async () => {
          const h = await health(run.httpPort);
          return h.metrics_received >= expectedLines ? h : undefined;
        },
        'every line to be read',
        60_000,
      );
      expect(after.metrics_received).toBe(expectedLines);

      // Every name past the cap is dropped and counted: admitted + dropped = the attack.
      const admitted = CAP - 2; // the two victim series were already held
      expect(after.series_dropped).toBe(ATTACK_NAMES - admitted);
      // The store holds at most the cap, plus the collector's own series (kept outside the cap).
      const stored = await waitFor(
        async () => {
          const h = await health(run.httpPort);
          return h.series >= CAP ? h.series : undefined;
        },
        'the admitted series to be flushed',
        60_000,
      );
      expect(stored).toBeLessThan(CAP + 50);
      expect(after.memory.rssMB).toBeLessThan(600);

      // The victims are untouched: every increment counted, the gauge intact.
      await waitFor(
        async () => total((await render(run.httpPort, 'stats.counters.victim.hits.count'))[0]) === 1 + victimLines,
        'the victim counter to be flushed in full',
        30_000,
      );
      const [level] = await render(run.httpPort, 'stats.gauges.victim.level');
      expect(level.datapoints.some(([v]) => v === 42)).toBe(true);
      // And new series are refused for as long as the cap is full.
      const [refused] = await render(run.httpPort, `stats.counters.attack.n${ATTACK_NAMES - 1}.count`);
      expect(refused).toBeUndefined();
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 180_000);
});
