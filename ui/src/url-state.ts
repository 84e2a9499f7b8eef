import { DEFAULT_RANGE, type TimeRange } from './time-range.js';

/**
 * Every view's state lives in the URL's hash (`#/dashboard/ops?from=-6h&until=now`), so a link reproduces
 * the view and the collector only ever serves one page. Views change the URL with pushState (no reload);
 * the router rebuilds the view on back and forward.
 */

export type Route =
  | { view: 'explore' }
  | { view: 'dashboards' }
  | { view: 'dashboard'; id: string }
  | { view: 'deploy'; id: number }
  | { view: 'missing'; path: string };

export interface Place {
  route: Route;
  params: URLSearchParams;
}

export function parsePlace(hash: string): Place {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = (q === -1 ? text : text.slice(0, q))
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const params = new URLSearchParams(q === -1 ? '' : text.slice(q + 1));
  const [head, arg] = path;
  let route: Route;
  if (head === undefined || head === 'explore') route = { view: 'explore' };
  else if (head === 'dashboards' && arg === undefined) route = { view: 'dashboards' };
  else if (head === 'dashboard' && arg !== undefined) route = { view: 'dashboard', id: arg };
  else if (head === 'deploy' && arg !== undefined && /^\d+$/.test(arg)) route = { view: 'deploy', id: Number(arg) };
  else route = { view: 'missing', path: path.join('/') };
  return { route, params };
}

export function href(route: Route, params?: URLSearchParams | Record<string, string>): string {
  let path: string;
  switch (route.view) {
    case 'explore':
      path = 'explore';
      break;
    case 'dashboards':
      path = 'dashboards';
      break;
    case 'dashboard':
      path = `dashboard/${encodeURIComponent(route.id)}`;
      break;
    case 'deploy':
      path = `deploy/${route.id}`;
      break;
    default:
      path = route.path;
  }
  const q = new URLSearchParams(params).toString();
  return `#/${path}${q ? `?${q}` : ''}`;
}

/**
 * The hash the page shows now. Back across a hash change fires both popstate and hashchange; the router
 * acts on the first and skips the second, which finds the hash already shown.
 */
let shown: string | null = null;

/** True when `hash` is new to the router (and remembers it). */
export function arrivedAt(hash: string): boolean {
  if (hash === shown) return false;
  shown = hash;
  return true;
}

/** What this UI keeps in history.state: how many range changes lead to this entry (Back steps through them). */
export interface HistoryState {
  rangeDepth: number;
}

export function rangeDepth(): number {
  return (history.state as HistoryState | null)?.rangeDepth ?? 0;
}

/**
 * Records a view's new state. A new range is a new history entry, so Back (ours or the browser's) returns to
 * the previous range; other changes replace the entry in place.
 */
export function setUrl(hash: string, mode: 'range' | 'replace'): void {
  shown = hash;
  if (mode === 'range') {
    history.pushState({ rangeDepth: rangeDepth() + 1 } satisfies HistoryState, '', hash);
  } else if (location.hash !== hash) {
    history.replaceState(history.state, '', hash);
  }
}

/** Goes to another view: the router hears the hashchange and mounts it. */
export function go(hash: string): void {
  location.hash = hash;
}

export function rangeFrom(params: URLSearchParams, fallback: TimeRange = DEFAULT_RANGE): TimeRange {
  return { from: params.get('from') || fallback.from, until: params.get('until') || fallback.until };
}

export function writeRange(params: URLSearchParams, range: TimeRange): void {
  params.set('from', range.from);
  params.set('until', range.until);
}
