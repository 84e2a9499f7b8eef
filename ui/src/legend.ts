import { h, replace } from './dom.js';
import type { SeriesInfo } from './series-data.js';
import { seriesColor } from './theme.js';
import { formatValue } from './units.js';

/**
 * The legend under a graph: one row per series with the value under the cursor and the last, min, max and
 * average over the range. Clicking a row hides or shows its series.
 */
export class Legend {
  readonly el = h('table', { class: 'legend' });
  private series: SeriesInfo[] = [];
  private columns: Array<ReadonlyArray<number | null>> = [];
  private cursorCells: HTMLTableCellElement[] = [];

  /** `onToggle` flips series `i` and says whether it is now shown; `isShown` reads it (it survives refreshes). */
  constructor(
    private readonly onToggle: (i: number) => boolean,
    private readonly isShown: (i: number) => boolean,
  ) {}

  set(series: SeriesInfo[], columns: Array<ReadonlyArray<number | null>>): void {
    this.series = series;
    this.columns = columns;
    this.cursorCells = [];
    if (series.length === 0) {
      replace(this.el);
      return;
    }
    const head = h(
      'tr',
      {},
      h('th', { class: 'name' }, 'series'),
      ...['now', 'last', 'min', 'max', 'avg'].map((c) => h('th', {}, c)),
    );
    const rows = series.map((s, i) => {
      const cursor = h('td', { class: 'cursor' }, '');
      this.cursorCells.push(cursor);
      const row = h(
        'tr',
        {
          class: this.isShown(i) ? null : 'off',
          title: 'click to hide or show',
          onclick: () => row.classList.toggle('off', !this.onToggle(i)),
        },
        h('td', { class: 'name' }, h('span', { class: 'swatch', style: `background:${seriesColor(i)}` }), s.name),
        cursor,
        ...[s.last, s.min, s.max, s.avg].map((v) => h('td', {}, formatValue(v, s.unit))),
      );
      return row;
    });
    replace(this.el, h('thead', {}, head), h('tbody', {}, ...rows));
  }

  /** The values at data index `idx` (the shared cursor), or blanks when the cursor is elsewhere. */
  showCursor(idx: number | null): void {
    this.cursorCells.forEach((cell, i) => {
      cell.textContent = idx === null ? '' : formatValue(this.columns[i]?.[idx], this.series[i].unit);
    });
  }
}
