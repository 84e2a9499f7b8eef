import type { FastifyInstance } from 'fastify';
import { QueryError } from '../../query/query-error.js';
import type { TagIndex } from '../../query/tag-index.js';

type StringOrList = string | string[];

interface TagsParams {
  expr?: StringOrList;
  'expr[]'?: StringOrList;
  filter?: string;
  tag?: string;
  tagPrefix?: string;
  valuePrefix?: string;
  limit?: string;
}

const exprList = {
  anyOf: [
    { type: 'string', maxLength: 4096 },
    { type: 'array', items: { type: 'string', maxLength: 4096 }, maxItems: 100 },
  ],
};

/** graphite-web's /tags parameters; what else Grafana sends (from, until, pretty, …) is accepted and ignored. */
const paramsSchema = {
  type: 'object',
  properties: {
    expr: exprList,
    'expr[]': exprList,
    filter: { type: 'string', maxLength: 1024 },
    tag: { type: 'string', maxLength: 1024 },
    tagPrefix: { type: 'string', maxLength: 1024 },
    valuePrefix: { type: 'string', maxLength: 4096 },
    limit: { type: 'string', pattern: '^[0-9]{1,9}$' },
  },
} as const;

export interface TagsRouteOptions {
  tags: TagIndex;
  /** Series /tags/findSeries may list before it is refused with a 4xx (the /render limit). */
  maxSeries: number;
}

/** `expr=a=b&expr=c=d`, or the `expr[]=` form; blank ones are dropped. */
function expressions(p: TagsParams): string[] {
  const list = p.expr ?? p['expr[]'];
  return (list === undefined ? [] : Array.isArray(list) ? list : [list]).filter((e) => e.trim() !== '');
}

function limitOf(p: TagsParams): number | undefined {
  return p.limit === undefined ? undefined : Number(p.limit);
}

/** graphite-web's tag API (webapp/graphite/tags/views.py) over the tag index, in its JSON shapes. */
export function tagsRoutes(app: FastifyInstance, opts: TagsRouteOptions): void {
  const { tags } = opts;
  const schema = { querystring: paramsSchema };
  const bodySchema = { querystring: paramsSchema, body: paramsSchema };

  // Like graphite-web, the read routes that take expressions answer GET and form POST (parameters merged).
  const getOrPost = (url: string, handler: (p: TagsParams) => unknown) => {
    app.get<{ Querystring: TagsParams }>(url, { schema }, async (req) => handler(req.query));
    app.post<{ Querystring: TagsParams; Body: TagsParams }>(url, { schema: bodySchema }, async (req) =>
      handler({ ...req.query, ...(req.body ?? {}) }),
    );
  };

  app.get<{ Querystring: TagsParams }>('/tags', { schema }, async (req) =>
    tags.listTags(req.query.filter, limitOf(req.query)).map((tag) => ({ tag })),
  );

  // An unknown tag is `null`, as graphite-web answers it (Grafana then shows no values).
  app.get<{ Params: { tag: string }; Querystring: TagsParams }>('/tags/:tag', { schema }, async (req, reply) => {
    const values = tags.tagValues(req.params.tag, req.query.filter, limitOf(req.query));
    const body = values === null ? null : { tag: req.params.tag, values };
    return reply.type('application/json').send(JSON.stringify(body));
  });

  getOrPost('/tags/findSeries', (p) => {
    const exprs = expressions(p);
    if (exprs.length === 0) throw new QueryError('Invalid parameters (no tag expressions specified)');
    const leaves = tags.find(exprs);
    if (leaves.length > opts.maxSeries) {
      throw new QueryError(`the expressions match ${leaves.length} series, more than the limit of ${opts.maxSeries}`);
    }
    return leaves.map((l) => l.path);
  });

  getOrPost('/tags/autoComplete/tags', (p) => tags.autoCompleteTags(expressions(p), p.tagPrefix, limitOf(p)));

  getOrPost('/tags/autoComplete/values', (p) => {
    if (!p.tag) throw new QueryError('Invalid parameters (no tag specified)');
    return tags.autoCompleteValues(expressions(p), p.tag, p.valuePrefix, limitOf(p));
  });
}
