/**
 * Render timings: when each graph's data arrived (the response fully read) and when uPlot finished drawing it.
 * bench/ui-render.js reads `window.__trendlineRenders` to time a whole dashboard; it costs three numbers a draw.
 */

export interface RenderTiming {
  arrived: number;
  /** uPlot's draw hook ran (the canvas commands are issued). */
  drawn: number;
  /** The next animation frame after the draw: the frame showing it has been produced. */
  painted?: number;
  points: number;
}

declare global {
  interface Window {
    __trendlineRenders?: RenderTiming[];
  }
}

export function recordRender(arrived: number, points: number): void {
  const list = window.__trendlineRenders ?? [];
  const timing: RenderTiming = { arrived, drawn: performance.now(), points };
  list.push(timing);
  window.__trendlineRenders = list;
  requestAnimationFrame(() => {
    timing.painted = performance.now();
  });
}
