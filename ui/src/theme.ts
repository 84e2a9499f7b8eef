/**
 * Light and dark themes: CSS variables switched by `data-theme` on <html>. The choice is a preference of this
 * browser (localStorage), not part of a shared link; with none, the system's preference decides.
 */

export type Theme = 'light' | 'dark';

const KEY = 'trendline.theme';

export function currentTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  colors = null;
  // Charts redraw themselves with the new colours.
  window.dispatchEvent(new Event(THEME_EVENT));
}

export const THEME_EVENT = 'trendline:theme';

export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  localStorage.setItem(KEY, next);
  applyTheme(next);
  return next;
}

/** A CSS variable's value, for the canvas, which cannot read CSS itself. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export interface CanvasColors {
  axis: string;
  grid: string;
  deploy: string;
}

let colors: CanvasColors | null = null;

/** The canvas colours of the current theme, read from CSS once per theme change (draw hooks call this a lot). */
export function canvasColors(): CanvasColors {
  colors ??= { axis: cssVar('--muted'), grid: cssVar('--grid'), deploy: cssVar('--deploy') };
  return colors;
}

// Distinguishable on both backgrounds (Tableau 10, slightly adjusted).
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}
