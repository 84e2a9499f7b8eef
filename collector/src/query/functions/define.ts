import type { EvalContext } from '../evaluator.js';
import type { TimeSeries } from '../series.js';
import type { ArgsOf, ParamSpec } from './params.js';

/** The groups graphite-web files its functions under; Grafana hides 'Graph'. */
export type FunctionGroup =
  | 'Combine'
  | 'Transform'
  | 'Calculate'
  | 'Filter Series'
  | 'Filter Data'
  | 'Sorting'
  | 'Alias'
  | 'Special'
  | 'Graph';

/**
 * One Graphite function: everything about it in one object. `params` types `run`'s arguments, validates
 * every call (never advisory) and is what /functions shows.
 */
export interface FunctionDef<P extends readonly ParamSpec[] = readonly ParamSpec[]> {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly group: FunctionGroup;
  /** graphite-web style prose, with an `Example:` line. */
  readonly description: string;
  readonly params: P;
  run(ctx: EvalContext, ...args: ArgsOf<P>): TimeSeries[];
}

/** Keeps the literal parameter types so `run` is checked against them. */
export function defineFunction<const P extends readonly ParamSpec[]>(def: FunctionDef<P>): FunctionDef {
  return def as unknown as FunctionDef;
}
