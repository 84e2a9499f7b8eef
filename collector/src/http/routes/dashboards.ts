import type { FastifyInstance } from 'fastify';
import { selfSeries } from '../../aggregate/self-series.js';
import { QueryError } from '../../query/query-error.js';
import type { StoredDashboard } from '../../store/sqlite-reader.js';
import { requireToken } from '../auth.js';

/**
 * Saved dashboards for the UI (DESIGN §5): GET /dashboards lists them, GET|PUT|DELETE /dashboards/:id reads,
 * creates or replaces, and deletes one. The body is the UI's JSON (title, panels, default range), kept as sent
 * once the schema has checked it. Writes go through the writer thread and need the bearer token when one is set.
 */

/** The read side (the main thread's SQLite reader). */
export interface DashboardReader {
  listDashboards(): StoredDashboard[];
  getDashboard(id: string): StoredDashboard | undefined;
}

/** The write side (the writer thread, which owns every write). */
export interface DashboardWriter {
  putDashboard(dashboard: StoredDashboard): Promise<StoredDashboard>;
  deleteDashboard(id: string): Promise<StoredDashboard | undefined>;
}

export interface DashboardsRouteOptions {
  read: DashboardReader;
  write: DashboardWriter;
  /** Bearer token required to write; null leaves writes open. */
  token: string | null;
  now: () => number;
  /** --prefix-stats: the built-in dashboard graphs this collector's own series. */
  prefixStats: string;
}

export interface Panel {
  title?: string;
  targets: string[];
  /** Columns of a 12-column grid. */
  width?: number;
  /** Pixels. */
  height?: number;
}

export interface DashboardBody {
  title: string;
  panels: Panel[];
  from?: string;
  until?: string;
  refresh?: string;
}

/** What GET answers: the body plus id, last change and whether it is the built-in one. */
export interface Dashboard extends DashboardBody {
  id: string;
  updated: number;
  readOnly: boolean;
}

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';

const idSchema = {
  type: 'object',
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
  required: ['id'],
} as const;

/** Unknown fields are dropped (fastify's ajv removes additional properties), so an export from a newer UI imports. */
const bodySchema = {
  type: 'object',
  required: ['title', 'panels'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    from: { type: 'string', minLength: 1, maxLength: 64 },
    until: { type: 'string', minLength: 1, maxLength: 64 },
    refresh: { type: 'string', maxLength: 16 },
    panels: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['targets'],
        additionalProperties: false,
        properties: {
          title: { type: 'string', maxLength: 200 },
          targets: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 8192 } },
          width: { type: 'integer', minimum: 1, maximum: 12 },
          height: { type: 'integer', minimum: 100, maximum: 1200 },
        },
      },
    },
  },
} as const;

/** The built-in "Collector" dashboard: the collector's own series (under --prefix-stats), read-only. */
export function builtInDashboard(prefixStats: string): Dashboard {
  const own = selfSeries(prefixStats);
  return {
    id: 'collector',
    title: 'Collector',
    readOnly: true,
    updated: 0,
    from: '-1h',
    until: 'now',
    panels: [
      {
        title: 'Packets and metrics received /s',
        targets: [own.counter('packets_received.rate'), own.counter('metrics_received.rate')],
        width: 6,
      },
      { title: 'Bad lines per interval', targets: [own.counter('bad_lines_seen.count')], width: 6 },
      { title: 'Flush time', targets: [own.stat('sqliteStats.flush_time')], width: 6 },
      { title: 'Series', targets: [own.stat('numStats')], width: 6 },
    ],
  };
}

function fromStored(d: StoredDashboard): Dashboard {
  return { ...(JSON.parse(d.body) as DashboardBody), id: d.id, updated: d.updated, readOnly: false };
}

function readOnly(id: string): QueryError {
  return new QueryError(`dashboard "${id}" is built in and read-only; save a copy under another id`, 403);
}

export function dashboardsRoutes(app: FastifyInstance, opts: DashboardsRouteOptions): void {
  const BUILT_IN = builtInDashboard(opts.prefixStats);
  app.get('/dashboards', async () =>
    [BUILT_IN, ...opts.read.listDashboards().map(fromStored)].map((d) => ({
      id: d.id,
      title: d.title,
      panels: d.panels.length,
      updated: d.updated,
      readOnly: d.readOnly,
    })),
  );

  app.get<{ Params: { id: string } }>('/dashboards/:id', { schema: { params: idSchema } }, async (req) => {
    if (req.params.id === BUILT_IN.id) return BUILT_IN;
    const stored = opts.read.getDashboard(req.params.id);
    if (!stored) throw new QueryError(`no dashboard "${req.params.id}"`, 404);
    return fromStored(stored);
  });

  // Writes live in their own scope so the token is checked before the body is read.
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', requireToken(opts.token));

    scope.put<{ Params: { id: string }; Body: DashboardBody }>(
      '/dashboards/:id',
      { schema: { params: idSchema, body: bodySchema } },
      async (req) => {
        const { id } = req.params;
        if (id === BUILT_IN.id) throw readOnly(id);
        const { title, panels, from, until, refresh } = req.body;
        const body: DashboardBody = { title: title.trim(), panels, from, until, refresh };
        const stored = await opts.write.putDashboard({
          id,
          title: body.title,
          body: JSON.stringify(body),
          updated: opts.now(),
        });
        return fromStored(stored);
      },
    );

    scope.delete<{ Params: { id: string } }>('/dashboards/:id', { schema: { params: idSchema } }, async (req) => {
      const { id } = req.params;
      if (id === BUILT_IN.id) throw readOnly(id);
      const deleted = await opts.write.deleteDashboard(id);
      if (!deleted) throw new QueryError(`no dashboard "${id}"`, 404);
      return fromStored(deleted);
    });
    done();
  });
}
