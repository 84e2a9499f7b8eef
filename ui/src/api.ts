/**
 * The collector's HTTP API as the UI uses it. Errors carry the server's one-line reason (its 4xx bodies are
 * plain text), so views can show exactly what the server said.
 */

export interface GraphiteSeries {
  target: string;
  tags: Record<string, string>;
  datapoints: Array<[number | null, number]>;
}

export interface FindNode {
  text: string;
  id: string;
  leaf: 0 | 1;
  expandable: 0 | 1;
}

/** A deploy: an event tagged `deploy` (graphite-web's event shape plus its id). */
export interface Deploy {
  id: number;
  when: number;
  what: string;
  data: string;
  tags: string[];
}

export interface WindowSummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p99: number | null;
}

export interface SeriesImpact {
  target: string;
  step: number;
  before: WindowSummary;
  after: WindowSummary;
  change: { mean: number | null; p50: number | null; p99: number | null };
  verdict: 'better' | 'worse' | 'unchanged' | 'unknown';
  reason: string;
}

export interface ImpactReport {
  deploy: Deploy;
  window: number;
  before: { from: number; until: number };
  after: { from: number; until: number };
  test: { name: string; alpha: number; minChange: number; better: 'lower' | 'higher' };
  series: SeriesImpact[];
}

export interface ApiPanel {
  title?: string;
  targets: string[];
  width?: number;
  height?: number;
}

export interface ApiDashboard {
  id: string;
  title: string;
  panels: ApiPanel[];
  from?: string;
  until?: string;
  refresh?: string;
  updated: number;
  readOnly: boolean;
}

export interface DashboardSummary {
  id: string;
  title: string;
  panels: number;
  updated: number;
  readOnly: boolean;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'trendline.token';

/** The bearer token for writes, kept in this browser once the user has typed it. */
export const token = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (value: string): void => localStorage.setItem(TOKEN_KEY, value),
};

// Relative URLs, so the UI works wherever the collector serves it.
async function call(path: string, init: RequestInit = {}, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the collector (${(err as Error).message})`, 0);
  }
  if (!res.ok) {
    const text = (await res.text()).trim();
    // Fastify's own 404 is JSON; everything of ours is one line of text.
    let reason = text.split('\n')[0] || res.statusText;
    if (text.startsWith('{')) {
      try {
        reason = (JSON.parse(text) as { message?: string }).message ?? reason;
      } catch {}
    }
    throw new ApiError(reason, res.status);
  }
  return res;
}

async function json<T>(path: string, init?: RequestInit, signal?: AbortSignal): Promise<T> {
  return (await (await call(path, init, signal)).json()) as T;
}

function writeHeaders(withBody: boolean): Record<string, string> {
  // No content-type without a body: fastify refuses an empty body that claims to be JSON.
  const headers: Record<string, string> = withBody ? { 'content-type': 'application/json' } : {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  return headers;
}

export interface RenderRequest {
  targets: readonly string[];
  from: string;
  until: string;
  maxDataPoints?: number;
}

/**
 * POST, so long expressions never hit a URL length limit. Resolves to the raw text: the caller parses it and
 * times the parse as part of drawing (see perf.ts).
 */
export async function renderText(req: RenderRequest, signal?: AbortSignal): Promise<string> {
  const body = new URLSearchParams({ from: req.from, until: req.until, format: 'json' });
  if (req.maxDataPoints) body.set('maxDataPoints', String(Math.round(req.maxDataPoints)));
  for (const t of req.targets) body.append('target', t);
  return (await call('render', { method: 'POST', body }, signal)).text();
}

export function findMetrics(query: string, signal?: AbortSignal): Promise<FindNode[]> {
  return json(`metrics/find?${new URLSearchParams({ query })}`, undefined, signal);
}

export function allMetricNames(signal?: AbortSignal): Promise<string[]> {
  return json('metrics/index.json', undefined, signal);
}

/** Deploys in [from, until], newest first; falls back to the Graphite event list on an older collector. */
export async function listDeploys(from: string, until: string, signal?: AbortSignal): Promise<Deploy[]> {
  const q = new URLSearchParams({ from, until });
  try {
    return await json<Deploy[]>(`deploys?${q}`, undefined, signal);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    q.set('tags', 'deploy');
    const events = await json<Deploy[]>(`events/get_data?${q}`, undefined, signal);
    return events.reverse();
  }
}

export function deployImpact(
  id: number,
  targets: readonly string[],
  window: string,
  better: string,
  signal?: AbortSignal,
): Promise<ImpactReport> {
  const q = new URLSearchParams({ window, better });
  for (const t of targets) q.append('target', t);
  return json(`deploys/${id}/impact?${q}`, undefined, signal);
}

export function listDashboards(signal?: AbortSignal): Promise<DashboardSummary[]> {
  return json('dashboards', undefined, signal);
}

export function getDashboard(id: string, signal?: AbortSignal): Promise<ApiDashboard> {
  return json(`dashboards/${encodeURIComponent(id)}`, undefined, signal);
}

export function putDashboard(id: string, body: Omit<ApiDashboard, 'id' | 'updated' | 'readOnly'>) {
  return json<ApiDashboard>(`dashboards/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: writeHeaders(true),
    body: JSON.stringify(body),
  });
}

export async function deleteDashboard(id: string): Promise<void> {
  await call(`dashboards/${encodeURIComponent(id)}`, { method: 'DELETE', headers: writeHeaders(false) });
}

export function getEvent(id: number, signal?: AbortSignal): Promise<Deploy> {
  return json(`events/${id}`, undefined, signal);
}
