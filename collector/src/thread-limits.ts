import type { ResourceLimits } from 'node:worker_threads';

/**
 * V8 limits for the worker threads. V8 lets each isolate's young generation grow to 48 MB (two 16 MB
 * semi-spaces and a third for promotion), which a busy thread soon reaches: with three isolates that
 * was ~100 MB of the collector's RSS, and the old generations grew to match. 12 MB (4 MB semi-spaces)
 * measured ~150–200 MB less RSS at 100k series for a few percent more CPU. The main thread can only
 * be limited at start: `npm start` runs node with --max-semi-space-size=4.
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12 };
