import type { TimeRange } from './fetch-series.js';
import { type ArgValue, checkArg } from './functions/params.js';
import type { FunctionRegistry } from './functions/registry.js';
import { QueryError } from './query-error.js';
import type { TimeSeries } from './series.js';
import { type CallExpr, type Expr, formatExpr, parseTarget } from './target-parser.js';

/** What functions may ask of the world beyond their arguments. Time is always the range given. */
export interface EvalContext {
  readonly range: TimeRange;
  /**
   * The text of the current call's positional arguments, as graphite-web's requestContext['args']: a
   * function that needs its input over another range (timeShift, moving windows) re-evaluates args[0].
   */
  readonly args?: readonly string[];
  /** Evaluates a target over another range: timeShift and the moving windows re-read their input this way. */
  evaluate(target: string, range: TimeRange): TimeSeries[];
  /** Series whose tags match graphite's seriesByTag expressions (`name=a.b`, `env!=dev`, `dc=~us.*`). */
  seriesByTag(expressions: readonly string[], range: TimeRange): TimeSeries[];
  /** Times (epoch s) of events carrying all of the tags (any event for `*`). */
  eventTimes(tags: readonly string[], range: TimeRange): number[];
}

/** Where evaluation gets data from: the store in production, literal series in golden tests. */
export interface DataSources {
  fetch(pathExpression: string, range: TimeRange): TimeSeries[];
  seriesByTag?(expressions: readonly string[], range: TimeRange): TimeSeries[];
  eventTimes?(tags: readonly string[], range: TimeRange): number[];
}

const MAX_TARGETS = 500;

/** Evaluates Graphite targets: parse, resolve paths, validate every call against its spec, run it. */
export class Evaluator {
  constructor(
    private readonly registry: FunctionRegistry,
    private readonly sources: DataSources,
  ) {}

  evaluateTargets(targets: readonly string[], range: TimeRange): TimeSeries[] {
    if (targets.length > MAX_TARGETS)
      throw new QueryError(`too many targets: ${targets.length} (at most ${MAX_TARGETS})`);
    const out: TimeSeries[] = [];
    for (const target of targets) {
      if (target.trim() === '') continue;
      out.push(...this.evaluateTarget(target, range));
    }
    return out;
  }

  evaluateTarget(target: string, range: TimeRange): TimeSeries[] {
    const value = this.evaluate(parseTarget(target), this.context(range));
    if (!Array.isArray(value)) throw new QueryError(`target "${target}" is a value, not a series expression`);
    return value;
  }

  private context(range: TimeRange): EvalContext {
    return {
      range,
      evaluate: (target, r) => this.evaluateTarget(target, r),
      seriesByTag: (expressions, r) => {
        if (!this.sources.seriesByTag) throw new QueryError('seriesByTag is not available here');
        return this.sources.seriesByTag(expressions, r);
      },
      eventTimes: (tags, r) => this.sources.eventTimes?.(tags, r) ?? [],
    };
  }

  private evaluate(expr: Expr, ctx: EvalContext): ArgValue {
    switch (expr.type) {
      case 'path':
        return this.sources.fetch(expr.value, ctx.range);
      case 'call':
        return this.call(expr, ctx);
      case 'string':
      case 'number':
      case 'bool':
        return expr.value;
      case 'none':
        return null;
    }
  }

  private call(expr: CallExpr, ctx: EvalContext): TimeSeries[] {
    const def = this.registry.get(expr.name);
    if (!def) throw new QueryError(`unknown function "${expr.name}" at position ${expr.pos + 1}`);
    const { params } = def;
    const given: ArgValue[][] = params.map(() => []);
    const seen = params.map(() => false);
    expr.args.forEach((arg, i) => {
      const slot = i < params.length ? i : params.length - 1;
      if (slot < 0 || (i >= params.length && !params[slot].multiple)) {
        throw new QueryError(`too many arguments for function "${expr.name}" (at most ${params.length})`);
      }
      given[slot].push(this.evaluate(arg, ctx));
      seen[slot] = true;
    });
    for (const [name, arg] of Object.entries(expr.kwargs)) {
      const slot = params.findIndex((p) => p.name === name);
      if (slot === -1) throw new QueryError(`unexpected keyword argument "${name}" for function "${expr.name}"`);
      if (seen[slot]) throw new QueryError(`parameter "${name}" of function "${expr.name}" given twice`);
      given[slot].push(this.evaluate(arg, ctx));
      seen[slot] = true;
    }
    const args = params.map((spec, i) => {
      const values = given[i].filter((v) => v !== null || spec.type === 'any');
      if (spec.multiple) {
        if (spec.required && values.length === 0) {
          throw new QueryError(`Missing required parameter "${spec.name}" for function "${expr.name}"`);
        }
        return values.map((v) => checkArg(expr.name, spec, v));
      }
      if (values.length === 0) {
        if (spec.required)
          throw new QueryError(`Missing required parameter "${spec.name}" for function "${expr.name}"`);
        return spec.default ?? undefined;
      }
      return checkArg(expr.name, spec, values[0]);
    });
    const callCtx: EvalContext = { ...ctx, args: expr.args.map(formatExpr) };
    return (def.run as (ctx: EvalContext, ...a: unknown[]) => TimeSeries[])(callCtx, ...args);
  }
}
