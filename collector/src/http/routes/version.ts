import type { FastifyInstance } from 'fastify';

/**
 * The graphite-web version Trendline answers as. Grafana's Graphite data source keys features off it:
 * 1.1 and later turns on tag support (seriesByTag, /tags autocomplete) and loading the function index from
 * /functions. 1.1.10 is the latest 1.1 release, whose API (tags, functions, events) Trendline follows.
 */
export const GRAPHITE_VERSION = '1.1.10';

/** graphite-web's /version: the bare version string as text, which Grafana validates as SemVer. */
export function versionRoutes(app: FastifyInstance): void {
  app.get('/version', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(GRAPHITE_VERSION));
}
