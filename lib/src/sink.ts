import type { MetricsError } from './errors.js';

/** What a metric call becomes once its name, value, rate and tags have been checked. */
export type MetricKind = 'counter' | 'gauge' | 'gaugeDelta' | 'timing' | 'histogram' | 'distribution' | 'set';

/** A deploy mark ready for POST /events (Graphite's event shape). */
export interface EventBody {
  what: string;
  tags: string[];
  data: string;
  /** Epoch seconds. */
  when: number;
}

/**
 * Where every scope of one client (the root and its children) sends: the socket sink of createMetrics or
 * the recording sink of createMemoryMetrics. Scopes validate; sinks only encode and deliver.
 */
export interface Sink {
  readonly closed: boolean;
  readonly dropped: number;
  /** Whether a call at this rate (0 < rate < 1) is kept. */
  sample(rate: number): boolean;
  /** `value` is a number, or the encoded member of a set. `tags` is a field built by format.tagSuffix. */
  record(kind: MetricKind, name: string, value: number | string, rate: number, tags: string): void;
  /** Counts `dropped` lost metrics and hands the error to onError. */
  fail(error: MetricsError): void;
  /** POSTs the mark; with `onlyIfNew`, skips it when one with the same tags exists (deployOnStart). */
  deploy(event: EventBody, onlyIfNew: boolean): Promise<boolean>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const WIRE_TYPE: Readonly<Record<MetricKind, string>> = {
  counter: 'c',
  gauge: 'g',
  gaugeDelta: 'g',
  timing: 'ms',
  histogram: 'h',
  distribution: 'd',
  set: 's',
};

/**
 * The wire text of one metric: usually one line, two for a negative gauge, which StatsD would read as a
 * delta (`g:-5|g`), so it is sent as `g:0|g` then `g:-5|g`, in the same datagram and order.
 * Returns the text and the length of its longest line.
 */
export function encodeEntry(
  kind: MetricKind,
  name: string,
  value: number | string,
  rate: number,
  tags: string,
): [text: string, longestLine: number] {
  let line: string;
  if (kind === 'gaugeDelta') {
    line = `${name}:${(value as number) < 0 ? '' : '+'}${value}|g${tags}`;
  } else if (rate < 1) {
    line = `${name}:${value}|${WIRE_TYPE[kind]}|@${rate}${tags}`;
  } else {
    line = `${name}:${value}|${WIRE_TYPE[kind]}${tags}`;
  }
  if (kind === 'gauge' && (value as number) < 0) return [`${name}:0|g${tags}\n${line}`, line.length];
  return [line, line.length];
}
