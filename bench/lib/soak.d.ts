/** Types for soak.js, which the thirty-second soak test imports. */
export interface SoakOptions {
  dir: string;
  durationMs: number;
  /** Lines per second of the realistic mix. */
  rate: number;
  names?: number;
  readers?: number;
  /** Each reader sends one request per this many ms (or back to back when a request takes longer). */
  readEveryMs?: number;
  flushInterval?: string;
  /** Flags for the collector's node (e.g. --cpu-prof). */
  nodeArgs?: string[];
  log?: (line: string) => void;
}

export interface SoakResult {
  seconds: number;
  rate: number;
  sentLines: number;
  receivedLines: number;
  lostLines: number;
  badLines: number;
  flushErrors: number;
  readErrors: number;
  renders: number;
  renderP50Ms: number;
  renderP99Ms: number;
  /** Per /render query: its target, p50 and p99, and its five slowest reads with when they were asked. */
  renderByQuery: Array<{ target: string | null; p50Ms: number; p99Ms: number; slowest: string[] }>;
  rssStartMB: number;
  rssEndMB: number;
  rssSlopeMBPerMin: number;
}

export function soak(options: SoakOptions): Promise<SoakResult>;
