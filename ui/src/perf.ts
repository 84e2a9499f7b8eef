/**
 * Render timings: when each graph's data arrived (the response fully read) and when uPlot finished drawing it.
 * bench/ui-render.js reads `window.__trendlineRenders` to time a whole dashboard; it costs two numbers a draw.
 */

export interface RenderTiming {
  arrived: number;
  drawn: number;
  points: number;
}

declare global {
  interface Window {
    __trendlineRenders?: RenderTiming[];
  }
}

export function recordRender(arrived: number, points: number): void {
  const list = window.__trendlineRenders ?? [];
  list.push({ arrived, drawn: performance.now(), points });
  window.__trendlineRenders = list;
}
