/**
 * The unit every query step works on: one fixed-step series, as graphite-web's TimeSeries.
 * Times are epoch seconds. values[i] belongs to start + i*step; NaN means "no value" (Graphite's None).
 */
export type ConsolidationFunc = 'average' | 'sum' | 'min' | 'max' | 'first' | 'last' | 'avg_zero';

export interface TimeSeries {
  /** The series name as Graphite prints it in `target`. */
  name: string;
  /** Graphite tags; always includes `name`. */
  tags: Record<string, string>;
  /** The path expression (glob) that produced this series, used by aggregate functions for their names. */
  pathExpression: string;
  start: number;
  /** Exclusive end: start + values.length * step. */
  end: number;
  step: number;
  values: Float64Array;
  /** How maxDataPoints (and later normalisation) folds several points into one. */
  consolidationFunc: ConsolidationFunc;
  xFilesFactor: number;
}
