import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { JsonFormatPool, type PooledBody } from '../../query/json-format-pool.js';
import type { QueryEngine } from '../../query/query-engine.js';
import { QueryError } from '../../query/query-error.js';
import { formatCsv } from '../../query/render-format.js';
import { parseTime } from '../../query/time.js';

interface RenderParams {
  target?: string | string[];
  'target[]'?: string | string[];
  from?: string;
  until?: string;
  now?: string;
  format?: 'json' | 'csv';
  maxDataPoints?: string;
  noNullPoints?: string;
  jsonp?: string;
  tz?: string;
}

const stringOrList = {
  anyOf: [
    { type: 'string', maxLength: 65536 },
    { type: 'array', items: { type: 'string', maxLength: 65536 }, maxItems: 500 },
  ],
};

/** graphite-web's /render parameters; unknown ones (cacheTimeout, meta, local, …) are accepted and ignored. */
const paramsSchema = {
  type: 'object',
  properties: {
    target: stringOrList,
    'target[]': stringOrList,
    from: { type: 'string', maxLength: 256 },
    until: { type: 'string', maxLength: 256 },
    now: { type: 'string', maxLength: 256 },
    format: { type: 'string', enum: ['json', 'csv'] },
    maxDataPoints: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
    noNullPoints: { type: 'string' },
    jsonp: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$.]{0,127}$' },
    tz: { type: 'string', maxLength: 64 },
  },
} as const;

/** Bodies from this size on are sent as their pieces; below it one copy costs less than a stream. */
const LARGE_BODY = 1 << 20;

export interface RenderRouteOptions {
  engine: QueryEngine;
  now: () => number;
}

export function renderRoutes(app: FastifyInstance, opts: RenderRouteOptions): void {
  const json = new JsonFormatPool();
  app.addHook('onClose', () => json.close());
  const handler = async (query: RenderParams, body: RenderParams | undefined) => {
    const p: RenderParams = { ...query, ...(body ?? {}) };
    const targets = [query.target, query['target[]'], body?.target, body?.['target[]']].flatMap((t) =>
      t === undefined ? [] : Array.isArray(t) ? t : [t],
    );
    const clock = p.now !== undefined ? parseTime(p.now, opts.now(), p.tz) : opts.now();
    let from = parseTime(p.from ?? '-1d', clock, p.tz);
    let until = parseTime(p.until ?? 'now', clock, p.tz);
    if (from === until) throw new QueryError('Invalid parameters (Invalid empty time range)');
    if (from > until) [from, until] = [until, from];
    const series = await opts.engine.render(targets, { from, until, now: clock });
    if (p.format === 'csv') return { type: 'text/csv', body: formatCsv(series, p.tz) };
    const out = await json.format(series, {
      maxDataPoints: p.maxDataPoints === undefined ? undefined : Number(p.maxDataPoints),
      noNullPoints: p.noNullPoints !== undefined,
    });
    if (!p.jsonp) return { type: 'application/json', body: out };
    const open = Buffer.from(`${p.jsonp}(`);
    return {
      type: 'text/javascript',
      body: { ...out, pieces: [open, ...out.pieces, Buffer.from(')')], length: open.length + out.length + 1 },
    };
  };

  const send = (reply: FastifyReply, out: { type: string; body: string | PooledBody }) => {
    reply.type(out.type);
    const { body } = out;
    if (typeof body === 'string') return reply.send(body);
    if (body.pieces.length === 1 || body.length < LARGE_BODY) {
      const joined = Buffer.concat(body.pieces, body.length);
      body.release();
      return reply.send(joined);
    }
    // A large body goes out piece by piece (a series' object each) instead of being copied into one buffer.
    // Its buffers go back to the pool once the response is done with them: sent, or its connection gone.
    reply.raw.once('close', body.release);
    return reply.header('content-length', body.length).send(Readable.from(body.pieces, { objectMode: false }));
  };
  app.get<{ Querystring: RenderParams }>('/render', { schema: { querystring: paramsSchema } }, async (req, reply) =>
    send(reply, await handler(req.query, undefined)),
  );
  app.post<{ Querystring: RenderParams; Body: RenderParams }>(
    '/render',
    { schema: { querystring: paramsSchema, body: paramsSchema } },
    async (req, reply) => send(reply, await handler(req.query, req.body)),
  );
}
