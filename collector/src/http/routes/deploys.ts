import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../../config-error.js';
import {
  type Better,
  DEFAULT_IMPACT_OPTIONS,
  deployImpact,
  type ImpactOptions,
  type ImpactWindows,
  impactWindows,
  renderRange,
  type SeriesImpact,
} from '../../deploys/impact.js';
import type { QueryEngine } from '../../query/query-engine.js';
import { QueryError } from '../../query/query-error.js';
import { parseTime } from '../../query/time.js';
import { parseDuration } from '../../store/retention.js';
import type { StoredEvent } from '../../store/sqlite-reader.js';
import { graphiteEvent } from './events.js';

/** The tag that makes an event a deploy (DESIGN §6). */
export const DEPLOY_TAG = 'deploy';
/** Longest window /deploys/:id/impact compares on each side. */
export const MAX_WINDOW_SEC = 7 * 86_400;
const DEFAULT_LIMIT = 1000;

interface ListParams {
  from?: string;
  until?: string;
  tags?: string;
  limit?: number;
  tz?: string;
}

const listSchema = {
  type: 'object',
  properties: {
    from: { type: 'string', maxLength: 256 },
    until: { type: 'string', maxLength: 256 },
    tags: { type: 'string', maxLength: 4096 },
    limit: { type: 'integer', minimum: 1, maximum: 100_000 },
    tz: { type: 'string', maxLength: 64 },
  },
} as const;

interface ImpactParams {
  target: string[];
  window?: string;
  better?: Better;
  alpha?: number;
  minChange?: number;
  minPoints?: number;
}

const impactSchema = {
  type: 'object',
  required: ['target'],
  properties: {
    // A repeated target is an array; a single one becomes an array of one (fastify coerces).
    target: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 65_536 }, minItems: 1, maxItems: 50 },
    window: { type: 'string', maxLength: 32 },
    better: { type: 'string', enum: ['lower', 'higher'] },
    alpha: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
    minChange: { type: 'number', minimum: 0, maximum: 1_000_000 },
    minPoints: { type: 'integer', minimum: 2, maximum: 100_000 },
  },
} as const;

const idSchema = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } },
  required: ['id'],
} as const;

export interface DeploysRouteOptions {
  engine: QueryEngine;
  now: () => number;
}

/** Deploys (events tagged `deploy` and every tag in `tags`) with from <= when <= until, newest first. */
export function listDeploys(engine: QueryEngine, from: number, until: number, tags: readonly string[]): StoredEvent[] {
  return engine.events(from, until, [DEPLOY_TAG, ...tags.filter((t) => t !== DEPLOY_TAG)]).reverse();
}

export interface ImpactReport {
  deploy: ReturnType<typeof graphiteEvent>;
  window: number;
  before: ImpactWindows['before'];
  after: ImpactWindows['after'];
  test: {
    name: string;
    alpha: number;
    minChange: number;
    minPoints: number;
    better: Better;
  };
  series: SeriesImpact[];
}

/** Renders the targets around the deploy and compares each series' windows (see deploys/impact.ts). */
export async function deployImpactReport(
  engine: QueryEngine,
  deploy: StoredEvent,
  targets: readonly string[],
  options: ImpactOptions,
  now: number,
): Promise<ImpactReport> {
  const { from, until } = renderRange(deploy.ts, options.windowSec);
  const series = await engine.render(targets, { from, until, now });
  const windows = impactWindows(deploy.ts, options.windowSec, now);
  return {
    deploy: graphiteEvent(deploy),
    window: options.windowSec,
    ...windows,
    test: {
      name: 'Mann-Whitney U, two-sided, on the interval values',
      alpha: options.alpha,
      minChange: options.minChangePct,
      minPoints: options.minPoints,
      better: options.better,
    },
    series: deployImpact(series, deploy.ts, now, options),
  };
}

function parseWindow(text: string | undefined): number {
  if (text === undefined) return DEFAULT_IMPACT_OPTIONS.windowSec;
  let sec: number;
  try {
    sec = parseDuration(text, 'window');
  } catch (err) {
    if (err instanceof ConfigError) throw new QueryError(`Invalid parameters (${err.message})`);
    throw err;
  }
  if (!Number.isInteger(sec) || sec < 1 || sec > MAX_WINDOW_SEC) {
    throw new QueryError(
      `Invalid parameters (window ${JSON.stringify(text)}: expected whole seconds from 1s to ${MAX_WINDOW_SEC / 86_400}d)`,
    );
  }
  return sec;
}

/**
 * GET /deploys lists deploys with their ids, newest first; GET /deploys/:id/impact says, per series of a
 * target, what the deploy changed.
 */
export function deploysRoutes(app: FastifyInstance, opts: DeploysRouteOptions): void {
  app.get<{ Querystring: ListParams }>('/deploys', { schema: { querystring: listSchema } }, async (req) => {
    const p = req.query;
    const now = opts.now();
    const from = p.from === undefined ? 0 : parseTime(p.from, now, p.tz);
    const until = p.until === undefined ? now : parseTime(p.until, now, p.tz);
    // Space-separated, as /events/get_data (a '+' in a query string is a space).
    const tags = (p.tags ?? '').split(' ').filter((t) => t !== '');
    return listDeploys(opts.engine, from, until, tags)
      .slice(0, p.limit ?? DEFAULT_LIMIT)
      .map(graphiteEvent);
  });

  app.get<{ Params: { id: string }; Querystring: ImpactParams }>(
    '/deploys/:id/impact',
    { schema: { params: idSchema, querystring: impactSchema } },
    async (req) => {
      const event = opts.engine.event(Number(req.params.id));
      if (!event) throw new QueryError('Deploy matching query does not exist', 404);
      if (!event.tags.includes(DEPLOY_TAG)) {
        throw new QueryError(`event ${event.id} is not a deploy: it has no "${DEPLOY_TAG}" tag`, 404);
      }
      const p = req.query;
      const options: ImpactOptions = {
        windowSec: parseWindow(p.window),
        alpha: p.alpha ?? DEFAULT_IMPACT_OPTIONS.alpha,
        minChangePct: p.minChange ?? DEFAULT_IMPACT_OPTIONS.minChangePct,
        minPoints: p.minPoints ?? DEFAULT_IMPACT_OPTIONS.minPoints,
        better: p.better ?? DEFAULT_IMPACT_OPTIONS.better,
      };
      return deployImpactReport(opts.engine, event, p.target, options, opts.now());
    },
  );
}
