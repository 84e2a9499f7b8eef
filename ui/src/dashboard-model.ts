import type { ApiDashboard, ApiPanel } from './api.js';

/**
 * A dashboard as the UI edits it: a title and panels (one graph each) on a 12-column grid. The same JSON is
 * saved through PUT /dashboards/:id and exported or imported as a file, so the server's schema and this
 * module agree on it. Edits happen on a draft; only Save sends it.
 */

export interface Panel {
  title: string;
  targets: string[];
  /** Columns of 12. */
  width: number;
  /** Pixels of plot. */
  height: number;
}

export interface Dashboard {
  id: string;
  title: string;
  panels: Panel[];
  from?: string;
  until?: string;
  readOnly: boolean;
}

/** Panel widths offered, in columns of 12: a quarter, a third, a half, two thirds, full. */
export const WIDTHS: readonly number[] = [3, 4, 6, 8, 12];
export const MIN_HEIGHT = 120;
export const MAX_HEIGHT = 800;
const HEIGHT_STEP = 60;
const DEFAULT_HEIGHT = 220;

export function newPanel(targets: string[] = []): Panel {
  return { title: '', targets, width: 6, height: DEFAULT_HEIGHT };
}

function fromApiPanel(p: ApiPanel): Panel {
  return {
    title: p.title ?? '',
    targets: [...p.targets],
    width: Math.min(12, Math.max(1, p.width ?? 6)),
    height: Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, p.height ?? DEFAULT_HEIGHT)),
  };
}

export function fromApi(a: ApiDashboard): Dashboard {
  return {
    id: a.id,
    title: a.title,
    panels: a.panels.map(fromApiPanel),
    from: a.from,
    until: a.until,
    readOnly: a.readOnly,
  };
}

/** The body PUT /dashboards/:id takes (and an export holds, with the id). */
export function toBody(d: Dashboard): Omit<ApiDashboard, 'id' | 'updated' | 'readOnly'> {
  return {
    title: d.title,
    panels: d.panels.map((p) => ({
      ...(p.title ? { title: p.title } : {}),
      targets: p.targets.filter((t) => t.trim() !== ''),
      width: p.width,
      height: p.height,
    })),
    ...(d.from ? { from: d.from } : {}),
    ...(d.until ? { until: d.until } : {}),
  };
}

export function exportJson(d: Dashboard): string {
  return `${JSON.stringify({ id: d.id, ...toBody(d) }, null, 2)}\n`;
}

/** An id for a title: `Checkout latency` → `checkout-latency` (the server's id pattern). */
export function slug(title: string): string {
  const s = title
    .normalize('NFKD')
    // Accents come apart from their letters under NFKD: drop them, so "Ünïcödé" becomes "unicode".
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'dashboard';
}

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Reads an exported file; throws an Error saying what is wrong with it. */
export function parseImport(text: string): Dashboard {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.title !== 'string' || o.title.trim() === '') throw new Error('"title" must be a non-empty string');
  if (!Array.isArray(o.panels)) throw new Error('"panels" must be an array');
  const panels = o.panels.map((p, i) => {
    const panel = p as Record<string, unknown>;
    if (typeof panel !== 'object' || panel === null) throw new Error(`panel ${i + 1} is not an object`);
    if (!Array.isArray(panel.targets) || !panel.targets.every((t) => typeof t === 'string')) {
      throw new Error(`panel ${i + 1}: "targets" must be an array of strings`);
    }
    return fromApiPanel({
      title: typeof panel.title === 'string' ? panel.title : undefined,
      targets: panel.targets as string[],
      width: typeof panel.width === 'number' ? Math.round(panel.width) : undefined,
      height: typeof panel.height === 'number' ? Math.round(panel.height) : undefined,
    });
  });
  const id = typeof o.id === 'string' && ID_PATTERN.test(o.id) ? o.id : slug(o.title);
  return {
    id,
    title: o.title.trim(),
    panels,
    from: typeof o.from === 'string' ? o.from : undefined,
    until: typeof o.until === 'string' ? o.until : undefined,
    readOnly: false,
  };
}

export function movePanel(d: Dashboard, i: number, delta: -1 | 1): void {
  const j = i + delta;
  if (j < 0 || j >= d.panels.length) return;
  [d.panels[i], d.panels[j]] = [d.panels[j], d.panels[i]];
}

export function removePanel(d: Dashboard, i: number): void {
  d.panels.splice(i, 1);
}

/** One step wider or narrower through WIDTHS. */
export function stepWidth(p: Panel, dir: -1 | 1): void {
  const at = WIDTHS.findIndex((w) => w >= p.width);
  const i = Math.min(WIDTHS.length - 1, Math.max(0, (at === -1 ? WIDTHS.length - 1 : at) + dir));
  p.width = WIDTHS[i];
}

export function stepHeight(p: Panel, dir: -1 | 1): void {
  p.height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, p.height + dir * HEIGHT_STEP));
}
