import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Deploy } from './api.js';
import { deployPlugin } from './deploy-plugin.js';
import type { ChartData } from './series-data.js';
import { canvasColors, seriesColor, THEME_EVENT } from './theme.js';
import { timeLabels } from './time-axis.js';
import { formatValue, type Unit } from './units.js';

/**
 * The one wrapper around uPlot. New data with the same number of series in the same units goes to setData; a
 * new width or height goes to setSize; other series or units rebuild the chart. Data is never compared value
 * by value. A chart can be built empty before its first data (`prepare`), so that when the data arrives only
 * the drawing is left to do.
 */

export interface ChartOptions {
  height: number;
  /** Charts with the same key share their cursor (uPlot.sync). */
  syncKey: string;
  /** A drag across the plot selected [from, until] (epoch seconds). */
  onZoom: (from: number, until: number) => void;
  /** The cursor moved to data index `idx` (null when it left). */
  onCursor?: (idx: number | null) => void;
  /** uPlot finished drawing. */
  onDraw?: () => void;
}

/** y scales keyed by unit, so ms and /s series never share an axis; at most two axes (left, right). */
function scaleKey(unit: Unit): string {
  return unit === '' ? 'num' : unit;
}

/** What decides whether new data fits the chart as built: how many series, in which units. */
function shapeOf(units: readonly Unit[]): string {
  return units.join(',');
}

function yRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) return [0, 1];
  // Counts, latencies and rates are never negative: start at 0 so small changes do not look dramatic.
  const lo = min >= 0 ? 0 : min;
  const hi = max === lo ? lo + 1 : max;
  return uPlot.rangeNum(lo, hi, 0.1, true);
}

function yAxis(unit: Unit, side: 1 | 3): uPlot.Axis {
  return {
    scale: scaleKey(unit),
    side,
    stroke: () => canvasColors().axis,
    grid: { show: side === 3, stroke: () => canvasColors().grid, width: 1 },
    ticks: { show: false },
    values: (_u, splits) => splits.map((v) => formatValue(v, unit, 2)),
    // Wide enough for the longest tick label ("12.5 min").
    size: (_u, values) => (values ? Math.max(...values.map((v) => String(v).length)) * 7 + 16 : 40),
  };
}

export class Chart {
  private u: uPlot | null = null;
  private shape = '';
  /** Units of the series to build the chart for once it has a width (see prepare). */
  private prepared: readonly Unit[] | null = null;
  private range = { from: 0, until: 1 };
  private deploys: readonly Deploy[] = [];
  /** The element's width as the ResizeObserver last saw it: reading clientWidth while a dashboard's charts
   * are being built would force a layout per chart. */
  private width = 0;
  private readonly resize: ResizeObserver;
  private readonly onTheme = () => this.u?.redraw(false, true);

  constructor(
    private readonly el: HTMLElement,
    private readonly opts: ChartOptions,
  ) {
    this.resize = new ResizeObserver((entries) => {
      this.width = Math.floor(entries[entries.length - 1].contentRect.width);
      // Not in this callback: the new chart changes the observed element's height, which inside the callback
      // is a "ResizeObserver loop" error.
      if (this.prepared) requestAnimationFrame(() => this.buildPrepared());
      this.fit();
    });
    this.resize.observe(el);
    window.addEventListener(THEME_EVENT, this.onTheme);
  }

  /**
   * Builds the chart empty for series in `units` over `range`, once it has a width, unless it already has one:
   * the axes show while the data loads.
   */
  prepare(units: readonly Unit[], range: { from: number; until: number }): void {
    if (this.u) return;
    this.range = range;
    this.prepared = units;
    this.buildPrepared();
  }

  /** Draws `data` over exactly [from, until], so empty stretches and deploys at the edges show. */
  setData(data: ChartData, range: { from: number; until: number }): void {
    this.range = range;
    this.prepared = null;
    const shape = shapeOf(data.series.map((s) => s.unit));
    if (this.u && shape === this.shape) {
      this.u.setData(data.data, true);
      return;
    }
    this.build(data);
  }

  setDeploys(deploys: readonly Deploy[]): void {
    this.deploys = deploys;
    this.u?.redraw(false, false);
  }

  setHeight(height: number): void {
    this.opts.height = height;
    this.fit();
  }

  /** Shows or hides series `i` (0-based, as in ChartData.series). */
  toggleSeries(i: number): boolean {
    if (!this.u) return true;
    const show = !this.u.series[i + 1].show;
    this.u.setSeries(i + 1, { show });
    return show;
  }

  isShown(i: number): boolean {
    return this.u?.series[i + 1]?.show ?? true;
  }

  destroy(): void {
    this.prepared = null;
    this.resize.disconnect();
    window.removeEventListener(THEME_EVENT, this.onTheme);
    this.u?.destroy();
    this.u = null;
  }

  private build(data: ChartData): void {
    this.shape = shapeOf(data.series.map((s) => s.unit));
    this.u?.destroy();
    this.u = new uPlot(this.options(data), data.data, this.el);
  }

  private buildPrepared(): void {
    const units = this.prepared;
    if (!units || this.u || this.width <= 0) return;
    this.prepared = null;
    const series = units.map((unit) => ({ name: '', unit, last: null, min: null, max: null, avg: null }));
    this.build({ data: [[], ...units.map(() => [])] as uPlot.AlignedData, series, points: 0 });
  }

  private fit(): void {
    const width = this.width;
    if (!this.u || width <= 0) return;
    if (width !== this.u.width || this.opts.height !== this.u.height) {
      this.u.setSize({ width, height: this.opts.height });
    }
  }

  private options(data: ChartData): uPlot.Options {
    const units = [...new Set(data.series.map((s) => s.unit))].slice(0, 2);
    const unitOf = (u: Unit) => (units.includes(u) ? u : units[0]);
    return {
      width: Math.max(100, this.width || Math.floor(this.el.clientWidth)),
      height: this.opts.height,
      legend: { show: false },
      scales: {
        x: { time: true, range: () => [this.range.from, this.range.until] },
        ...Object.fromEntries(units.map((u) => [scaleKey(u), { range: yRange }])),
      },
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: s.name,
          scale: scaleKey(unitOf(s.unit)),
          stroke: seriesColor(i),
          width: 1.5,
          spanGaps: false,
        })),
      ],
      axes: [
        {
          stroke: () => canvasColors().axis,
          grid: { stroke: () => canvasColors().grid, width: 1 },
          ticks: { show: false },
          values: (_u, splits, _axis, _space, incr) => timeLabels(splits, incr),
          // Pixels between ticks: "16:24:30" needs 60; a phone-wide graph still gets a tick a minute in 5 min.
          space: (_u, _axis, _min, _max, dim) => (dim < 400 ? 40 : 60),
        },
        ...(units.length ? units.map((u, i) => yAxis(u, i === 0 ? 3 : 1)) : [yAxis('', 3)]),
      ],
      cursor: {
        sync: { key: this.opts.syncKey, setSeries: false },
        // The drag is ours: it sets the page's range (refetching at a finer step) instead of uPlot's scale.
        drag: { x: true, y: false, setScale: false },
      },
      plugins: [deployPlugin(() => this.deploys)],
      hooks: {
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width > 3) this.opts.onZoom(u.posToVal(left, 'x'), u.posToVal(left + width, 'x'));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [(u) => this.opts.onCursor?.(u.cursor.idx ?? null)],
        draw: [() => this.opts.onDraw?.()],
      },
    };
  }
}
