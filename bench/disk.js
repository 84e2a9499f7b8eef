import { mkdirSync, statSync } from 'node:fs';
import { median, rng } from './lib/stats.js';
import { Database, makeBatch, names, parseRetention, SqliteWriter, timerInterval } from './lib/store.js';

/**
 * Target 4: bytes on disk per stored point and per timer interval, written by the real SqliteWriter
 * (1 h of 10 s flushes), measured with SQLite's dbstat table before and after VACUUM. Compared with Whisper:
 * 12 bytes a point, and the 29 series (9 + 5 per percentile for 50,90,95,99) a timer interval replaces.
 */

export const title = 'Disk: bytes per stored row in the 10 s tier (real writer, 1 h of flushes)';

const WHISPER_POINT = 12;
const ETSY_TIMER_SERIES = 9 + 5 * 4;
const INTERVALS = 360;

/** Each dataset is its own file, so a table's bytes belong to one kind of row only. */
const DATASETS = [
  {
    id: 'points',
    what: 'counter/gauge/set point',
    table: 'points_10',
    keys: { counters: 1000, gauges: 1000, sets: 200 },
  },
  { id: 'timer10', what: 'timer interval, 10 samples', table: 'timers_10', keys: { timers: 200 }, samples: 10 },
  { id: 'timer100', what: 'timer interval, 100 samples', table: 'timers_10', keys: { timers: 200 }, samples: 100 },
  { id: 'timer1000', what: 'timer interval, 1,000 samples', table: 'timers_10', keys: { timers: 100 }, samples: 1000 },
];

function keysFor(spec) {
  const out = {};
  for (const [kind, count] of Object.entries(spec.keys)) out[kind] = names(`stats.${kind}.bench.disk.${kind}.m`, count);
  return out;
}

function write(path, spec, seed) {
  const random = rng(seed);
  const keys = keysFor(spec);
  const writer = SqliteWriter.open(path, parseRetention('10s:6h,1m:7d,10m:5y'));
  const start = Math.floor(Date.now() / 1000 / 10) * 10 - INTERVALS * 10;
  try {
    for (let k = 0; k < INTERVALS; k++) {
      const value = (kind, i) => (kind === 'gauges' ? 100 + i + random() * 10 : Math.floor(random() * 500));
      writer.write(makeBatch(start + k * 10, 10, keys, value, () => timerInterval(random, spec.samples)));
    }
  } finally {
    writer.close();
  }
}

function tableBytes(db, table) {
  const row = db.prepare('SELECT SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat WHERE name = ?').get(table);
  return { bytes: row.bytes, payload: row.payload };
}

function measure(path, table) {
  const db = new Database(path);
  try {
    const rows = db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n;
    const before = tableBytes(db, table);
    db.exec('VACUUM');
    const after = tableBytes(db, table);
    const sketch = table.startsWith('timers')
      ? db.prepare(`SELECT AVG(length(sketch)) AS b FROM ${table}`).get().b
      : null;
    return {
      rows,
      perRowBefore: before.bytes / rows,
      perRowAfter: after.bytes / rows,
      payloadPerRow: after.payload / rows,
      sketchBytes: sketch,
      fileBytesAfterVacuum: statSync(path).size,
    };
  } finally {
    db.close();
  }
}

export async function run(ctx) {
  const dir = `${ctx.tmp}/disk`;
  mkdirSync(dir, { recursive: true });
  const runs = [];
  for (let r = 1; r <= ctx.runs; r++) {
    const result = {};
    for (const spec of DATASETS) {
      const path = `${dir}/${spec.id}-${r}.db`;
      write(path, spec, r);
      result[spec.id] = measure(path, spec.table);
    }
    runs.push(result);
    ctx.log(
      `disk run ${r}: ${JSON.stringify(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Math.round(v.perRowAfter)])))}`,
    );
  }
  const rows = DATASETS.map((spec) => {
    const m = (f) => median(runs.map((r) => f(r[spec.id])));
    const after = m((x) => x.perRowAfter);
    const whisper = spec.id === 'points' ? WHISPER_POINT : WHISPER_POINT * ETSY_TIMER_SERIES;
    const sketch = spec.id === 'points' ? '' : `, sketch ${m((x) => x.sketchBytes).toFixed(0)} B`;
    return {
      what: spec.what,
      value: after,
      unit: 'B',
      runs: ctx.runs,
      // The issue sets a limit for timer intervals only; points are reported against Whisper's 12 B.
      target: spec.id === 'points' ? `report (Whisper ${whisper} B)` : `≤ Whisper ${whisper} B`,
      pass: spec.id === 'points' ? undefined : after <= whisper,
      note: `before VACUUM ${m((x) => x.perRowBefore).toFixed(1)} B; payload ${m((x) => x.payloadPerRow).toFixed(1)} B${sketch}`,
    };
  });
  return {
    title,
    rows,
    notes: [
      `dbstat page bytes of the table / rows, after VACUUM (before VACUUM in the note: pages as the writer leaves them). Whisper: ${WHISPER_POINT} B a point; a timer interval replaces ${ETSY_TIMER_SERIES} etsy series = ${WHISPER_POINT * ETSY_TIMER_SERIES} B.`,
    ],
    raw: { intervals: INTERVALS, runs },
  };
}
