/**
 * Units guessed from series names, since StatsD names say what they hold: timer statistics are milliseconds,
 * `.rate` and `.count_ps` are per second. One formatter per unit serves both the axis ticks and the legend.
 */

export type Unit = 'ms' | '/s' | '%' | 'B' | '';

// Timer statistics from DESIGN §4 (count and count_N are plain counts, so they are not here).
const TIMER_MS = /^(lower|upper|mean|median|std|sum)(_\d+(_\d+)?)?$/;
const NODE_MS = /(^|_)(ms|time|millis|latency|duration)$/;

function unitOfPath(path: string): Unit | null {
  const nodes = path.split('.');
  const last = nodes[nodes.length - 1];
  if (last === 'rate' || last === 'count_ps' || last.endsWith('_ps') || last.endsWith('per_second')) return '/s';
  if (nodes.includes('timers') && TIMER_MS.test(last)) return 'ms';
  if (NODE_MS.test(last)) return 'ms';
  if (/(^|_)bytes$/.test(last)) return 'B';
  if (/(^|_)(pct|percent)$/.test(last)) return '%';
  return null;
}

/** The unit of a target or series name: functions first (perSecond, asPercent), then the first path that says. */
export function guessUnit(name: string): Unit {
  if (/\b(perSecond)\(/.test(name)) return '/s';
  if (/\b(asPercent)\(/.test(name)) return '%';
  if (/\b(countSeries|nonNegativeDerivative|derivative)\(/.test(name)) return '';
  // Tags after ';' are not part of the path.
  for (const path of name.match(/[A-Za-z0-9_\-*?[\]{},]+(\.[A-Za-z0-9_\-*?[\]{},]+)+/g) ?? []) {
    const u = unitOfPath(path.split(';')[0]);
    if (u !== null) return u;
  }
  return '';
}

function trim(n: number, digits: number): string {
  return Number(n.toFixed(digits)).toString();
}

/** 1234567 → `1.23M`; small numbers keep up to 3 significant decimals. */
function compact(v: number, digits: number): string {
  const a = Math.abs(v);
  if (a >= 1e12) return `${trim(v / 1e12, digits)}T`;
  if (a >= 1e9) return `${trim(v / 1e9, digits)}G`;
  if (a >= 1e6) return `${trim(v / 1e6, digits)}M`;
  if (a >= 1e4) return `${trim(v / 1e3, digits)}K`;
  if (a >= 100 || a === 0) return trim(v, Math.min(digits, 1));
  if (a >= 1) return trim(v, digits);
  return Number(v.toPrecision(digits)).toString();
}

function ms(v: number, digits: number): string {
  const a = Math.abs(v);
  if (a >= 3_600_000) return `${trim(v / 3_600_000, digits)} h`;
  if (a >= 60_000) return `${trim(v / 60_000, digits)} min`;
  if (a >= 1000) return `${trim(v / 1000, digits)} s`;
  return `${compact(v, digits)} ms`;
}

function bytes(v: number, digits: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${trim(x, digits)} ${units[i]}`;
}

/** A value with its unit; `digits` is 2 for axis ticks and 3 for the legend. */
export function formatValue(v: number | null | undefined, unit: Unit, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'ms':
      return ms(v, digits);
    case '/s':
      return `${compact(v, digits)}/s`;
    case '%':
      return `${compact(v, digits)}%`;
    case 'B':
      return bytes(v, digits);
    default:
      return compact(v, digits);
  }
}
