import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { parseInterval, TimeParseError } from '../time.js';

/**
 * Parameter types as graphite-web names them (they appear in /functions). The same spec types a
 * function's implementation, validates every call, and describes the function to Grafana.
 */

export type ParamType =
  | 'seriesList'
  | 'seriesLists'
  | 'integer'
  | 'float'
  | 'string'
  | 'boolean'
  | 'node'
  | 'nodeOrTag'
  | 'intOrInterval'
  | 'interval'
  | 'aggFunc'
  | 'aggOrSeriesFunc'
  | 'tag'
  | 'intOrInf'
  | 'any';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly required?: boolean;
  readonly default?: string | number | boolean | null;
  /** Takes the rest of the positional arguments. Only the last parameter may. */
  readonly multiple?: boolean;
  readonly options?: readonly string[];
  readonly suggestions?: readonly (string | number)[];
}

/** A literal or a series list, after evaluation. */
export type ArgValue = TimeSeries[] | string | number | boolean | null;

interface TypeMap {
  seriesList: TimeSeries[];
  seriesLists: TimeSeries[];
  integer: number;
  float: number;
  string: string;
  boolean: boolean;
  node: number;
  nodeOrTag: number | string;
  intOrInterval: number | string;
  interval: string;
  aggFunc: string;
  aggOrSeriesFunc: string;
  tag: string;
  intOrInf: number;
  any: ArgValue;
}

type Present<P extends ParamSpec> = P['required'] extends true ? true : P['default'] extends undefined ? false : true;
type ArgOf<P extends ParamSpec> = P['multiple'] extends true
  ? TypeMap[P['type']][]
  : Present<P> extends true
    ? TypeMap[P['type']]
    : TypeMap[P['type']] | undefined;

/** The implementation's argument tuple, derived from the parameter specs. */
export type ArgsOf<P extends readonly ParamSpec[]> = { -readonly [K in keyof P]: ArgOf<P[K]> };

/** Aggregation names graphite-web accepts wherever it takes an aggregation function. */
export const AGG_FUNCS = [
  'average',
  'avg',
  'avg_zero',
  'median',
  'sum',
  'total',
  'min',
  'max',
  'diff',
  'stddev',
  'count',
  'range',
  'rangeOf',
  'multiply',
  'last',
  'current',
] as const;

const isSeries = (v: ArgValue): v is TimeSeries[] => Array.isArray(v);

/** Checks one argument against its spec; returns the value the implementation receives. */
export function checkArg(func: string, spec: ParamSpec, value: ArgValue): ArgValue {
  const bad = (): never => {
    const shown = isSeries(value) ? 'a series list' : JSON.stringify(value);
    throw new QueryError(
      `Invalid "${spec.type}" value specified for function "${func}" parameter "${spec.name}": ${shown}`,
    );
  };
  const isInt = typeof value === 'number' && Number.isInteger(value);
  switch (spec.type) {
    case 'seriesList':
    case 'seriesLists':
      return isSeries(value) ? value : bad();
    case 'integer':
    case 'node':
      return isInt ? value : bad();
    case 'intOrInf':
      return isInt || value === Infinity ? value : bad();
    case 'float':
      return typeof value === 'number' && !Number.isNaN(value) ? value : bad();
    case 'boolean':
      return typeof value === 'boolean' ? value : bad();
    case 'tag':
      return typeof value === 'string' && value !== '' ? value : bad();
    case 'string':
      if (typeof value !== 'string') return bad();
      if (spec.options && !spec.options.includes(value)) return bad();
      return value;
    case 'nodeOrTag':
      return isInt || typeof value === 'string' ? value : bad();
    case 'interval':
    case 'intOrInterval':
      if (spec.type === 'intOrInterval' && isInt) return value;
      if (typeof value !== 'string') return bad();
      try {
        parseInterval(value);
      } catch (err) {
        if (err instanceof TimeParseError) return bad();
        throw err;
      }
      return value;
    case 'aggFunc':
      return typeof value === 'string' && (AGG_FUNCS as readonly string[]).includes(value.replace(/Series$/, ''))
        ? value
        : bad();
    case 'aggOrSeriesFunc':
      return typeof value === 'string' && (AGG_FUNCS.includes(value as never) || /^[a-z]+Series$/i.test(value))
        ? value
        : bad();
    case 'any':
      return value;
  }
}

/** Graphite's /functions entry for one parameter. */
export function describeParam(spec: ParamSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: spec.name, type: spec.type };
  if (spec.required) out.required = true;
  if (spec.default !== undefined) out.default = spec.default;
  if (spec.multiple) out.multiple = true;
  if (spec.options) out.options = spec.options;
  if (spec.suggestions) out.suggestions = spec.suggestions;
  if (spec.type === 'aggFunc' || spec.type === 'aggOrSeriesFunc') out.options ??= AGG_FUNCS;
  return out;
}
