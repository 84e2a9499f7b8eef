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
  rssStartMB: number;
  rssEndMB: number;
  rssSlopeMBPerMin: number;
}

export function soak(options: SoakOptions): Promise<SoakResult>;
