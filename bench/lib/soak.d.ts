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
  /** Extra environment for the collector's process. */
  env?: Record<string, string>;
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
  /** The process's own memory (RssAnon): where a leak would show. */
  anonStartMB: number;
  anonEndMB: number;
  anonSlopeMBPerMin: number;
  /** Pages of the mapped database file (RssFile): grows with the file as renders touch it. */
  fileEndMB: number;
  fileSlopeMBPerMin: number;
  dbFileMB: number;
  /** The main thread's V8 heap (committed), from /health. */
  mainHeapEndMB: number;
  mainHeapSlopeMBPerMin: number;
}

export function soak(options: SoakOptions): Promise<SoakResult>;
