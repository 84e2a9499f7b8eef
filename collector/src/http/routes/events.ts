import type { FastifyInstance } from 'fastify';
import type { EventTagSet, QueryEngine } from '../../query/query-engine.js';
import { QueryError } from '../../query/query-error.js';
import { parseTime } from '../../query/time.js';
import type { StoredEvent } from '../../store/sqlite-reader.js';

interface GetDataParams {
  from?: string;
  until?: string;
  tags?: string;
  set?: EventTagSet;
  jsonp?: string;
  tz?: string;
}

const getDataSchema = {
  type: 'object',
  properties: {
    from: { type: 'string', maxLength: 256 },
    until: { type: 'string', maxLength: 256 },
    tags: { type: 'string', maxLength: 4096 },
    set: { type: 'string', enum: ['union', 'intersection'] },
    jsonp: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$.]{0,127}$' },
    tz: { type: 'string', maxLength: 64 },
  },
} as const;

const idSchema = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } },
  required: ['id'],
} as const;

export interface EventsRouteOptions {
  engine: QueryEngine;
  now: () => number;
}

/** graphite-web's event as its JSON views write it. */
function graphiteEvent(e: StoredEvent) {
  return { when: e.ts, what: e.what, data: e.data, tags: e.tags, id: e.id };
}

/**
 * The read side of graphite-web's events (webapp/graphite/events/views.py): the list Grafana's annotations
 * ask for, and one event by id. Events are written by POST /events and by DogStatsD `_e{…}` lines.
 */
export function eventsRoutes(app: FastifyInstance, opts: EventsRouteOptions): void {
  app.get<{ Querystring: GetDataParams }>(
    '/events/get_data',
    { schema: { querystring: getDataSchema } },
    async (req, reply) => {
      const p = req.query;
      const now = opts.now();
      // graphite-web: from defaults to the epoch, until to now; both bounds are inclusive.
      const from = p.from === undefined ? 0 : parseTime(p.from, now, p.tz);
      const until = p.until === undefined ? now : parseTime(p.until, now, p.tz);
      // Split on spaces as graphite-web does (Grafana joins its annotation tags with ' '); blanks are dropped.
      const tags = (p.tags ?? '').split(' ').filter((t) => t !== '');
      const json = JSON.stringify(opts.engine.events(from, until, tags, p.set).map(graphiteEvent));
      if (p.jsonp) return reply.type('text/javascript').send(`${p.jsonp}(${json})`);
      return reply.type('application/json').send(json);
    },
  );

  // graphite-web serves JSON here only for `Accept: application/json` (HTML otherwise) and writes `when` as
  // an ISO date; Trendline always answers JSON, in the same shape as get_data's items.
  app.get<{ Params: { id: string } }>('/events/:id', { schema: { params: idSchema } }, async (req) => {
    const event = opts.engine.event(Number(req.params.id));
    if (!event) throw new QueryError('Event matching query does not exist', 404);
    return graphiteEvent(event);
  });
}
