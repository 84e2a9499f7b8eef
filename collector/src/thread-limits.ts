import type { ResourceLimits } from 'node:worker_threads';

/**
 * V8 limits for the worker threads, measured at 100k series (docs/benchmarks.md, Flush):
 * - young generation 12 MB (4 MB semi-spaces): V8 lets each isolate's grow to 48 MB, which a busy
 *   thread soon reaches; with three isolates that was ~100 MB of RSS, for about the same CPU.
 * - old generation 512 MB: below 1 GB V8 lets an old generation grow to ~1.5–2× its live size between
 *   full collections instead of 4×; the ingest thread's (~45 MB live) stayed under 90 MB instead of 180.
 *   It is also a cap: a thread past it dies and is restarted (supervised-thread.ts), the process lives.
 * The main thread can only be limited at start: `npm start` runs node with --max-semi-space-size=4
 * (and MALLOC_ARENA_MAX=2: fewer malloc arenas, ~20 MB less RSS; MALLOC_MMAP_THRESHOLD_=131072: a flush's
 * buffers are mmap'd and given back when freed, ~13 MB less at 400k lines/s).
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 512 };

/**
 * The ingest thread's limits: its old generation also grows with the series it may hold (~0.45 KB each live
 * at 100k series; room here for 2 KB each), so a raised --max-series is not a crash loop at the cap.
 */
export function ingestResourceLimits(maxSeries: number): ResourceLimits {
  const old = WORKER_RESOURCE_LIMITS.maxOldGenerationSizeMb as number;
  return { ...WORKER_RESOURCE_LIMITS, maxOldGenerationSizeMb: Math.max(old, Math.ceil(maxSeries / 500)) };
}
