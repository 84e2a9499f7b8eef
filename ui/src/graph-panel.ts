import { ApiError, type Deploy, type GraphiteSeries, renderText } from './api.js';
import { Chart } from './chart.js';
import { h, replace } from './dom.js';
import { inNextFrame } from './frame.js';
import { Legend } from './legend.js';
import { recordRender } from './perf.js';
import { toChartData } from './series-data.js';
import { resolveRange, type TimeRange } from './time-range.js';
import { guessUnit } from './units.js';

/**
 * One graph: asks /render for its targets over the page's range, draws them with the page's deploys, and
 * shows the server's error inline when a target is wrong. Views place and decorate it.
 */

export interface GraphPanelOptions {
  targets: readonly string[];
  height: number;
  syncKey: string;
  onZoom: (from: number, until: number) => void;
}

export class GraphPanel {
  readonly el: HTMLElement;
  private readonly chart: Chart;
  private readonly legend: Legend;
  private readonly message = h('div', { class: 'panel-message' });
  private targets: readonly string[];
  private inflight: AbortController | null = null;
  /** When the data being drawn arrived, until the draw that follows records it. */
  private arrived: { at: number; points: number } | null = null;

  constructor(opts: GraphPanelOptions) {
    this.targets = opts.targets;
    const plot = h('div', { class: 'plot' });
    this.chart = new Chart(plot, {
      height: opts.height,
      syncKey: opts.syncKey,
      onZoom: opts.onZoom,
      onCursor: (idx) => this.legend.showCursor(idx),
      onDraw: () => {
        if (!this.arrived) return;
        recordRender(this.arrived.at, this.arrived.points);
        this.arrived = null;
      },
    });
    this.legend = new Legend(
      (i) => this.chart.toggleSeries(i),
      (i) => this.chart.isShown(i),
    );
    this.el = h('div', { class: 'graph' }, this.message, plot, this.legend.el);
  }

  setTargets(targets: readonly string[]): void {
    this.targets = targets;
  }

  setHeight(height: number): void {
    this.chart.setHeight(height);
  }

  setDeploys(deploys: readonly Deploy[]): void {
    this.chart.setDeploys(deploys);
  }

  /** Fetches and draws; a newer load cancels an older one still in flight. */
  async load(range: TimeRange): Promise<void> {
    this.inflight?.abort();
    const ctl = new AbortController();
    this.inflight = ctl;
    const targets = this.targets.filter((t) => t.trim() !== '');
    const span = resolveRange(range);
    if (targets.length === 0) {
      this.show('info', 'No series yet: pick a metric from the tree or type a target.');
      this.draw([], span);
      return;
    }
    // One series per target is the usual answer: build the chart for it while the data loads.
    this.chart.prepare(targets.map(guessUnit), span);
    try {
      const text = await renderText(
        // One point per pixel is all a line can show; the server consolidates the rest.
        { targets, from: range.from, until: range.until, maxDataPoints: Math.max(100, this.el.clientWidth) },
        ctl.signal,
      );
      if (ctl.signal.aborted) return;
      const arrivedAt = performance.now();
      inNextFrame(() => {
        if (ctl.signal.aborted) return;
        const list = JSON.parse(text) as GraphiteSeries[];
        this.show(list.length ? null : 'info', list.length ? '' : 'No series matched these targets in this range.');
        this.draw(list, span, arrivedAt);
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      const reason = err instanceof ApiError ? err.message : String(err);
      this.show('error', reason);
      this.draw([], span);
    } finally {
      if (this.inflight === ctl) this.inflight = null;
    }
  }

  destroy(): void {
    this.inflight?.abort();
    this.chart.destroy();
  }

  private draw(list: GraphiteSeries[], span: { from: number; until: number }, arrivedAt?: number): void {
    const data = toChartData(list);
    if (arrivedAt !== undefined) this.arrived = { at: arrivedAt, points: data.points };
    this.chart.setData(data, span);
    this.legend.set(data.series, data.data.slice(1) as Array<Array<number | null>>);
  }

  private show(kind: 'error' | 'info' | null, text: string): void {
    this.message.className = `panel-message ${kind ?? ''}`;
    if (kind === 'error') this.message.setAttribute('role', 'alert');
    else this.message.removeAttribute('role');
    replace(this.message, text);
  }
}
