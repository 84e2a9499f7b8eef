import { expect } from 'vitest';
import { Evaluator } from '../../collector/src/query/evaluator.js';
import type { TimeRange } from '../../collector/src/query/fetch-series.js';
import { createRegistry } from '../../collector/src/query/functions/index.js';
import { compileGlob, matchesGlob } from '../../collector/src/query/glob.js';
import type { TimeSeries } from '../../collector/src/query/series.js';

/**
 * Golden cases: literal input series, one target, and the exact output names and values graphite-web
 * gives. Every input series starts at START with one point per STEP unless it says otherwise.
 */

export const START = 1_200_000_000;
export const STEP = 60;

export interface GoldenInput {
  values: Array<number | null>;
  step?: number;
  start?: number;
  tags?: Record<string, string>;
}

export interface GoldenCase {
  /** What the case shows, for the test's title. */
  title: string;
  target: string;
  input: Record<string, Array<number | null> | GoldenInput>;
  /** Range end; defaults to the last point of the longest input. */
  until?: number;
  from?: number;
  expect?: Array<{
    name: string;
    values: Array<number | null>;
    step?: number;
    start?: number;
    tags?: Record<string, string>;
  }>;
  /** The evaluation must fail with a message matching this. */
  error?: RegExp;
  /** Event times for events(). */
  events?: number[];
}

function inputs(c: GoldenCase): Map<string, Required<Omit<GoldenInput, 'tags'>> & { tags?: Record<string, string> }> {
  const out = new Map();
  for (const [name, raw] of Object.entries(c.input)) {
    const i = Array.isArray(raw) ? { values: raw } : raw;
    out.set(name, { values: i.values, step: i.step ?? STEP, start: i.start ?? START, tags: i.tags });
  }
  return out;
}

/** Reads literal series the way the store reads: buckets in (from, until] on the series' step. */
function fetchLiteral(all: ReturnType<typeof inputs>, path: string, range: TimeRange): TimeSeries[] {
  const glob = compileGlob(path);
  const out: TimeSeries[] = [];
  for (const [name, s] of [...all.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!matchesGlob(glob, name)) continue;
    const start = range.from - (range.from % s.step) + s.step;
    const end = range.until - (range.until % s.step) + s.step;
    const values = new Float64Array(Math.max(0, (end - start) / s.step)).fill(Number.NaN);
    for (let i = 0; i < values.length; i++) {
      const k = (start + i * s.step - s.start) / s.step;
      const v = s.values[k];
      if (Number.isInteger(k) && v !== undefined && v !== null) values[i] = v;
    }
    out.push({
      name,
      // As graphite's TimeSeries: the name tag is the path without its `;tag=value` suffix.
      tags: { ...(s.tags ?? {}), name: name.split(';')[0] },
      pathExpression: path,
      start,
      end,
      step: s.step,
      values,
      consolidationFunc: 'average',
      xFilesFactor: 0,
    });
  }
  return out;
}

export function evaluateCase(c: GoldenCase): TimeSeries[] {
  const all = inputs(c);
  const lastPoint = Math.max(START, ...[...all.values()].map((s) => s.start + (s.values.length - 1) * s.step));
  const until = c.until ?? lastPoint;
  const from = c.from ?? START - STEP;
  const evaluator = new Evaluator(createRegistry(), {
    fetch: (path, range) => fetchLiteral(all, path, range),
    seriesByTag: (expressions, range) => {
      const matchers = expressions.map((e) => {
        const m = /^([^!=~]+)(!=~|=~|!=|=)(.*)$/.exec(e);
        if (!m) throw new Error(`bad tag expression ${e}`);
        return { tag: m[1], op: m[2], value: m[3] };
      });
      const names = [...all.entries()]
        .filter(([name, s]) => {
          const tags: Record<string, string> = { ...(s.tags ?? {}), name };
          return matchers.every(({ tag, op, value }) => {
            const v = tags[tag] ?? '';
            if (op === '=') return v === value;
            if (op === '!=') return v !== value;
            const re = new RegExp(`^(?:${value})`);
            return op === '=~' ? re.test(v) : !re.test(v);
          });
        })
        .map(([name]) => name);
      return names.flatMap((n) => fetchLiteral(all, n, range));
    },
    eventTimes: () => c.events ?? [],
  });
  return evaluator.evaluateTargets([c.target], { from, until, now: until });
}

export function checkCase(c: GoldenCase): void {
  if (c.error) {
    expect(() => evaluateCase(c)).toThrow(c.error);
    return;
  }
  const result = evaluateCase(c);
  const got = result.map((s) => ({
    name: s.name,
    values: [...s.values].map((v) => (Number.isNaN(v) ? null : v)),
    step: s.step,
    start: s.start,
    tags: s.tags,
  }));
  const want = (c.expect ?? []).map((e, i) => ({
    name: e.name,
    values: e.values,
    step: e.step ?? got[i]?.step,
    start: e.start ?? got[i]?.start,
    tags: e.tags ?? got[i]?.tags,
  }));
  expect(got.map((g) => g.name)).toEqual(want.map((w) => w.name));
  for (let i = 0; i < want.length; i++) {
    expect(got[i].step).toBe(want[i].step);
    expect(got[i].start).toBe(want[i].start);
    expect(got[i].tags).toEqual(want[i].tags);
    expect(got[i].values.length).toBe(want[i].values.length);
    got[i].values.forEach((v, j) => {
      const w = want[i].values[j];
      if (w === null || v === null) expect(v, `${want[i].name}[${j}]`).toBe(w);
      else expect(v, `${want[i].name}[${j}]`).toBeCloseTo(w, 9);
    });
  }
}
