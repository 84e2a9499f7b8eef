/**
 * A view's time range, kept as Graphite time strings (`-1h`, `now`, or epoch seconds) so the URL says what the
 * user chose and relative ranges stay relative on refresh. The browser resolves them only to place the x axis.
 */

export interface TimeRange {
  from: string;
  until: string;
}

export interface Preset {
  label: string;
  from: string;
}

export const PRESETS: readonly Preset[] = [
  { label: 'Last 5 minutes', from: '-5min' },
  { label: 'Last 15 minutes', from: '-15min' },
  { label: 'Last 1 hour', from: '-1h' },
  { label: 'Last 3 hours', from: '-3h' },
  { label: 'Last 6 hours', from: '-6h' },
  { label: 'Last 12 hours', from: '-12h' },
  { label: 'Last 24 hours', from: '-24h' },
  { label: 'Last 2 days', from: '-2d' },
  { label: 'Last 7 days', from: '-7d' },
  { label: 'Last 30 days', from: '-30d' },
];

export const DEFAULT_RANGE: TimeRange = { from: '-1h', until: 'now' };

const UNIT_SEC: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  mon: 2_592_000,
  month: 2_592_000,
  months: 2_592_000,
  y: 31_536_000,
  year: 31_536_000,
  years: 31_536_000,
};

/** Seconds in a Graphite offset such as `-15min` or `30d`; null when it is not one. */
export function offsetSec(text: string): number | null {
  const m = /^([+-]?)(\d+)([a-z]+)$/.exec(text.trim());
  if (!m) return null;
  const unit = UNIT_SEC[m[3]];
  if (unit === undefined) return null;
  return (m[1] === '-' ? -1 : 1) * Number(m[2]) * unit;
}

/** Epoch seconds for `now`, an offset from now, or an epoch; null for forms only the server knows. */
export function resolveTime(text: string, now: number): number | null {
  const t = text.trim();
  if (t === 'now' || t === '') return now;
  if (/^\d{9,}$/.test(t)) return Number(t);
  const off = offsetSec(t);
  return off === null ? null : now + off;
}

/** The range as epoch seconds, falling back to the last hour for what the browser cannot resolve. */
export function resolveRange(range: TimeRange, now = Math.floor(Date.now() / 1000)): { from: number; until: number } {
  const until = resolveTime(range.until, now) ?? now;
  const from = resolveTime(range.from, now) ?? until - 3600;
  return from < until ? { from, until } : { from: until - 3600, until };
}

/** Relative ranges move with the clock; auto-refresh only makes sense for them. */
export function isRelative(range: TimeRange): boolean {
  return range.until.trim() === 'now' || offsetSec(range.until) !== null;
}

/** An absolute range from epoch seconds (drag-to-zoom, the date inputs). */
export function absolute(from: number, until: number): TimeRange {
  return { from: String(Math.floor(from)), until: String(Math.ceil(until)) };
}

export function describeRange(range: TimeRange): string {
  const preset = PRESETS.find((p) => p.from === range.from);
  if (preset && range.until === 'now') return preset.label;
  const { from, until } = resolveRange(range);
  return `${formatDateTime(from)} → ${formatDateTime(until)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2026-11-26 08:40:01` in the browser's time zone. */
export function formatDateTime(sec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The value of an `<input type="datetime-local">`, and back. */
export function toLocalInput(sec: number): string {
  return formatDateTime(sec).replace(' ', 'T').slice(0, 16);
}

export function fromLocalInput(value: string): number | null {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

/** Refresh intervals offered, as the URL spells them. */
export const REFRESH_CHOICES: readonly string[] = ['off', '5s', '10s', '30s', '1min', '5min'];

export function refreshMs(choice: string | undefined): number | null {
  if (!choice || choice === 'off') return null;
  const sec = offsetSec(choice);
  return sec !== null && sec > 0 ? sec * 1000 : null;
}
