import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { Tags } from './format.js';
import { routeTag } from './http.js';
import type { Metrics } from './metrics.js';

/**
 * `trendline/fastify`: times every request by route and status code.
 *
 *   app.register(trendlineFastify, { metrics })
 *
 * Records the timer `http.request` (reply.elapsedTime, ms) with tags `method`, `route` (the route pattern,
 * `/users/:id` → `users-id`; `unmatched` for 404s) and `status`. A request the client abandons before it
 * was fully received counts in `http.request.aborted` (method and route tags) instead.
 * This module imports only fastify's types, so fastify stays an optional peer.
 */

export interface TrendlineFastifyOptions {
  metrics: Metrics;
  /** Timer name; default `http.request`. */
  name?: string;
  /** Extra tags on every request. */
  tags?: Tags;
}

const plugin: FastifyPluginCallback<TrendlineFastifyOptions> = (app, options, done) => {
  const metrics = options?.metrics;
  if (typeof metrics?.timing !== 'function' || typeof metrics.child !== 'function') {
    done(new TypeError('trendline/fastify: options.metrics must be a client from createMetrics()'));
    return;
  }
  const name = options.name ?? 'http.request';
  const timer = options.tags === undefined ? metrics : metrics.child({ tags: options.tags });
  const tagsOf = (request: FastifyRequest, status?: string) => ({
    method: request.method,
    route: routeTag(request.routeOptions.url),
    ...(status === undefined ? {} : { status }),
  });
  app.addHook('onResponse', (request, reply, next) => {
    timer.timing(name, Math.round(reply.elapsedTime * 1000) / 1000, tagsOf(request, String(reply.statusCode)));
    next();
  });
  app.addHook('onRequestAbort', (request, next) => {
    timer.increment(`${name}.aborted`, tagsOf(request));
    next();
  });
  done();
};

/** Hooks added by the plugin apply to the whole app, not only to its own encapsulation context (what fastify-plugin does). */
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'trendline',
  [Symbol.for('plugin-meta')]: { name: 'trendline', fastify: '>=4.10' },
});

export const trendlineFastify = plugin;
export default trendlineFastify;
