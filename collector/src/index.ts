// Programmatic entry points of the collector, for embedding and for tests.

export { parseServeOptions } from './cli/serve-options.js';
export { type Collector, type CollectorStats, startCollector } from './collector.js';
export { type CollectorConfig, DEFAULT_CONFIG } from './config.js';
export { ConfigError } from './config-error.js';
export { openStorage } from './store/open-storage.js';
export type { Storage, StorageWriter } from './store/storage.js';
