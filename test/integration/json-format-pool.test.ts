import { afterEach, describe, expect, it } from 'vitest';
// The pool starts real worker threads from the built files.
import { JsonFormatPool } from '../../collector/dist/query/json-format-pool.js';
import { formatJson, type JsonBody } from '../../collector/dist/query/render-format.js';
import type { TimeSeries } from '../../collector/src/query/series.js';

function series(name: string, n: number, value: (i: number) => number): TimeSeries {
  const values = Float64Array.from({ length: n }, (_, i) => value(i));
  return {
    name,
    tags: { name, env: 'prod ünïcode' },
    pathExpression: name,
    start: 1_796_000_000,
    end: 1_796_000_000 + n * 10,
    step: 10,
    values,
    consolidationFunc: 'average',
    xFilesFactor: 0,
  };
}

/** Counters, random gauges, and series that are null throughout (dropped by noNullPoints) at both ends. */
function dashboard(): TimeSeries[] {
  return [
    series('stats.gauges.empty.first', 500, () => Number.NaN),
    ...Array.from({ length: 7 }, (_, k) =>
      series(`stats.counters.c${k}.count`, 3000, (i) => (i % 97 === 0 ? Number.NaN : (i * (k + 3)) % 101)),
    ),
    ...Array.from({ length: 5 }, (_, k) => series(`stats.gauges.g${k}`, 3000, (i) => 50 + k + Math.sin(i * 7.3) * 9.7)),
    series('stats.gauges.empty.last', 500, () => Number.NaN),
  ];
}

/** The body as one buffer; its stated length must be the pieces' sum. */
function bytes(body: JsonBody): Buffer {
  const joined = Buffer.concat(body.pieces);
  expect(joined.length).toBe(body.length);
  return joined;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('JsonFormatPool', () => {
  let pool: JsonFormatPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('writes the same bytes across threads as on one, for every option', async () => {
    pool = new JsonFormatPool({ threads: 2, minPoints: 1 });
    const list = dashboard();
    // The first large body is formatted here while the threads start.
    expect(bytes(await pool.format(list, {})).equals(formatJson(list, {}))).toBe(true);
    await until('the formatting threads', () => pool?.running === 2);
    for (const opts of [{}, { noNullPoints: true }, { maxDataPoints: 700 }, { maxDataPoints: 1 }]) {
      const body = bytes(await pool.format(list, opts));
      expect(body.equals(formatJson(list, opts)), JSON.stringify(opts)).toBe(true);
      expect(() => JSON.parse(body.toString())).not.toThrow();
    }
    expect(pool.running).toBe(2);
    expect(bytes(await pool.format([], {})).toString()).toBe('[]');
    expect(bytes(await pool.format([series('a', 0, () => 0)], {})).toString()).toBe('[]');
  });

  it('writes large bodies into kept buffers, which come back only when the body is released', async () => {
    pool = new JsonFormatPool({ threads: 1, minPoints: 1 });
    const list = dashboard();
    const other = list.map((s) => ({ ...s, values: s.values.map((v) => v * 3 + 0.25) }));
    await pool.format(list, {});
    await until('the formatting thread', () => pool?.running === 1);
    // Two bodies held at once write into different buffers: neither overwrites the other.
    const first = await pool.format(list, {});
    // What the thread's share of values was copied into comes back at once; the body's buffers don't.
    const valuesOnly = pool.keptBytes;
    expect(valuesOnly).toBeGreaterThan(0);
    const second = await pool.format(other, {});
    expect(bytes(first).equals(formatJson(list, {}))).toBe(true);
    expect(bytes(second).equals(formatJson(other, {}))).toBe(true);
    expect(pool.keptBytes).toBe(valuesOnly);
    first.release();
    const kept = pool.keptBytes;
    expect(kept).toBeGreaterThan(valuesOnly);
    // Released twice: nothing more comes back.
    first.release();
    expect(pool.keptBytes).toBe(kept);
    // The next body takes the released buffers; the one still held is untouched.
    const third = await pool.format(other, { noNullPoints: true });
    expect(pool.keptBytes).toBe(valuesOnly);
    expect(bytes(third).equals(formatJson(other, { noNullPoints: true }))).toBe(true);
    expect(bytes(second).equals(formatJson(other, {}))).toBe(true);
    second.release();
    third.release();
    expect(pool.keptBytes).toBeGreaterThan(kept);
  });

  it('keeps small bodies on the caller’s thread and starts no thread for them', async () => {
    pool = new JsonFormatPool({ threads: 1, minPoints: 100_000 });
    const list = dashboard();
    expect(bytes(await pool.format(list, {})).equals(formatJson(list, {}))).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(pool.running).toBe(0);
  });

  it('formats a share itself when its thread goes away mid-request, and stops idle threads', async () => {
    pool = new JsonFormatPool({ threads: 1, minPoints: 1, idleMs: 300 });
    const list = dashboard();
    await pool.format(list, {});
    await until('the formatting thread', () => pool?.running === 1);
    // Shares go round robin: the thread gets the two long series, this thread the two short ones, so
    // close() terminates the thread while it is still busy with its share. The answer is still whole.
    const lopsided = [
      series('short.a', 10, (i) => i),
      series('long.a', 400_000, (i) => i / 7),
      series('short.b', 10, (i) => i),
      series('long.b', 400_000, (i) => i / 3),
    ];
    const inFlight = pool.format(lopsided, {});
    const closing = pool.close();
    expect(bytes(await inFlight).equals(formatJson(lopsided, {}))).toBe(true);
    await closing;
    expect(pool.running).toBe(0);

    pool = new JsonFormatPool({ threads: 1, minPoints: 1, idleMs: 300 });
    await pool.format(list, {});
    await until('the formatting thread', () => pool?.running === 1);
    (await pool.format(list, {})).release();
    expect(pool.keptBytes).toBeGreaterThan(0);
    // A body still held when the threads stop as idle is not kept after them.
    const slow = await pool.format(list, {});
    await until('the idle thread to stop', () => pool?.running === 0);
    expect(pool.keptBytes).toBe(0);
    slow.release();
    expect(pool.keptBytes).toBe(0);
    // And the next large body starts it again.
    await pool.format(list, {});
    await until('the thread to start again', () => pool?.running === 1);
  });
});
