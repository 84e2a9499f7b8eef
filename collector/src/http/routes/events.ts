import type { FastifyError, FastifyInstance } from 'fastify';
import type { EventTagSet, QueryEngine } from '../../query/query-engine.js';
import { QueryError } from '../../query/query-error.js';
import { parseTime } from '../../query/time.js';
import type { StoredEvent } from '../../store/sqlite-reader.js';
import type { NewEvent } from '../../store/write-batch.js';
import { requireToken } from '../auth.js';

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

/** Where events are written: the writer thread, which owns every write to the database. */
export interface EventStore {
  addEvent(event: NewEvent): Promise<StoredEvent>;
  deleteEvent(id: number): Promise<StoredEvent | undefined>;
}

export interface EventsRouteOptions {
  engine: QueryEngine;
  store: EventStore;
  /** Bearer token required to write; null leaves writes open. */
  token: string | null;
  now: () => number;
}

/** How far ahead of the collector's clock `when` may be (clock skew, a scheduled deploy); more is a mistake. */
export const MAX_FUTURE_SEC = 86_400;
const MAX_TAGS = 100;
const MAX_TAG_LENGTH = 256;
const MAX_BODY_BYTES = 256 * 1024;

interface PostBody {
  what: string;
  tags?: unknown;
  data?: string;
  when?: number | null;
}

/**
 * graphite-web's POST /events/ body. `tags` has no schema here: its one rule (array or space-separated string)
 * is checked by parseEventTags so that the answer carries graphite-web's own message.
 */
const postBodySchema = {
  type: 'object',
  required: ['what'],
  properties: {
    what: { type: 'string', minLength: 1, maxLength: 1024, pattern: '\\S' },
    tags: {},
    data: { type: 'string', maxLength: 65_536 },
    when: { type: ['number', 'null'], minimum: 0 },
  },
} as const;

/** graphite-web's event as its JSON views write it. */
export function graphiteEvent(e: StoredEvent) {
  return { when: e.ts, what: e.what, data: e.data, tags: e.tags, id: e.id };
}

/**
 * graphite-web's rule for `tags`: an array (of strings) or a space-separated string; null or absent is none.
 * Each tag is split on whitespace (graphite-web joins an array with spaces before parsing it), blanks are
 * dropped and repeats kept once, in order.
 */
export function parseEventTags(raw: unknown): string[] {
  let parts: string[];
  if (raw === undefined || raw === null) parts = [];
  else if (typeof raw === 'string') parts = [raw];
  else if (Array.isArray(raw) && raw.every((t) => typeof t === 'string')) parts = raw;
  else throw new QueryError('"tags" must be an array or space-separated string');
  const tags = [...new Set(parts.flatMap((p) => p.split(/\s+/)).filter((t) => t !== ''))];
  if (tags.length > MAX_TAGS) throw new QueryError(`"tags" has ${tags.length} tags, more than ${MAX_TAGS}`);
  const long = tags.find((t) => t.length > MAX_TAG_LENGTH);
  if (long !== undefined) {
    throw new QueryError(`tag "${long.slice(0, 40)}…" is longer than ${MAX_TAG_LENGTH} characters`);
  }
  return tags;
}

/** `when` in whole epoch seconds: now when absent; refused when more than MAX_FUTURE_SEC ahead of now. */
export function eventTime(when: number | null | undefined, now: number): number {
  if (when === undefined || when === null) return now;
  const ts = Math.floor(when);
  if (ts > now + MAX_FUTURE_SEC) {
    const hint = ts > 1e11 ? ' (it looks like milliseconds)' : '';
    throw new QueryError(`"when" ${when} is more than a day in the future (now is ${now}); it is epoch seconds${hint}`);
  }
  return ts;
}

/**
 * graphite-web's events (webapp/graphite/events/views.py): the list Grafana's annotations ask for, one event
 * by id, POST /events to record one (a deploy is an event tagged `deploy`) and DELETE /events/:id. DogStatsD
 * `_e{…}` lines arrive through the flushes instead.
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

  // The writes live in their own scope: the bearer token is checked before the body is read, and the body is
  // JSON whatever its Content-Type says, as graphite-web reads it (`curl -d '{…}'` sends a form type).
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', requireToken(opts.token));
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      try {
        done(null, JSON.parse(text));
      } catch (err) {
        const bad = new Error(`invalid JSON body: ${(err as Error).message.split('\n')[0]}`) as FastifyError;
        bad.statusCode = 400;
        done(bad, undefined);
      }
    });

    scope.post<{ Body: PostBody }>('/events', { schema: { body: postBodySchema } }, async (req) => {
      const { what, data, when } = req.body;
      const event: NewEvent = {
        ts: eventTime(when, opts.now()),
        what,
        data: data ?? '',
        tags: parseEventTags(req.body.tags),
      };
      return graphiteEvent(await opts.store.addEvent(event));
    });

    scope.delete<{ Params: { id: string } }>('/events/:id', { schema: { params: idSchema } }, async (req) => {
      const deleted = await opts.store.deleteEvent(Number(req.params.id));
      if (!deleted) throw new QueryError('Event matching query does not exist', 404);
      return graphiteEvent(deleted);
    });
    done();
  });
}
