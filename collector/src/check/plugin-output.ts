import type { CheckPolicy, CheckVerdict, SeriesVerdict } from './evaluate.js';
import type { Thresholds } from './range.js';
import { CRITICAL, OK, type State, stateName, UNKNOWN, WARNING } from './state.js';

/**
 * Plugin output as the Monitoring Plugins guidelines want it:
 *
 *     TRENDLINE OK - api.latency = 3.2 | 'api.latency'=3.2;5;10;;
 *
 * With several series the first line sums up, each series gets a long-output line, the first series' perfdata
 * pair goes on the first line and the others after a `|` on the last line, each preceded by a space (Nagios
 * joins the two perfdata parts without adding one).
 */

export const SERVICE = 'TRENDLINE';

/** Units of measurement the guidelines allow after a perfdata value. */
export const UOMS = ['', 's', 'ms', 'us', '%', 'B', 'KB', 'MB', 'TB', 'c'] as const;
export type Uom = (typeof UOMS)[number];

const WIDE = new Intl.NumberFormat('en-US', { useGrouping: false, maximumFractionDigits: 6 });
const SMALL = new Intl.NumberFormat('en-US', { useGrouping: false, maximumSignificantDigits: 6 });

/**
 * A value in perfdata's alphabet `[-0-9.]`: plain decimal, never exponent notation, at most 6 decimals
 * (6 significant digits below 1, so small rates do not become 0).
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'U';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const s = (Math.abs(v) >= 1 ? WIDE : SMALL).format(v);
  return s === '-0' ? '0' : s;
}

/**
 * A perfdata label: always quoted, a quote written as two, and `=` (which the guidelines forbid in labels:
 * Graphite tags carry it) written as `:`. Line breaks become spaces.
 */
export function perfLabel(label: string): string {
  return `'${oneLine(label).replaceAll("'", "''").replaceAll('=', ':')}'`;
}

/** A label in the human text: one line, and no `|`, which would start the perfdata. */
export function textLabel(label: string): string {
  return oneLine(label).replaceAll('|', '/');
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

export interface PerfOptions {
  uom?: Uom;
  thresholds?: Thresholds;
  min?: number;
  max?: number;
}

/** `'label'=value[UOM];warn;crit;min;max`, with `U` for a value that could not be determined. */
export function perfdata(label: string, value: number | undefined, opts: PerfOptions = {}): string {
  const v = value === undefined || !Number.isFinite(value) ? 'U' : `${formatNumber(value)}${opts.uom ?? ''}`;
  const num = (n: number | undefined) => (n === undefined ? '' : formatNumber(n));
  return `${perfLabel(label)}=${v};${opts.thresholds?.warning?.text ?? ''};${opts.thresholds?.critical?.text ?? ''};${num(opts.min)};${num(opts.max)}`;
}

/** The unit, minimum and maximum perfdata carries for a policy's reducer (nullpct is a percentage). */
export function perfOptions(policy: CheckPolicy, uom?: Uom): PerfOptions {
  if (policy.reducer.name === 'nullpct') return { uom: uom ?? '%', thresholds: policy.thresholds, min: 0, max: 100 };
  return { uom: uom ?? '', thresholds: policy.thresholds };
}

/** `label = 3.2` or `label: no data`. */
export function describeSeries(s: SeriesVerdict, uom: Uom = ''): string {
  const label = textLabel(s.label);
  return s.value === undefined ? `${label}: ${s.reason ?? 'no data'}` : `${label} = ${formatNumber(s.value)}${uom}`;
}

/** `1 critical, 2 ok` in severity order, zeros left out. */
export function stateCounts(states: readonly State[]): string {
  const order: State[] = [CRITICAL, WARNING, UNKNOWN, OK];
  return order
    .map((st) => [st, states.filter((s) => s === st).length] as const)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${n} ${stateName(st).toLowerCase()}`)
    .join(', ');
}

export interface OutputContext {
  policy: CheckPolicy;
  /** The targets asked for, named when none matched. */
  targets: readonly string[];
  uom?: Uom;
}

/** What no series looks like: `no series matched "foo.*"`. */
export function noSeriesText(targets: readonly string[]): string {
  const quoted = targets.map((t) => `"${oneLine(t).replaceAll('|', '/')}"`).join(', ');
  return `no series matched ${quoted}`;
}

/** The whole plugin output for a verdict, ending in a newline. */
export function pluginOutput(verdict: CheckVerdict, ctx: OutputContext): string {
  const head = `${SERVICE} ${stateName(verdict.state)} - `;
  const series = verdict.series;
  if (series.length === 0) return `${head}${noSeriesText(ctx.targets)}\n`;
  const opts = perfOptions(ctx.policy, ctx.uom);
  const uom = opts.uom ?? '';
  const perf = series.map((s) => perfdata(s.label, s.value, opts));
  if (series.length === 1) return `${head}${describeSeries(series[0] as SeriesVerdict, uom)} | ${perf[0]}\n`;
  const decisive = series[verdict.decisive] as SeriesVerdict;
  const summary = `${describeSeries(decisive, uom)} (${series.length} series: ${stateCounts(series.map((s) => s.state))})`;
  const lines = [`${head}${summary} | ${perf[0]}`];
  series.forEach((s, i) => {
    const line = `${stateName(s.state)}: ${describeSeries(s, uom)}`;
    lines.push(i === series.length - 1 ? `${line} | ${perf.slice(1).join(' ')}` : line);
  });
  return `${lines.join('\n')}\n`;
}

/** A one-line plugin output for a check that could not run (bad target, internal error, unreachable collector). */
export function problemOutput(state: State, reason: string): string {
  return `${SERVICE} ${stateName(state)} - ${oneLine(reason).replaceAll('|', '/')}\n`;
}

/** The same result as data, for `format=json`. */
export function checkJson(verdict: CheckVerdict, ctx: OutputContext & { from: number; until: number; now: number }) {
  const opts = perfOptions(ctx.policy, ctx.uom);
  return {
    state: stateName(verdict.state),
    code: verdict.state,
    output: pluginOutput(verdict, ctx),
    targets: ctx.targets,
    from: ctx.from,
    until: ctx.until,
    now: ctx.now,
    agg: ctx.policy.reducer.text,
    warning: ctx.policy.thresholds.warning?.text ?? null,
    critical: ctx.policy.thresholds.critical?.text ?? null,
    uom: opts.uom ?? '',
    series: verdict.series.map((s) => ({
      label: s.label,
      state: stateName(s.state),
      code: s.state,
      value: s.value ?? null,
      points: s.points,
      nulls: s.nulls,
      skipped: s.skipped,
      newest: s.newest ?? null,
      age: s.ageSec ?? null,
      missing: s.missing ?? null,
      reason: s.reason ?? null,
      perfdata: perfdata(s.label, s.value, opts),
    })),
    ...(verdict.series.length === 0 ? { missing: 'no-series', reason: noSeriesText(ctx.targets) } : {}),
  };
}
