import { existsSync } from 'node:fs';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { CollectorStats } from '../collector.js';
import type { CollectorConfig } from '../config.js';
import type { NameIndex } from '../query/name-index.js';
import type { QueryEngine } from '../query/query-engine.js';
import { openQueryBudget } from '../query/query-limits.js';
import type { TagIndex } from '../query/tag-index.js';
import { handleError } from './error-handler.js';
import { checkRoutes } from './routes/check.js';
import { type DashboardReader, type DashboardWriter, dashboardsRoutes } from './routes/dashboards.js';
import { deploysRoutes } from './routes/deploys.js';
import { type EventStore, eventsRoutes } from './routes/events.js';
import { functionsRoutes } from './routes/functions.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { renderRoutes } from './routes/render.js';
import { tagsRoutes } from './routes/tags.js';
import { versionRoutes } from './routes/version.js';

export interface AppDeps {
  config: CollectorConfig;
  index: NameIndex;
  tags: TagIndex;
  engine: QueryEngine;
  /** Where POST /events and DELETE /events/:id write (the writer thread). */
  events: EventStore;
  /** Saved dashboards: read on this thread, written by the writer thread. */
  dashboards: { read: DashboardReader; write: DashboardWriter };
  log: Logger;
  stats: () => Promise<CollectorStats>;
  /** Injected clock (epoch seconds) so tests can pin "now". */
  now?: () => number;
}

/** Builds the HTTP app without listening, so tests can `inject` into it. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request lines would drown the log of a busy dashboard; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // graphite-web answers /render/ and /metrics/find/ too.
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setErrorHandler(handleError);
  // Every request that reads series runs under its own point and time budget (query-limits.ts).
  const { maxQueryPoints, queryTimeoutSec } = deps.config;
  app.addHook('onRequest', openQueryBudget({ maxPoints: maxQueryPoints, timeoutMs: queryTimeoutSec * 1000 }));
  void app.register(formbody);
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  healthRoutes(app, { stats: deps.stats, index: deps.index });
  renderRoutes(app, { engine: deps.engine, now });
  metricsRoutes(app, { index: deps.index });
  tagsRoutes(app, { tags: deps.tags, maxSeries: deps.config.maxQuerySeries });
  eventsRoutes(app, { engine: deps.engine, store: deps.events, token: deps.config.token, now });
  deploysRoutes(app, { engine: deps.engine, now });
  functionsRoutes(app, { registry: deps.engine.deps.registry });
  versionRoutes(app);
  checkRoutes(app, { engine: deps.engine, now });
  dashboardsRoutes(app, { ...deps.dashboards, token: deps.config.token, now, prefixStats: deps.config.prefixStats });

  const uiDir = deps.config.uiDir;
  if (uiDir && existsSync(uiDir)) {
    void app.register(fastifyStatic, { root: uiDir, prefix: '/', wildcard: false });
  } else {
    app.get('/', async (_req, reply) =>
      reply.type('text/plain').send('Trendline collector: the UI is not built. Run `npm run build`.\n'),
    );
  }
  return app;
}
