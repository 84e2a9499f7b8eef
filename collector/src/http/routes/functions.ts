import type { FastifyInstance } from 'fastify';
import type { FunctionRegistry } from '../../query/functions/registry.js';
import { describeFunction } from '../../query/functions/registry.js';
import { QueryError } from '../../query/query-error.js';

interface FunctionsParams {
  grouped?: string;
  group?: string;
  type?: string;
}

const paramsSchema = {
  type: 'object',
  properties: {
    grouped: { type: 'string', maxLength: 8 },
    group: { type: 'string', maxLength: 64 },
    type: { type: 'string', maxLength: 16 },
  },
} as const;

const INFINITY = '\u0000+Infinity';
const NEG_INFINITY = '\u0000-Infinity';

/**
 * JSON with ±Infinity written as ±1e9999, as graphite-web's /functions has it (an intOrInf default of
 * Infinity): JSON has no infinity, and 1e9999 parses back to Infinity in JavaScript and Python alike.
 */
export function toGraphiteJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v) =>
    v === Number.POSITIVE_INFINITY ? INFINITY : v === Number.NEGATIVE_INFINITY ? NEG_INFINITY : v,
  );
  // Only the markers themselves serialise as `"\u0000…"`: a backslash typed in a description is escaped.
  return json.replaceAll('"\\u0000+Infinity"', '1e9999').replaceAll('"\\u0000-Infinity"', '-1e9999');
}

/** graphite-web's function index, which Grafana's query editor loads to know every function and its parameters. */
export function functionsRoutes(app: FastifyInstance, opts: { registry: FunctionRegistry }): void {
  const { registry } = opts;

  app.get<{ Querystring: FunctionsParams }>(
    '/functions',
    { schema: { querystring: paramsSchema } },
    async (req, reply) => {
      const { grouped, group, type } = req.query;
      // graphite's pie functions (type=pie) are for its own PNG renderer, which Trendline doesn't have.
      const body =
        type === 'pie'
          ? {}
          : registry.describe({
              group,
              grouped: grouped !== undefined && ['1', 'true'].includes(grouped.toLowerCase()),
            });
      return reply.type('application/json').send(toGraphiteJson(body));
    },
  );

  app.get<{ Params: { name: string }; Querystring: FunctionsParams }>(
    '/functions/:name',
    { schema: { querystring: paramsSchema } },
    async (req, reply) => {
      const def = req.query.type === 'pie' ? undefined : registry.get(req.params.name);
      if (!def) throw new QueryError(`Function not found: ${req.params.name}`, 404);
      return reply.type('application/json').send(toGraphiteJson(describeFunction(req.params.name, def)));
    },
  );

  // graphite-web answers anything but GET with 405.
  app.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/functions',
    handler: async (_req, reply) =>
      reply.code(405).header('allow', 'GET').type('text/plain').send('Method Not Allowed\n'),
  });
  app.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/functions/:name',
    handler: async (_req, reply) =>
      reply.code(405).header('allow', 'GET').type('text/plain').send('Method Not Allowed\n'),
  });
}
