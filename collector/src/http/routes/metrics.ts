import type { FastifyInstance, FastifyReply } from 'fastify';
import { compileGlob } from '../../query/glob.js';
import type { FoundNode, NameIndex } from '../../query/name-index.js';
import { QueryError } from '../../query/query-error.js';

interface FindParams {
  query?: string;
  format?: 'treejson' | 'completer' | 'json';
  wildcards?: string;
  leavesOnly?: string;
  from?: string;
  until?: string;
}

const findSchema = {
  type: 'object',
  properties: {
    query: { type: 'string', maxLength: 4096 },
    format: { type: 'string', enum: ['treejson', 'completer', 'json'] },
    wildcards: { type: 'string', enum: ['0', '1'] },
    leavesOnly: { type: 'string', enum: ['0', '1'] },
  },
} as const;

const expandSchema = {
  type: 'object',
  properties: {
    query: {
      anyOf: [
        { type: 'string', maxLength: 4096 },
        { type: 'array', items: { type: 'string', maxLength: 4096 }, maxItems: 100 },
      ],
    },
    groupByExpr: { type: 'string', enum: ['0', '1'] },
    leavesOnly: { type: 'string', enum: ['0', '1'] },
  },
} as const;

/** graphite-web's metrics API: find (treejson, completer, json), expand and index.json. */
export function metricsRoutes(app: FastifyInstance, opts: { index: NameIndex }): void {
  const { index } = opts;

  const find = (p: FindParams, reply: FastifyReply) => {
    if (p.query === undefined || p.query === '') {
      throw new QueryError("Invalid parameters (Missing required parameter 'query')");
    }
    const format = p.format ?? 'treejson';
    // The completer completes what was typed so far, as graphite-web does.
    const query = format === 'completer' ? `${p.query.replaceAll('..', '*.')}*` : p.query;
    let nodes = index.find(compileGlob(query));
    if (p.leavesOnly === '1') nodes = nodes.filter((n) => n.isLeaf);
    void reply.header('cache-control', 'no-cache').header('pragma', 'no-cache');
    if (format === 'completer') {
      return {
        metrics: entries(nodes).map(({ node, leaf }) => ({
          path: leaf ? node.path : `${node.path}.`,
          name: node.name,
          is_leaf: leaf ? '1' : '0',
        })),
      };
    }
    if (format === 'json') {
      return entries(nodes).map(({ node, leaf }) => ({ path: node.path, is_leaf: leaf, intervals: [] }));
    }
    const base = query.includes('.') ? query.slice(0, query.lastIndexOf('.') + 1) : '';
    const out = entries(nodes).map(({ node, leaf }) => ({
      text: node.name,
      id: `${base}${node.name}`,
      allowChildren: leaf ? 0 : 1,
      expandable: leaf ? 0 : 1,
      leaf: leaf ? 1 : 0,
    }));
    if (p.wildcards === '1' && out.length > 1) {
      out.unshift({ text: '*', id: `${base}*`, allowChildren: 1, expandable: 1, leaf: 0 });
    }
    return out;
  };

  app.get<{ Querystring: FindParams }>('/metrics/find', { schema: { querystring: findSchema } }, async (req, reply) =>
    find(req.query, reply),
  );
  app.post<{ Querystring: FindParams; Body: FindParams }>(
    '/metrics/find',
    { schema: { querystring: findSchema, body: findSchema } },
    async (req, reply) => find({ ...req.query, ...req.body }, reply),
  );

  app.get<{ Querystring: { query?: string | string[]; groupByExpr?: string; leavesOnly?: string } }>(
    '/metrics/expand',
    { schema: { querystring: expandSchema } },
    async (req) => {
      const q = req.query.query;
      const queries = q === undefined ? [] : Array.isArray(q) ? q : [q];
      if (queries.length === 0) throw new QueryError("Invalid parameters (Missing required parameter 'query')");
      const byQuery: Record<string, string[]> = {};
      for (const query of queries) {
        let nodes = index.find(compileGlob(query));
        if (req.query.leavesOnly === '1') nodes = nodes.filter((n) => n.isLeaf);
        byQuery[query] = [...new Set(nodes.map((n) => n.path))].sort();
      }
      if (req.query.groupByExpr === '1') return { results: byQuery };
      return { results: [...new Set(Object.values(byQuery).flat())].sort() };
    },
  );

  app.get('/metrics/index.json', async () => index.allLeafPaths());
}

/** Branches first, then leaves; a node that is both appears twice, as a directory and a file do in Whisper. */
function entries(nodes: readonly FoundNode[]): Array<{ node: FoundNode; leaf: boolean }> {
  return [
    ...nodes.filter((n) => n.isBranch).map((node) => ({ node, leaf: false })),
    ...nodes.filter((n) => n.isLeaf).map((node) => ({ node, leaf: true })),
  ];
}
