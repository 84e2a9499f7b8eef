import type Database from 'better-sqlite3';
import { QuantileSketch } from '../aggregate/sketch.js';
import { mergeM2 } from '../aggregate/timer-summary.js';
import {
  CHUNK_POINTS,
  chunkSpan,
  chunkStart,
  decodeSummaries,
  decodeValues,
  encodeSummaries,
  encodeValues,
  type StoredSummary,
  type TimerChunk,
} from './chunk-codec.js';
import type { RetentionTier } from './retention.js';
import { pointsTable, timerChunksTable, timersTable, valueChunksTable } from './schema.js';
import { SeriesKind } from './series-kind.js';
import type { Db } from './sqlite-open.js';
import type { SummaryRow } from './sqlite-reader.js';

/**
 * Moves finished stretches of hot rows into sealed chunks, a few series per call, round robin, so the
 * work is spread over the flushes of a chunk span instead of landing on one. Sealing is only an
 * optimisation for readers and for disk: until a chunk is sealed its points are read from the hot rows.
 */
export class ChunkSealer {
  /** Per tier, the last series id sealed; the next call continues after it. */
  private readonly cursor = new Map<number, number>();
  private readonly nextSeries: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly tiers: readonly RetentionTier[],
    private readonly flushIntervalSec: () => number,
  ) {
    this.nextSeries = db.prepare('SELECT id, kind FROM series WHERE id > ? ORDER BY id LIMIT ?');
  }

  /** Seals, in every tier, the chunks that ended by `completeUntil` for the next slice of series. */
  sealSome(completeUntil: number, seriesCount: number): void {
    for (const tier of this.tiers) {
      const span = chunkSpan(tier.stepSec);
      const boundary = chunkStart(completeUntil, tier.stepSec);
      // Twice the series a span's worth of calls must cover, so sealing keeps ahead of new chunks.
      const perCall = Math.ceil((seriesCount * Math.max(this.flushIntervalSec(), 1) * 2) / span) + 16;
      let rows = this.nextSeries.all(this.cursor.get(tier.stepSec) ?? 0, perCall) as Array<{
        id: number;
        kind: SeriesKind;
      }>;
      if (rows.length < perCall) {
        this.cursor.set(tier.stepSec, 0);
        if (rows.length === 0) rows = this.nextSeries.all(0, perCall) as typeof rows;
      }
      if (rows.length === 0) continue;
      this.db.transaction(() => {
        for (const { id, kind } of rows) {
          if (kind === SeriesKind.Timer) this.sealTimer(id, tier.stepSec, boundary);
          else this.sealValues(id, kind, tier.stepSec, boundary);
        }
      })();
      if (rows.length === perCall) this.cursor.set(tier.stepSec, rows[rows.length - 1].id);
    }
  }

  private sealValues(id: number, kind: SeriesKind, step: number, boundary: number): void {
    const hot = pointsTable(step);
    const rows = this.stmt(`SELECT ts, value FROM ${hot} WHERE series_id = ? AND ts < ? ORDER BY ts`)
      .raw(true)
      .all(id, boundary) as Array<[number, number]>;
    if (rows.length === 0) return;
    const chunks = valueChunksTable(step);
    const read = this.stmt(`SELECT data FROM ${chunks} WHERE series_id = ? AND start = ?`);
    const write = this.stmt(`INSERT OR REPLACE INTO ${chunks} (series_id, start, data) VALUES (?, ?, ?)`);
    for (const [start, points] of byChunk(rows, step)) {
      const existing = read.get(id, start) as { data: Uint8Array } | undefined;
      const values = existing ? decodeValues(existing.data) : new Float64Array(CHUNK_POINTS).fill(Number.NaN);
      for (const [ts, v] of points) {
        const i = (ts - start) / step;
        values[i] = mergeValue(kind, values[i], v);
      }
      const data = encodeValues(values);
      if (data) write.run(id, start, data);
    }
    this.stmt(`DELETE FROM ${hot} WHERE series_id = ? AND ts < ?`).run(id, boundary);
  }

  private sealTimer(id: number, step: number, boundary: number): void {
    const hot = timersTable(step);
    const rows = this.stmt(
      `SELECT ts, count, n, sum, sumsq, m2, min, max, sketch FROM ${hot} WHERE series_id = ? AND ts < ? ORDER BY ts`,
    )
      .raw(true)
      .all(id, boundary) as SummaryRow[];
    if (rows.length === 0) return;
    const chunks = timerChunksTable(step);
    const read = this.stmt(`SELECT data, sketches, moments FROM ${chunks} WHERE series_id = ? AND start = ?`);
    const write = this.stmt(
      `INSERT OR REPLACE INTO ${chunks} (series_id, start, data, sketches, moments) VALUES (?, ?, ?, ?, ?)`,
    );
    for (const [start, points] of byChunk(rows, step)) {
      const existing = read.get(id, start) as TimerChunk | undefined;
      const entries = new Map<number, StoredSummary>();
      for (const [ts, ...summary] of existing ? decodeSummaries(existing, start, step) : []) {
        // Copy the sketch out of the blob it views, which SQLite may reuse.
        const sketch = summary[7];
        entries.set((ts - start) / step, [...summary.slice(0, 7), sketch ? sketch.slice() : null] as StoredSummary);
      }
      for (const [ts, ...summary] of points) {
        const i = (ts - start) / step;
        const prev = entries.get(i);
        entries.set(i, prev ? mergeStored(prev, summary) : summary);
      }
      const chunk = encodeSummaries([...entries].sort((a, b) => a[0] - b[0]));
      write.run(id, start, chunk.data, chunk.sketches, chunk.moments);
    }
    this.stmt(`DELETE FROM ${hot} WHERE series_id = ? AND ts < ?`).run(id, boundary);
  }

  private readonly statements = new Map<string, Database.Statement>();

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function byChunk<T extends [number, ...unknown[]]>(rows: readonly T[], step: number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const start = chunkStart(row[0], step);
    const list = out.get(start);
    if (list) list.push(row);
    else out.set(start, [row]);
  }
  return out;
}

/** A late hot row meeting a sealed point combines as the hot upsert would have. */
function mergeValue(kind: SeriesKind, current: number, incoming: number): number {
  if (Number.isNaN(current)) return incoming;
  if (kind === SeriesKind.Counter) return current + incoming;
  if (kind === SeriesKind.Set) return Math.max(current, incoming);
  return incoming;
}

function mergeStored(a: StoredSummary, b: StoredSummary): StoredSummary {
  const [countA, nA, sumA, sumsqA, m2A, minA, maxA, sketchA] = a;
  const [countB, nB, sumB, sumsqB, m2B, minB, maxB, sketchB] = b;
  let sketch = sketchA ?? sketchB;
  if (sketchA && sketchB) {
    const merged = QuantileSketch.decode(sketchA);
    merged.merge(QuantileSketch.decode(sketchB));
    sketch = merged.encode();
  }
  const pick = (x: number | null, y: number | null, f: (p: number, q: number) => number) =>
    x === null ? y : y === null ? x : f(x, y);
  return [
    countA + countB,
    nA + nB,
    sumA + sumB,
    sumsqA + sumsqB,
    mergeM2(nA, sumA, m2A, nB, sumB, m2B),
    pick(minA, minB, Math.min),
    pick(maxA, maxB, Math.max),
    sketch,
  ];
}
