/**
 * trendline: drop-in metrics for app code.
 *
 *   import { createMetrics } from 'trendline';
 *   const metrics = createMetrics({ prefix: 'api', tags: { service: 'api' } });
 *   metrics.increment('signups');
 *
 * Importing this module loads hot-shots and Node built-ins only (never fastify, SQLite or the collector).
 */

import { type Metrics, rootScope } from './metrics.js';
import { type MetricsOptions, resolveOptions } from './options.js';
import { startProcessMetrics } from './process-metrics.js';
import { SocketSink } from './socket-sink.js';
import { createTransport } from './transport.js';

export { MetricsError, type MetricsErrorCode, MetricsOptionError } from './errors.js';
export { sanitizeName, sanitizePath, type Tags, type TagValue } from './format.js';
export { type HttpMetricsOptions, type HttpMiddleware, httpMetrics, routeTag } from './http.js';
export {
  createMemoryMetrics,
  type DeployRecord,
  type MemoryMetrics,
  type MemoryMetricsOptions,
  type MetricRecord,
} from './memory.js';
export type { ChildOptions, DeployMark, Metrics, StopTimer } from './metrics.js';
export type { DeployOnStart, MetricsOptions, ProcessMetricsOptions, Protocol } from './options.js';
export { startProcessMetrics } from './process-metrics.js';
export type { MetricKind } from './sink.js';

/**
 * A client sending to the collector over UDP (default localhost:8125), TCP or a Unix datagram socket.
 * Throws MetricsOptionError for options (or TRENDLINE_* variables) it can't use; after that, never.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const resolved = resolveOptions(options);
  const sink = new SocketSink(
    resolved,
    createTransport({
      protocol: resolved.protocol,
      host: resolved.host,
      port: resolved.port,
      socketPath: resolved.socketPath,
    }),
  );
  const root = rootScope(sink, resolved.prefix, resolved.tags, resolved.sampleRate);
  if (resolved.processMetrics !== null) root.addCloseHook(startProcessMetrics(root, resolved.processMetrics));
  const start = resolved.deployOnStart;
  if (start !== null) {
    const version = start.version.trim();
    const what = start.what ?? `${root.tag('service') ?? (root.prefix || 'app')} ${version}`;
    void root.sendDeploy({ what, tags: start.tags, data: start.data }, [`version:${version}`], true);
  }
  return root;
}
