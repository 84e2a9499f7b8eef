import type { IncomingMessage, ServerResponse } from 'node:http';
import { sanitizeName, type Tags } from './format.js';
import type { Metrics } from './metrics.js';

/**
 * Request timing for node:http servers and Express-style apps: one timer per response, tagged with the
 * method, the route and the status code. A response the client abandons before it finished counts in
 * `<name>.aborted` (method and route tags) instead, as in the fastify plugin.
 */

export interface HttpMetricsOptions {
  /** Timer name; default `http.request`. */
  name?: string;
  /**
   * The route of a request, read once the response is done. Default: Express's `req.baseUrl + req.route.path`
   * when present, else `unmatched`. Never the raw URL: every distinct value is a new series.
   */
  route?: (req: IncomingMessage) => string | undefined;
  /** Extra tags on every request. */
  tags?: Tags;
}

export type HttpMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** A route as a tag value: `/users/:id` → `users-id`, `/` → `root`, nothing → `unmatched`. */
export function routeTag(route: string | undefined): string {
  if (route === undefined) return 'unmatched';
  const tag = sanitizeName(route.replace(/^\/+/, ''));
  return tag === '' ? 'root' : tag;
}

interface ExpressLike {
  baseUrl?: string;
  route?: { path?: unknown };
}

function expressRoute(req: IncomingMessage): string | undefined {
  const r = req as IncomingMessage & ExpressLike;
  if (r.route?.path === undefined) return undefined;
  return `${r.baseUrl ?? ''}${String(r.route.path)}`;
}

export function httpMetrics(metrics: Metrics, options: HttpMetricsOptions = {}): HttpMiddleware {
  const name = options.name ?? 'http.request';
  const routeOf = options.route ?? expressRoute;
  const timer = options.tags === undefined ? metrics : metrics.child({ tags: options.tags });
  return (req, res, next) => {
    const start = performance.now();
    let done = false;
    const record = (finished: boolean) => {
      if (done) return;
      done = true;
      let route: string | undefined;
      try {
        route = routeOf(req);
      } catch {
        route = undefined;
      }
      const method = req.method ?? 'UNKNOWN';
      if (finished) {
        const ms = Math.round((performance.now() - start) * 1000) / 1000;
        timer.timing(name, ms, { method, route: routeTag(route), status: String(res.statusCode) });
      } else {
        timer.increment(`${name}.aborted`, { method, route: routeTag(route) });
      }
    };
    res.once('finish', () => record(true));
    res.once('close', () => record(res.writableFinished));
    if (typeof next === 'function') next();
  };
}
