import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantileSketch } from '../../collector/src/aggregate/sketch.js';
import { computeTimerStat, parseTimerStat, type TimerStat } from '../../collector/src/aggregate/timer-stats.js';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import { fetchLeaf } from '../../collector/src/query/fetch-series.js';
import { compileGlob } from '../../collector/src/query/glob.js';
import { NameIndex } from '../../collector/src/query/name-index.js';
import { CHUNK_POINTS, encodeValues, type StoredSummary, summaryView } from '../../collector/src/store/chunk-codec.js';
import type { RetentionTier } from '../../collector/src/store/retention.js';
import { SqliteReader } from '../../collector/src/store/sqlite-reader.js';
import { SqliteWriter } from '../../collector/src/store/sqlite-writer.js';
import { toWriteBatch } from '../../collector/src/store/write-batch.js';
import { tempDir } from '../support/collector.js';
import { ascendingEncoding } from '../support/sketch-v1.js';
import { inlineMomentsChunk } from '../support/timer-chunk-v2.js';

/** The store on a real SQLite file: flush writes, rollups into coarser tiers, retention, and reads through them. */

const tiers: RetentionTier[] = [
  { stepSec: 1, retentionSec: 3600 },
  { stepSec: 10, retentionSec: 86400 },
  { stepSec: 60, retentionSec: 365 * 86400 },
];
const base = 1_800_000_000; // aligned to 60 s
const minutes = 2;
const dir = tempDir();
const path = join(dir, 'store.db');
let writer: SqliteWriter;
let reader: SqliteReader;
const samples: number[] = [];

function batchAt(ts: number, i: number) {
  const timer = emptySummary();
  // Ten samples per second with a long tail, so percentiles differ from the mean.
  for (let j = 1; j <= 10; j++) {
    const v = (i % 7) + j * j;
    addSample(timer, v, 1);
    samples.push(v);
  }
  return toWriteBatch({
    ts,
    intervalSec: 1,
    counters: { keys: ['stats.counters.s.hits', 'stats.counters.s.hits;env=prod'], values: [1, 2] },
    gauges: { keys: ['stats.gauges.s.level'], values: [i] },
    sets: { keys: ['stats.sets.s.users'], values: [i % 5] },
    timers: { keys: ['stats.timers.s.lat'], summaries: [timer] },
    timed: [],
    events: [],
  });
}

beforeAll(() => {
  writer = SqliteWriter.open(path, tiers);
  for (let i = 0; i < minutes * 60; i++) {
    writer.write(batchAt(base + i, i));
    writer.maintain(base + i + 1);
  }
  reader = SqliteReader.open(path);
});

afterAll(() => {
  reader.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

function leaf(pattern: string, tags = '') {
  const index = new NameIndex([50, 90, 99]);
  for (const row of reader.listSeries()) index.add(row);
  const [found] = index.leaves(compileGlob(pattern), tags);
  expect(found).toBeDefined();
  return found;
}

/** Reads a leaf as a query would at `now`, so the tier is chosen by how far back `from` reaches. */
function read(pattern: string, from: number, now: number, tags = '') {
  const s = fetchLeaf(reader, leaf(pattern, tags), { from, until: base + minutes * 60, now }, tiers);
  return { step: s.step, values: [...s.values].filter((v) => !Number.isNaN(v)) };
}

describe('SQLite store', () => {
  it('stores every point at the finest tier', () => {
    const hits = read('stats.counters.s.hits.count', base - 1, base + 200);
    expect(hits.step).toBe(1);
    expect(hits.values).toHaveLength(120);
    expect(hits.values.every((v) => v === 1)).toBe(true);
    expect(read('stats.counters.s.hits.count', base - 1, base + 200, ';env=prod').values.every((v) => v === 2)).toBe(
      true,
    );
  });

  it('rolls counters up by sum, so rates stay true at every resolution', () => {
    const tenSec = read('stats.counters.s.hits.count', base - 1, base + 7200);
    expect(tenSec.step).toBe(10);
    expect(tenSec.values).toEqual(Array(12).fill(10));
    expect(read('stats.counters.s.hits.rate', base - 1, base + 7200).values).toEqual(Array(12).fill(1));
    const minute = read('stats.counters.s.hits.count', base - 1, base + 2 * 86400);
    expect(minute.step).toBe(60);
    expect(minute.values).toEqual([60, 60]);
    expect(read('stats.counters.s.hits.rate', base - 1, base + 2 * 86400).values).toEqual([1, 1]);
  });

  it('rolls gauges up by their last value and sets by their max', () => {
    expect(read('stats.gauges.s.level', base - 1, base + 2 * 86400).values).toEqual([59, 119]);
    expect(read('stats.sets.s.users.count', base - 1, base + 7200).values).toEqual(Array(12).fill(4));
  });

  it('merges timer summaries, so percentiles over rolled-up data are true percentiles', () => {
    const sorted = [...samples].sort((a, b) => a - b);
    const exact = (pct: number, from: number, to: number) => {
      const part = samples.slice(from, to).sort((a, b) => a - b);
      return part[Math.round((pct / 100) * part.length) - 1];
    };
    const minute = (stat: string) => read(`stats.timers.s.lat.${stat}`, base - 1, base + 2 * 86400);
    expect(minute('count').values).toEqual([600, 600]);
    expect(minute('upper').values).toEqual([sorted.at(-1), sorted.at(-1)]);
    expect(minute('lower').values).toEqual([1, 1]);
    const [p99a, p99b] = minute('upper_99').values;
    expect(Math.abs(p99a - exact(99, 0, 600)) / exact(99, 0, 600)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(p99b - exact(99, 600, 1200)) / exact(99, 600, 1200)).toBeLessThanOrEqual(0.01);
    const [p50] = minute('upper_50').values;
    expect(Math.abs(p50 - exact(50, 0, 600)) / exact(50, 0, 600)).toBeLessThanOrEqual(0.01);
    const mean = minute('mean').values[0];
    expect(mean).toBeCloseTo(samples.slice(0, 600).reduce((a, b) => a + b, 0) / 600, 9);
  });

  it('merges a second write into the same bucket instead of replacing it', () => {
    const dir2 = tempDir();
    const w = SqliteWriter.open(join(dir2, 'merge.db'), tiers);
    w.write(batchAt(base, 0));
    w.write(batchAt(base, 0));
    w.close();
    const r = SqliteReader.open(join(dir2, 'merge.db'));
    const counter = r.listSeries().find((s) => s.name === 'stats.counters.s.hits' && s.tags === '');
    expect(r.readValues(counter?.id ?? -1, 1, base, base)).toEqual([[base, 2]]);
    const timer = r.listSeries().find((s) => s.name === 'stats.timers.s.lat');
    const [row] = r.readSummaries(timer?.id ?? -1, 1, base, base);
    expect(row[1]).toBe(20); // count
    r.close();
    rmSync(dir2, { recursive: true, force: true });
  });

  it('rebuilds the newest coarse buckets, not yet rolled up, from the finer tiers', () => {
    const dir2 = tempDir();
    const file = join(dir2, 'fresh.db');
    const w = SqliteWriter.open(file, tiers);
    for (let i = 0; i < 90; i++) {
      w.write(batchAt(base + i, i));
      w.maintain(base + i + 1);
    }
    const r = SqliteReader.open(file);
    const index = new NameIndex([99]);
    for (const row of r.listSeries()) index.add(row);
    const now = base + 90;
    // Reaching back two days reads the one-minute tier, whose second bucket isn't rolled up yet.
    const range = { from: base - 2 * 86400, until: now, now };
    const read = (path: string) => {
      const [found] = index.leaves(compileGlob(path));
      const s = fetchLeaf(r, found, range, tiers);
      expect(s.step).toBe(60);
      return [...s.values].filter((v) => !Number.isNaN(v));
    };
    expect(read('stats.counters.s.hits.count')).toEqual([60, 30]);
    expect(read('stats.gauges.s.level')).toEqual([59, 89]);
    expect(read('stats.timers.s.lat.count')).toEqual([600, 300]);
    r.close();
    w.close();
    rmSync(dir2, { recursive: true, force: true });
  });

  it('seals finished chunks into one row per series and reads them back unchanged', () => {
    const dir2 = tempDir();
    const file = join(dir2, 'sealed.db');
    const w = SqliteWriter.open(file, tiers);
    for (let i = 0; i < 800; i++) {
      w.write(batchAt(base + i, i));
      w.maintain(base + i + 1);
    }
    // A late point for a sealed second merges into its chunk at the next seal, as the hot upsert would.
    w.write({ ...batchAt(base + 5, 5), ts: base + 5, timers: { keys: [], stats: new Float64Array(0), sketches: [] } });
    for (let i = 0; i < 40; i++) w.maintain(base + 801);
    const db = new Database(file, { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM chunks_1')).toBeGreaterThanOrEqual(2 * 4);
    expect(count('SELECT count(*) AS n FROM timer_chunks_1')).toBe(2);
    expect(count('SELECT min(ts) AS n FROM points_1')).toBe(base + 720);
    db.close();
    const r = SqliteReader.open(file);
    const index = new NameIndex([99]);
    for (const row of r.listSeries()) index.add(row);
    const range = { from: base - 1, until: base + 799, now: base + 800 };
    const read = (path: string) => {
      const [found] = index.leaves(compileGlob(path));
      return [...fetchLeaf(r, found, range, tiers).values];
    };
    const hits = read('stats.counters.s.hits.count');
    expect(hits).toHaveLength(800);
    expect(hits[5]).toBe(2);
    expect(hits.filter((_, i) => i !== 5).every((v) => v === 1)).toBe(true);
    expect(read('stats.gauges.s.level')).toEqual(Array.from({ length: 800 }, (_, i) => i));
    expect(read('stats.timers.s.lat.count').every((v) => v === 10)).toBe(true);
    expect(read('stats.timers.s.lat.upper')).toEqual(Array.from({ length: 800 }, (_, i) => (i % 7) + 100));
    r.close();
    w.close();
    rmSync(dir2, { recursive: true, force: true });
  });

  it('computes timer stats over hot rows from their sketches joined in one blob, as from each row', () => {
    const dir2 = tempDir();
    const file = join(dir2, 'hot.db');
    const w = SqliteWriter.open(file, tiers);
    for (let i = 0; i < 30; i++) {
      const timer = emptySummary();
      // Sizes and spreads differ per interval, so a sketch read at the wrong offset gives another answer;
      // every fifth interval is idle (no sketch at all).
      if (i % 5 !== 2) for (let j = 1; j <= 5 + i * 3; j++) addSample(timer, (j * (i + 1)) % 97, 1);
      w.write(
        toWriteBatch({
          ts: base + i,
          intervalSec: 1,
          counters: { keys: [], values: [] },
          gauges: { keys: [], values: [] },
          sets: { keys: [], values: [] },
          timers: { keys: ['stats.timers.h.lat'], summaries: [timer] },
          timed: [],
          events: [],
        }),
      );
    }
    const r = SqliteReader.open(file);
    const [series] = r.listSeries();
    const rows = r.readSummaries(series.id, 1, base, base + 29);
    expect(rows).toHaveLength(30);
    for (const name of ['upper_99', 'upper_90', 'median', 'upper_50', 'mean_90', 'count', 'mean', 'std']) {
      const stat = parseTimerStat(name) as TimerStat;
      const got = new Float64Array(30).fill(Number.NaN);
      r.readTimerStatInto(series.id, 1, base, got, stat);
      const expected = rows.map((row) => computeTimerStat(stat, summaryView(row), 1));
      expect([...got], name).toEqual(expected);
    }
    r.close();
    w.close();
    rmSync(dir2, { recursive: true, force: true });
  });

  it('reads timer chunks sealed before sketch tails existed (no sketches column, version 1 sketches)', () => {
    const dir2 = tempDir();
    const file = join(dir2, 'old.db');
    SqliteWriter.open(file, tiers).close();
    const sketch = new QuantileSketch();
    const values = Array.from({ length: 200 }, (_, i) => 1 + ((i * 37) % 500));
    for (const v of values) sketch.add(v);
    const sum = values.reduce((a, b) => a + b, 0);
    const stored: StoredSummary = [200, 200, sum, 0, 0, 1, 500, ascendingEncoding(sketch)];
    const old = inlineMomentsChunk([[3, stored]], false);
    const db = new Database(file);
    db.exec(`DROP TABLE timer_chunks_1;
      CREATE TABLE timer_chunks_1 (series_id INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (series_id, start)) WITHOUT ROWID;`);
    db.prepare('INSERT INTO timer_chunks_1 (series_id, start, data) VALUES (7, ?, ?)').run(base, old.data);
    db.close();
    const w = SqliteWriter.open(file, tiers);
    const r = SqliteReader.open(file);
    const read = (name: string) => {
      const out = new Float64Array(5).fill(Number.NaN);
      r.readTimerStatInto(7, 1, base, out, parseTimerStat(name) as TimerStat);
      return out[3];
    };
    expect(read('upper_99')).toBe(sketch.valueAtRank(198));
    expect(read('median')).toBe((sketch.valueAtRank(100) + sketch.valueAtRank(101)) / 2);
    expect(read('mean')).toBe(sum / 200);
    expect(r.readSummaries(7, 1, base, base + 4).map((row) => row[2])).toEqual([200]);
    r.close();
    w.close();
    rmSync(dir2, { recursive: true, force: true });
  });

  it('rebuilds WITHOUT ROWID chunk tables as rowid tables on open, keeping every chunk', () => {
    const dir2 = tempDir();
    const file = join(dir2, 'rowid.db');
    SqliteWriter.open(file, tiers).close();
    const values = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
    values[2] = 42.5;
    values[7] = -1;
    const sketch = new QuantileSketch();
    for (let v = 1; v <= 50; v++) sketch.add(v);
    // Chunks of that time: sketch tails apart, moments inline.
    const timer = inlineMomentsChunk([[3, [50, 50, 1275, 42925, 10412.5, 1, 50, sketch.encode()]]], true);
    const db = new Database(file);
    db.exec(`DROP TABLE chunks_1; DROP TABLE timer_chunks_1;
      CREATE TABLE chunks_1 (series_id INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (series_id, start)) WITHOUT ROWID;
      CREATE TABLE timer_chunks_1 (series_id INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
        sketches BLOB, PRIMARY KEY (series_id, start)) WITHOUT ROWID;
      CREATE INDEX chunks_1_start ON chunks_1 (start);`);
    db.prepare('INSERT INTO chunks_1 VALUES (5, ?, ?)').run(base, encodeValues(values));
    db.prepare('INSERT INTO timer_chunks_1 VALUES (7, ?, ?, ?)').run(base, timer.data, timer.sketches);
    db.close();
    SqliteWriter.open(file, tiers).close();
    const check = new Database(file, { readonly: true });
    const layout = check
      .prepare("SELECT name, sql FROM sqlite_master WHERE tbl_name IN ('chunks_1', 'timer_chunks_1') ORDER BY name")
      .all() as Array<{ name: string; sql: string }>;
    check.close();
    expect(layout.map((t) => t.name)).toEqual([
      'chunks_1',
      'chunks_1_key',
      'chunks_1_start',
      'timer_chunks_1',
      'timer_chunks_1_key',
      'timer_chunks_1_start',
    ]);
    expect(layout.some((t) => /WITHOUT ROWID/i.test(t.sql))).toBe(false);
    const r = SqliteReader.open(file);
    expect(r.readValues(5, 1, base, base + 10)).toEqual([
      [base + 2, 42.5],
      [base + 7, -1],
    ]);
    const stat = (name: string) => {
      const out = new Float64Array(5).fill(Number.NaN);
      r.readTimerStatInto(7, 1, base, out, parseTimerStat(name) as TimerStat);
      return out[3];
    };
    expect([stat('upper'), stat('mean'), stat('sum_squares'), stat('median')]).toEqual([
      50,
      25.5,
      42925,
      (sketch.valueAtRank(25) + sketch.valueAtRank(26)) / 2,
    ]);
    r.close();
    rmSync(dir2, { recursive: true, force: true });
  });

  it('deletes what retention no longer keeps, and keeps the coarser copy', () => {
    const later = base + minutes * 60 + 3600 + 120;
    writer.maintain(later);
    const db = new Database(path, { readonly: true });
    const fine = db.prepare('SELECT count(*) AS n FROM points_1').get() as { n: number };
    const coarse = db.prepare('SELECT count(*) AS n FROM points_60').get() as { n: number };
    db.close();
    expect(fine.n).toBe(0);
    expect(coarse.n).toBeGreaterThan(0);
    expect(read('stats.counters.s.hits.count', base - 1, later).values).toEqual(Array(12).fill(10));
  });
});
