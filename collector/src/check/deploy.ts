import type { SeriesImpact, Verdict } from '../deploys/impact.js';
import { combineStates } from './evaluate.js';
import { perfdata, problemOutput, SERVICE, stateCounts, textLabel } from './plugin-output.js';
import { OK, type State, stateName } from './state.js';

/**
 * The deploy check: is the latest deploy of a service making a series worse? It reads the deploy-impact
 * verdict (deploys/impact.ts: before/after windows, Mann–Whitney U) per series and turns it into a state:
 * `worse` → CRITICAL (or WARNING, as configured); `better` and `unchanged` → OK. While the after window is
 * still running and too few values exist to judge, the series is OK ("not judged yet"): every deploy would
 * otherwise raise UNKNOWN for its first minutes. Once the window has passed, too little data is missing data
 * (`onMissing`, UNKNOWN by default), and so is a service with no deploy or a target that matches nothing.
 */

export interface DeployCheckPolicy {
  /** State for a series the deploy made worse: WARNING or CRITICAL. */
  readonly worse: State;
  /** State when there is no deploy, no series, or (after the window) too little data to judge. */
  readonly onMissing: State;
}

export interface DeployInfo {
  readonly id: number;
  readonly what: string;
  /** Epoch seconds. */
  readonly when: number;
  readonly tags: readonly string[];
}

export interface DeploySeriesVerdict {
  readonly label: string;
  readonly state: State;
  readonly verdict: Verdict;
  /** True while the verdict is `unknown` only because the after window is still filling. */
  readonly pending: boolean;
  readonly reason: string;
  /** Change of the mean after the deploy, percent; null when it has none. */
  readonly changeMeanPct: number | null;
}

export interface DeployCheckVerdict {
  readonly state: State;
  readonly deploy?: DeployInfo;
  readonly series: readonly DeploySeriesVerdict[];
  readonly decisive: number;
  readonly missing?: 'no-deploy' | 'no-series';
}

export function evaluateDeployCheck(
  deploy: DeployInfo | undefined,
  impacts: readonly SeriesImpact[],
  afterWindowComplete: boolean,
  policy: DeployCheckPolicy,
): DeployCheckVerdict {
  if (deploy === undefined) return { state: policy.onMissing, series: [], decisive: -1, missing: 'no-deploy' };
  if (impacts.length === 0) return { state: policy.onMissing, deploy, series: [], decisive: -1, missing: 'no-series' };
  const series = impacts.map((s): DeploySeriesVerdict => {
    const pending = s.verdict === 'unknown' && !afterWindowComplete;
    const state = s.verdict === 'worse' ? policy.worse : s.verdict === 'unknown' && !pending ? policy.onMissing : OK;
    return { label: s.target, state, verdict: s.verdict, pending, reason: s.reason, changeMeanPct: s.change.mean };
  });
  const state = combineStates(
    series.map((s) => s.state),
    'worst',
  );
  return {
    state,
    deploy,
    series,
    decisive: Math.max(
      0,
      series.findIndex((s) => s.state === state),
    ),
  };
}

/** `45 s`, `12 min`, `5 h`, `3 d`. */
export function formatAge(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 120) return `${s} s`;
  if (s < 120 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

function verdictWord(s: DeploySeriesVerdict): string {
  if (s.pending) return 'not judged yet';
  return s.verdict === 'unknown' ? 'cannot be judged' : s.verdict;
}

function describe(s: DeploySeriesVerdict): string {
  return `${textLabel(s.label)} ${verdictWord(s)}: ${s.reason}`;
}

export interface DeployOutputContext {
  service: string;
  targets: readonly string[];
  now: number;
}

/** Plugin output: the deploy, the verdict and its reason; perfdata is each series' change of the mean, in %. */
export function deployPluginOutput(verdict: DeployCheckVerdict, ctx: DeployOutputContext): string {
  const head = `${SERVICE} ${stateName(verdict.state)} - `;
  const deploy = verdict.deploy;
  if (deploy === undefined) return problemOutput(verdict.state, `no deploy of service "${ctx.service}" found`);
  const what = `deploy "${textLabel(deploy.what)}" (id ${deploy.id}, ${formatAge(ctx.now - deploy.when)} ago)`;
  if (verdict.series.length === 0) {
    const targets = ctx.targets.map((t) => `"${textLabel(t)}"`).join(', ');
    return problemOutput(verdict.state, `${what}: no series matched ${targets}`);
  }
  // Percent to two decimals: the test's noise floor is far above that.
  const pct = (v: number | null) => (v === null ? undefined : Math.round(v * 100) / 100);
  const perf = verdict.series.map((s) => perfdata(s.label, pct(s.changeMeanPct), { uom: '%' }));
  if (verdict.series.length === 1) {
    return `${head}${what}: ${describe(verdict.series[0] as DeploySeriesVerdict)} | ${perf[0]}\n`;
  }
  const decisive = verdict.series[verdict.decisive] as DeploySeriesVerdict;
  const counts = stateCounts(verdict.series.map((s) => s.state));
  const lines = [
    `${head}${what}: ${textLabel(decisive.label)} ${verdictWord(decisive)} (${verdict.series.length} series: ${counts}) | ${perf[0]}`,
  ];
  verdict.series.forEach((s, i) => {
    const line = `${stateName(s.state)}: ${describe(s)}`;
    lines.push(i === verdict.series.length - 1 ? `${line} | ${perf.slice(1).join(' ')}` : line);
  });
  return `${lines.join('\n')}\n`;
}

/** The same as data, for `format=json`. */
export function deployCheckJson(verdict: DeployCheckVerdict, ctx: DeployOutputContext & { window: number }) {
  return {
    state: stateName(verdict.state),
    code: verdict.state,
    output: deployPluginOutput(verdict, ctx),
    service: ctx.service,
    targets: ctx.targets,
    now: ctx.now,
    window: ctx.window,
    deploy: verdict.deploy
      ? { id: verdict.deploy.id, what: verdict.deploy.what, when: verdict.deploy.when, tags: verdict.deploy.tags }
      : null,
    missing: verdict.missing ?? null,
    series: verdict.series.map((s) => ({
      label: s.label,
      state: stateName(s.state),
      code: s.state,
      verdict: s.verdict,
      pending: s.pending,
      reason: s.reason,
      changeMeanPct: s.changeMeanPct,
    })),
  };
}
