import { ApiError, type Deploy, listDeploys } from './api.js';
import { DeployList } from './deploy-list.js';
import { filterDeploys } from './deploys.js';
import type { GraphPanel } from './graph-panel.js';
import { TimePicker } from './time-picker.js';
import { absolute, isRelative, refreshMs, type TimeRange } from './time-range.js';
import { rangeDepth, rangeFrom, writeRange } from './url-state.js';

/**
 * What the graphs of one page share: the time range (with zoom and Back), auto-refresh, the cursor (one
 * uPlot sync key) and the deploys drawn on every graph and listed under them. Views own the panels and the
 * rest of the URL; the page reads and writes its own parameters.
 */

export interface PageOptions {
  params: URLSearchParams;
  /** The range when the URL names none (a dashboard's saved default). */
  defaultRange?: TimeRange;
  /** Writes the view's URL; `range` changes get their own history entry. */
  onChange: (mode: 'range' | 'replace') => void;
  /** The targets of all graphs, for the impact links of the deploy list. */
  targets: () => string[];
}

let pages = 0;

export class GraphPage {
  readonly syncKey = `page-${++pages}`;
  readonly toolbar: TimePicker;
  readonly deployList: DeployList;
  private readonly panels = new Set<GraphPanel>();
  private range: TimeRange;
  private refresh: string;
  private showDeploys: boolean;
  private deployFilter: string;
  private deploys: Deploy[] = [];
  private timer: number | null = null;
  private deploysInflight: AbortController | null = null;

  constructor(private readonly opts: PageOptions) {
    this.range = rangeFrom(opts.params, opts.defaultRange);
    this.refresh = opts.params.get('refresh') ?? 'off';
    this.showDeploys = opts.params.get('deploys') !== 'off';
    this.deployFilter = opts.params.get('deployTags') ?? '';
    this.toolbar = new TimePicker({
      onRange: (r) => this.setRange(r),
      onBack: () => {
        if (rangeDepth() > 0) history.back();
      },
      onRefresh: (choice) => {
        this.refresh = choice;
        this.opts.onChange('replace');
        this.schedule();
      },
      onReload: () => void this.reload(),
      onDeploys: (show) => {
        this.showDeploys = show;
        this.opts.onChange('replace');
        this.applyDeploys();
      },
    });
    this.deployList = new DeployList((tags) => {
      this.deployFilter = tags;
      this.opts.onChange('replace');
      this.applyDeploys();
    });
    this.syncToolbar();
  }

  get timeRange(): TimeRange {
    return this.range;
  }

  /** The page's part of the URL. */
  writeParams(params: URLSearchParams): void {
    writeRange(params, this.range);
    if (this.refresh !== 'off') params.set('refresh', this.refresh);
    if (!this.showDeploys) params.set('deploys', 'off');
    if (this.deployFilter) params.set('deployTags', this.deployFilter);
  }

  /** Back/forward landed on this view with other parameters: take them without rebuilding the view. */
  readParams(params: URLSearchParams): void {
    this.range = rangeFrom(params, this.opts.defaultRange);
    this.refresh = params.get('refresh') ?? 'off';
    this.showDeploys = params.get('deploys') !== 'off';
    this.deployFilter = params.get('deployTags') ?? '';
    this.syncToolbar();
    this.schedule();
    void this.reload();
  }

  add(panel: GraphPanel): void {
    this.panels.add(panel);
    panel.setDeploys(this.visibleDeploys());
  }

  remove(panel: GraphPanel): void {
    this.panels.delete(panel);
    panel.destroy();
  }

  /** Drag-to-zoom on any graph sets the range of all of them. */
  zoom = (from: number, until: number): void => {
    this.setRange(absolute(from, until));
  };

  setRange(range: TimeRange): void {
    this.range = range;
    this.opts.onChange('range');
    this.syncToolbar();
    this.schedule();
    void this.reload();
  }

  /** Loads every graph and the deploys of the range, all at once. */
  async reload(): Promise<void> {
    await Promise.all([...[...this.panels].map((p) => p.load(this.range)), this.loadDeploys()]);
  }

  /** Starts auto-refresh (for ranges that end now); call once the view is mounted. */
  start(): void {
    this.schedule();
    void this.reload();
  }

  destroy(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.deploysInflight?.abort();
    for (const p of this.panels) p.destroy();
    this.panels.clear();
  }

  private syncToolbar(): void {
    this.toolbar.show({
      range: this.range,
      refresh: this.refresh,
      deploys: this.showDeploys,
      canGoBack: rangeDepth() > 0,
    });
  }

  private schedule(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const ms = refreshMs(this.refresh);
    // An absolute range does not move, so there is nothing to refresh.
    if (ms !== null && isRelative(this.range)) this.timer = window.setInterval(() => void this.reload(), ms);
  }

  private async loadDeploys(): Promise<void> {
    this.deploysInflight?.abort();
    const ctl = new AbortController();
    this.deploysInflight = ctl;
    try {
      this.deploys = await listDeploys(this.range.from, this.range.until, ctl.signal);
      this.applyDeploys();
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.deploys = [];
      this.applyDeploys(err instanceof ApiError ? err.message : String(err));
    }
  }

  private visibleDeploys(): Deploy[] {
    return this.showDeploys ? filterDeploys(this.deploys, this.deployFilter) : [];
  }

  private applyDeploys(error?: string): void {
    const shown = this.visibleDeploys();
    for (const p of this.panels) p.setDeploys(shown);
    this.deployList.show(filterDeploys(this.deploys, this.deployFilter), this.deployFilter, this.opts.targets(), error);
  }
}
