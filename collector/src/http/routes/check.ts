import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type DeployCheckPolicy,
  deployCheckJson,
  deployPluginOutput,
  evaluateDeployCheck,
} from '../../check/deploy.js';
import { type CheckPolicy, type Combine, evaluateCheck } from '../../check/evaluate.js';
import { checkJson, pluginOutput, problemOutput, UOMS, type Uom } from '../../check/plugin-output.js';
import { parseThresholds, type ThresholdError } from '../../check/range.js';
import { parseReducer, type ReducerError } from '../../check/reduce.js';
import { CRITICAL, parseState, type State, stateName, UNKNOWN, WARNING } from '../../check/state.js';
import { ConfigError } from '../../config-error.js';
import { DEFAULT_IMPACT_OPTIONS, type ImpactOptions } from '../../deploys/impact.js';
import { GlobError } from '../../query/glob.js';
import type { QueryEngine } from '../../query/query-engine.js';
import { QueryError } from '../../query/query-error.js';
import { parseInterval, parseTime, TimeParseError } from '../../query/time.js';
import { parseDuration } from '../../store/retention.js';
import { DEPLOY_TAG, deployImpactReport, listDeploys, MAX_WINDOW_SEC } from './deploys.js';

/**
 * `GET /check`: a Nagios check over any Graphite target, and `GET /check/deploy`: did the latest deploy of a
 * service make a target worse. The body is plugin output; the HTTP status maps the state so that plain
 * check_http/check_curl (no `-e`) read it right, and X-Nagios-Status carries it exactly.
 *
 * Two kinds of failure, kept apart:
 * - a malformed parameter (`warning=abc`, `agg=avg2`, `from=soon`, an unknown parameter, no target) is the
 *   caller's mistake in the HTTP request: 400 with a one-line reason, as everywhere else in the API;
 * - a target that cannot be evaluated (syntax error, unknown function, too many series) is a check that cannot
 *   determine a state: UNKNOWN plugin output, HTTP 500, X-Nagios-Status 3 — what Nagios users expect to see
 *   in their console. So is "no data", which the missing-data policy decides (UNKNOWN unless told otherwise).
 */

/** HTTP status per state: 200 OK, 429 WARNING (a 4xx), 503 CRITICAL (a 5xx), 500 UNKNOWN. */
export const HTTP_STATUS: Record<State, number> = { 0: 200, 1: 429, 2: 503, 3: 500 };

export const CHECK_PARAMS = [
  'target',
  'warning',
  'critical',
  'from',
  'until',
  'now',
  'tz',
  'agg',
  'skipPartial',
  'onMissing',
  'minPoints',
  'maxAge',
  'any',
  'all',
  'uom',
  'format',
] as const;

export const DEPLOY_CHECK_PARAMS = [
  'target',
  'service',
  'worse',
  'onMissing',
  'window',
  'better',
  'alpha',
  'minChange',
  'minPoints',
  'now',
  'tz',
  'format',
] as const;

type Raw = Record<string, string | string[] | undefined>;

function bad(reason: string): QueryError {
  return new QueryError(`Invalid parameters (${reason})`, 400);
}

/** A check is a fixed set of parameters: a misspelt one (`onmissing=ok`) would silently weaken it, so it is refused. */
function checkKeys(raw: Raw, allowed: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key) && key !== 'target[]') throw bad(`unknown parameter "${key}"`);
  }
}

/** One value of a parameter that may be given once. */
function single(raw: Raw, name: string): string | undefined {
  const v = raw[name];
  if (Array.isArray(v)) {
    if (v.length > 1) throw bad(`${name} given ${v.length} times`);
    return v[0];
  }
  return v;
}

function readTargets(raw: Raw): string[] {
  const targets = [raw.target, raw['target[]']]
    .flatMap((t) => (t === undefined ? [] : Array.isArray(t) ? t : [t]))
    .filter((t) => t.trim() !== '');
  if (targets.length === 0) throw bad('target is required');
  return targets;
}

/** `skipPartial`, `skipPartial=`, `=true`, `=1`: on; `=false`, `=0`: off. */
function flag(raw: Raw, name: string): boolean {
  const v = single(raw, name);
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  if (s === '' || s === 'true' || s === '1' || s === 'yes' || s === 'on') return true;
  if (s === 'false' || s === '0' || s === 'no' || s === 'off') return false;
  throw bad(`${name} "${v}": expected true or false`);
}

function stateParam(raw: Raw, name: string, fallback: State, allowed: readonly State[] = [0, 1, 2, 3]): State {
  const text = single(raw, name);
  if (text === undefined) return fallback;
  const s = parseState(text);
  if (s === undefined || !allowed.includes(s)) {
    throw bad(`${name} "${text}": use ${allowed.map((a) => stateName(a).toLowerCase()).join(', ')}`);
  }
  return s;
}

function formatParam(raw: Raw): 'text' | 'json' {
  const format = single(raw, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw bad(`format "${format}": use text or json`);
  return format;
}

function nowParam(raw: Raw, clockNow: number): number {
  const text = single(raw, 'now');
  return text !== undefined ? parseTime(text, clockNow, single(raw, 'tz')) : clockNow;
}

function numberParam(raw: Raw, name: string, ok: (n: number) => boolean, expected: string): number | undefined {
  const text = single(raw, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw bad(`${name} "${text}": expected ${expected}`);
  return n;
}

/** Seconds: a plain number, or a Graphite interval (`5min`, `1h`). */
export function parseAge(text: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const sec = parseInterval(s);
  if (sec <= 0) throw new TimeParseError(`invalid interval ${JSON.stringify(text)}: must be positive`);
  return sec;
}

export interface CheckRequest {
  targets: string[];
  policy: CheckPolicy;
  from: number;
  until: number;
  now: number;
  uom?: Uom;
  format: 'text' | 'json';
}

/** Reads and validates /check's query string; throws a 400 QueryError naming the bad parameter. */
export function parseCheckQuery(raw: Raw, clockNow: number): CheckRequest {
  checkKeys(raw, CHECK_PARAMS);
  const targets = readTargets(raw);
  let thresholds: CheckPolicy['thresholds'];
  try {
    thresholds = parseThresholds(single(raw, 'warning'), single(raw, 'critical'));
  } catch (err) {
    throw bad((err as ThresholdError).message);
  }
  const aggText = single(raw, 'agg');
  let reducer: CheckPolicy['reducer'];
  try {
    reducer = parseReducer(aggText === undefined || aggText.trim() === '' ? 'avg' : aggText);
  } catch (err) {
    throw bad(`agg: ${(err as ReducerError).message}`);
  }
  const onMissing = stateParam(raw, 'onMissing', UNKNOWN);
  const minPointsText = single(raw, 'minPoints');
  if (minPointsText !== undefined && !/^\d{1,9}$/.test(minPointsText.trim())) {
    throw bad(`minPoints "${minPointsText}": expected a whole number`);
  }
  const maxAgeText = single(raw, 'maxAge');
  let maxAgeSec: number | undefined;
  if (maxAgeText !== undefined) {
    try {
      maxAgeSec = parseAge(maxAgeText);
    } catch (err) {
      throw bad(`maxAge: ${(err as Error).message}`);
    }
  }
  const any = flag(raw, 'any');
  const all = flag(raw, 'all');
  if (any && all) throw bad('any and all exclude each other');
  const combine: Combine = any ? 'any' : all ? 'all' : 'worst';
  const uomText = single(raw, 'uom');
  if (uomText !== undefined && !(UOMS as readonly string[]).includes(uomText)) {
    throw bad(`uom "${uomText}": use one of ${UOMS.filter((u) => u).join(', ')}`);
  }
  const format = formatParam(raw);

  const tz = single(raw, 'tz');
  const now = nowParam(raw, clockNow);
  let from = parseTime(single(raw, 'from') ?? '-5min', now, tz);
  let until = parseTime(single(raw, 'until') ?? 'now', now, tz);
  if (from === until) throw bad('Invalid empty time range');
  if (from > until) [from, until] = [until, from];

  const policy: CheckPolicy = {
    thresholds,
    reducer,
    skipPartial: flag(raw, 'skipPartial'),
    onMissing,
    combine,
    ...(minPointsText !== undefined ? { minPoints: Number(minPointsText) } : {}),
    ...(maxAgeSec !== undefined ? { maxAgeSec } : {}),
  };
  return { targets, policy, from, until, now, ...(uomText ? { uom: uomText as Uom } : {}), format };
}

export interface DeployCheckRequest {
  targets: string[];
  service: string;
  policy: DeployCheckPolicy;
  impact: ImpactOptions;
  now: number;
  format: 'text' | 'json';
}

/** Reads /check/deploy's query string; throws a 400 QueryError naming the bad parameter. */
export function parseDeployCheckQuery(raw: Raw, clockNow: number): DeployCheckRequest {
  checkKeys(raw, DEPLOY_CHECK_PARAMS);
  const targets = readTargets(raw);
  const service = single(raw, 'service')?.trim() ?? '';
  if (service === '') throw bad('service is required');
  const worse = stateParam(raw, 'worse', CRITICAL, [WARNING, CRITICAL]);
  const onMissing = stateParam(raw, 'onMissing', UNKNOWN);
  const windowText = single(raw, 'window');
  let windowSec = DEFAULT_IMPACT_OPTIONS.windowSec;
  if (windowText !== undefined) {
    try {
      windowSec = parseDuration(windowText, 'window');
    } catch (err) {
      if (err instanceof ConfigError) throw bad(err.message);
      throw err;
    }
    if (!Number.isInteger(windowSec) || windowSec < 1 || windowSec > MAX_WINDOW_SEC) {
      throw bad(`window "${windowText}": expected whole seconds from 1s to ${MAX_WINDOW_SEC / 86_400}d`);
    }
  }
  const better = single(raw, 'better') ?? DEFAULT_IMPACT_OPTIONS.better;
  if (better !== 'lower' && better !== 'higher') throw bad(`better "${better}": use lower or higher`);
  const alpha = numberParam(raw, 'alpha', (n) => n > 0 && n <= 0.5, 'a number above 0, at most 0.5');
  const minChange = numberParam(raw, 'minChange', (n) => n >= 0, 'a percentage, 0 or more');
  const minPoints = numberParam(raw, 'minPoints', (n) => Number.isInteger(n) && n >= 2, 'a whole number, 2 or more');
  return {
    targets,
    service,
    policy: { worse, onMissing },
    impact: {
      windowSec,
      better,
      alpha: alpha ?? DEFAULT_IMPACT_OPTIONS.alpha,
      minChangePct: minChange ?? DEFAULT_IMPACT_OPTIONS.minChangePct,
      minPoints: minPoints ?? DEFAULT_IMPACT_OPTIONS.minPoints,
    },
    now: nowParam(raw, clockNow),
    format: formatParam(raw),
  };
}

/** A deploy belongs to service S when it carries the tag `S` or `service:S` (the client library's form). */
export function isDeployOf(tags: readonly string[], service: string): boolean {
  return tags.includes(DEPLOY_TAG) && (tags.includes(service) || tags.includes(`service:${service}`));
}

/** Errors of the target itself: the check cannot say anything, so UNKNOWN. */
function isTargetError(err: unknown): err is Error {
  return err instanceof QueryError || err instanceof GlobError || err instanceof TimeParseError;
}

export interface CheckRouteOptions {
  engine: QueryEngine;
  now: () => number;
}

export function sendCheck(reply: FastifyReply, state: State, body: string | object): FastifyReply {
  return reply
    .code(HTTP_STATUS[state])
    .header('X-Nagios-Status', String(state))
    .header('Cache-Control', 'no-store')
    .type(typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Plugin output (or its JSON) for a check that could not be evaluated. */
export function sendProblem(reply: FastifyReply, format: 'text' | 'json', state: State, reason: string): FastifyReply {
  const output = problemOutput(state, reason);
  if (format === 'json') {
    return sendCheck(reply, state, { state: stateName(state), code: state, output, reason, series: [] });
  }
  return sendCheck(reply, state, output);
}

export function checkRoutes(app: FastifyInstance, opts: CheckRouteOptions): void {
  app.get('/check', async (req: FastifyRequest<{ Querystring: Raw }>, reply) => {
    const q = parseCheckQuery(req.query, opts.now());
    let series: Awaited<ReturnType<QueryEngine['render']>>;
    try {
      series = await opts.engine.render(q.targets, { from: q.from, until: q.until, now: q.now });
    } catch (err) {
      if (isTargetError(err)) return sendProblem(reply, q.format, UNKNOWN, `invalid target: ${err.message}`);
      req.log.error({ err, url: req.url }, 'check failed');
      return sendProblem(reply, q.format, UNKNOWN, 'internal error while evaluating the target');
    }
    const verdict = evaluateCheck(series, q.policy, q.now);
    const ctx = { policy: q.policy, targets: q.targets, ...(q.uom ? { uom: q.uom } : {}) };
    if (q.format === 'json') {
      return sendCheck(reply, verdict.state, checkJson(verdict, { ...ctx, from: q.from, until: q.until, now: q.now }));
    }
    return sendCheck(reply, verdict.state, pluginOutput(verdict, ctx));
  });

  app.get('/check/deploy', async (req: FastifyRequest<{ Querystring: Raw }>, reply) => {
    const q = parseDeployCheckQuery(req.query, opts.now());
    const latest = listDeploys(opts.engine, 0, q.now, []).find((e) => isDeployOf(e.tags, q.service));
    const ctx = { service: q.service, targets: q.targets, now: q.now, window: q.impact.windowSec };
    let verdict: ReturnType<typeof evaluateDeployCheck>;
    if (latest === undefined) {
      verdict = evaluateDeployCheck(undefined, [], false, q.policy);
    } else {
      let report: Awaited<ReturnType<typeof deployImpactReport>>;
      try {
        report = await deployImpactReport(opts.engine, latest, q.targets, q.impact, q.now);
      } catch (err) {
        if (isTargetError(err)) return sendProblem(reply, q.format, UNKNOWN, `invalid target: ${err.message}`);
        req.log.error({ err, url: req.url }, 'deploy check failed');
        return sendProblem(reply, q.format, UNKNOWN, 'internal error while evaluating the target');
      }
      const deploy = { id: latest.id, what: latest.what, when: latest.ts, tags: latest.tags };
      verdict = evaluateDeployCheck(deploy, report.series, q.now >= latest.ts + q.impact.windowSec, q.policy);
    }
    if (q.format === 'json') return sendCheck(reply, verdict.state, deployCheckJson(verdict, ctx));
    return sendCheck(reply, verdict.state, deployPluginOutput(verdict, ctx));
  });
}
