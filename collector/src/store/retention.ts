/**
 * Carbon-style retention policy (`10s:6h,1m:7d,10m:5y`): which resolutions are kept for how long,
 * and which one a query reads from.
 */

import { ConfigError } from '../config-error.js';

export { ConfigError };

export interface RetentionTier {
  stepSec: number;
  retentionSec: number;
}

const UNIT_NAMES = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'years'] as const;
const UNIT_SECONDS: Record<(typeof UNIT_NAMES)[number], number> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
  weeks: 604_800,
  years: 31_536_000,
};

/** Whisper's rule: a unit is any prefix of its full name, so `m` and `min` are minutes. */
function unitSeconds(unit: string): number | undefined {
  if (unit === '') return undefined;
  const name = UNIT_NAMES.find((n) => n.startsWith(unit));
  return name === undefined ? undefined : UNIT_SECONDS[name];
}

/** Seconds in the coarsest unit that divides them evenly, e.g. 600 → `10m`. */
function formatSeconds(sec: number): string {
  for (const [unit, size] of [
    ['y', 31_536_000],
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (sec >= size && sec % size === 0) return `${sec / size}${unit}`;
  }
  return `${sec}s`;
}

function durationUnit(unit: string): number | undefined {
  if (unit === 'ms' || unit === 'msec' || unit === 'msecs') return 0.001;
  if (unit.startsWith('mil') && 'milliseconds'.startsWith(unit)) return 0.001;
  return unitSeconds(unit);
}

/**
 * A config duration: `10s`, `500ms`, `1.5m`, `2h`, `1d`, `1w`, `1y` → seconds (fractions allowed).
 * A bare number is refused: StatsD users write milliseconds where others write seconds.
 */
export function parseDuration(input: string, label?: string): number {
  const fail = (why: string) => new ConfigError(`${label ?? 'invalid duration'} ${JSON.stringify(input)}: ${why}`);
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/.exec(input.trim().toLowerCase());
  if (m === null) throw fail('expected a number and a unit, e.g. 10s or 500ms');
  const amount = Number(m[1]);
  const unit = m[2] as string;
  if (unit === '') throw fail('missing unit (ms, s, m, h, d, w or y)');
  const mult = durationUnit(unit);
  if (mult === undefined) throw fail(`unknown unit '${unit}' (ms, s, m, h, d, w or y)`);
  const sec = amount * mult;
  if (!Number.isFinite(sec)) throw fail('out of range');
  return sec;
}

function parseAmount(text: string): { amount: number; unit: number | undefined } | null {
  const m = /^(\d+)([a-z]*)$/.exec(text);
  if (m === null) return null;
  const unit = m[2] as string;
  return { amount: Number(m[1]), unit: unit === '' ? undefined : unitSeconds(unit) };
}

/**
 * Parses a retention spec, finest tier first: `step:retention[,…]`, each a number with a unit
 * (s, m/min, h, d, w, y). As in carbon, a unitless step is seconds and a unitless retention is a point count
 * (`60:1440` keeps 1440 one-minute points). Throws ConfigError naming the bad part.
 */
export function parseRetention(spec: string, label = '--retention'): RetentionTier[] {
  const fail = (why: string) => new ConfigError(`${label} ${JSON.stringify(spec)}: ${why}`);
  const text = spec.trim().toLowerCase();
  if (text === '') throw fail('no retention tiers');

  const tiers: RetentionTier[] = [];
  // How the user spelled each amount, for messages (a unitless point count is shown in seconds).
  const labels: { step: string; retention: string }[] = [];
  for (const rawPart of text.split(',')) {
    const part = rawPart.trim();
    if (part === '') throw fail('empty tier');
    const [stepText = '', retentionText, extra] = part.split(':').map((p) => p.trim());
    if (retentionText === undefined || extra !== undefined) throw fail(`tier "${part}" is not step:retention`);

    const step = parseAmount(stepText);
    if (step === null) throw fail(`bad step "${stepText}"`);
    if (step.unit === undefined && /[a-z]/.test(stepText)) throw fail(`unknown unit in step "${stepText}"`);
    const stepSec = step.amount * (step.unit ?? 1);
    if (!Number.isSafeInteger(stepSec) || stepSec < 1) throw fail(`step "${stepText}" must be at least 1s`);

    const ret = parseAmount(retentionText);
    if (ret === null) throw fail(`bad retention "${retentionText}"`);
    if (ret.unit === undefined && /[a-z]/.test(retentionText)) {
      throw fail(`unknown unit in retention "${retentionText}"`);
    }
    const retentionSec = ret.amount * (ret.unit ?? stepSec);
    if (!Number.isSafeInteger(retentionSec)) throw fail(`retention "${retentionText}" is out of range`);

    tiers.push({ stepSec, retentionSec });
    labels.push({
      step: step.unit === undefined ? formatSeconds(stepSec) : stepText,
      retention: ret.unit === undefined ? formatSeconds(retentionSec) : retentionText,
    });
  }

  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i] as RetentionTier;
    const { step, retention } = labels[i] as { step: string; retention: string };
    if (t.retentionSec < t.stepSec) throw fail(`retention ${retention} is shorter than its step ${step}`);
    if (i === 0) continue;
    const prev = tiers[i - 1] as RetentionTier;
    const { step: prevStep, retention: prevRetention } = labels[i - 1] as { step: string; retention: string };
    if (t.stepSec === prev.stepSec) throw fail(`step ${step} appears twice`);
    if (t.stepSec < prev.stepSec && prev.stepSec % t.stepSec === 0) {
      throw fail(`tiers must go from finest to coarsest, but ${step} comes after ${prevStep}`);
    }
    // Each coarse point must be built from whole fine points.
    if (t.stepSec % prev.stepSec !== 0) throw fail(`step ${step} is not a multiple of ${prevStep}`);
    if (t.retentionSec <= prev.retentionSec) {
      throw fail(`retention ${retention} of step ${step} must be longer than ${prevRetention} of step ${prevStep}`);
    }
  }
  return tiers;
}

/**
 * The tier a query starting at `fromSec` reads: the finest whose retention reaches back to it
 * (whisper's `retention >= now - from`), else the coarsest.
 */
export function pickTier(tiers: readonly RetentionTier[], fromSec: number, nowSec: number): RetentionTier {
  if (tiers.length === 0) throw new RangeError('pickTier needs at least one retention tier');
  const span = nowSec - fromSec;
  for (const t of tiers) if (t.retentionSec >= span) return t;
  return tiers[tiers.length - 1] as RetentionTier;
}
