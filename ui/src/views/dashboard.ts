import { ApiError, deleteDashboard, getDashboard, putDashboard } from '../api.js';
import {
  type Dashboard,
  exportJson,
  fromApi,
  movePanel,
  newPanel,
  type Panel,
  removePanel,
  slug,
  stepHeight,
  stepWidth,
  toBody,
} from '../dashboard-model.js';
import { h, replace } from '../dom.js';
import { GraphPanel } from '../graph-panel.js';
import { GraphPage } from '../page.js';
import { DEFAULT_RANGE } from '../time-range.js';
import { withToken } from '../token-dialog.js';
import { go, href, setUrl } from '../url-state.js';
import { freeDashboardId } from './dashboards.js';
import type { View } from './view.js';

/**
 * One dashboard: its panels on a 12-column grid sharing range, cursor and deploy lines. Edit mode works on a
 * draft (title, panels added, removed, moved, resized, their targets) that Save sends to the server; the
 * built-in dashboard can only be saved as a copy.
 */
export function dashboardView(id: string, params: URLSearchParams): View {
  const el = h('div', { class: 'page dashboard' }, h('p', { class: 'muted' }, 'loading…'));
  let page: GraphPage | null = null;
  let controller: Controller | null = null;
  let destroyed = false;

  const start = async () => {
    try {
      const d = fromApi(await getDashboard(id));
      if (destroyed) return;
      controller = new Controller(el, d, params);
      page = controller.page;
      page.start();
    } catch (err) {
      const text = err instanceof ApiError ? err.message : String(err);
      replace(
        el,
        h('h1', {}, 'Dashboard'),
        h('p', { class: 'error', role: 'alert' }, text),
        h('a', { href: href({ view: 'dashboards' }) }, 'All dashboards'),
      );
    }
  };

  return {
    el,
    mounted: () => void start(),
    update: (next) => {
      if (!controller) return false;
      const editing = next.get('edit') === '1';
      if (editing !== controller.editing) {
        controller.editing = editing;
        controller.render();
      }
      page?.readParams(next);
      return true;
    },
    destroy: () => {
      destroyed = true;
      controller?.destroy();
    },
  };
}

interface Slot {
  card: HTMLElement;
  graph: GraphPanel;
}

class Controller {
  readonly page: GraphPage;
  editing: boolean;
  private saved: string;
  private slots: Slot[] = [];
  private readonly head = h('div', { class: 'view-head' });
  private readonly notice = h('p', { class: 'status', role: 'status' });
  private readonly grid = h('div', { class: 'grid' });
  private readonly onUnload = (e: BeforeUnloadEvent) => {
    if (this.dirty()) e.preventDefault();
  };

  constructor(
    private readonly el: HTMLElement,
    private draft: Dashboard,
    params: URLSearchParams,
  ) {
    this.saved = exportJson(draft);
    this.editing = params.get('edit') === '1';
    this.page = new GraphPage({
      params,
      defaultRange: { from: draft.from ?? DEFAULT_RANGE.from, until: draft.until ?? DEFAULT_RANGE.until },
      onChange: (mode) => this.writeUrl(mode),
      targets: () => this.draft.panels.flatMap((p) => p.targets),
    });
    replace(el, this.head, this.page.toolbar.el, this.notice, this.grid, this.page.deployList.el);
    window.addEventListener('beforeunload', this.onUnload);
    // No loading yet: page.start() loads every panel once the view is in the document.
    this.renderHead();
    this.renderGrid(false);
  }

  destroy(): void {
    window.removeEventListener('beforeunload', this.onUnload);
    this.page.destroy();
  }

  render(): void {
    this.renderHead();
    this.renderGrid();
  }

  private writeUrl(mode: 'range' | 'replace'): void {
    const p = new URLSearchParams();
    this.page.writeParams(p);
    if (this.editing) p.set('edit', '1');
    setUrl(href({ view: 'dashboard', id: this.draft.id }, p), mode);
  }

  private dirty(): boolean {
    return exportJson(this.draft) !== this.saved;
  }

  private changed(): void {
    this.el.classList.toggle('dirty', this.dirty());
    replace(this.notice, this.dirty() ? 'Unsaved changes.' : '');
  }

  private say(text: string, error = false): void {
    replace(this.notice, error ? h('span', { class: 'error' }, text) : text);
  }

  private setEditing(on: boolean): void {
    this.editing = on;
    this.writeUrl('replace');
    this.render();
  }

  private renderHead(): void {
    const d = this.draft;
    const button = (label: string, onclick: () => unknown, cls = '') =>
      h('button', { type: 'button', class: cls, onclick: () => void onclick() }, label);
    if (!this.editing) {
      replace(
        this.head,
        h('h1', {}, d.title),
        d.readOnly ? h('span', { class: 'tag' }, 'built in') : null,
        h(
          'div',
          { class: 'actions' },
          button(d.readOnly ? 'Edit a copy' : 'Edit', () => this.setEditing(true)),
          button('Share', () => this.share()),
          button('Export', () => this.export()),
          d.readOnly ? null : button('Delete', () => this.remove(), 'danger'),
        ),
      );
      return;
    }
    const title = h('input', {
      type: 'text',
      class: 'title-input',
      value: d.title,
      'aria-label': 'dashboard title',
      maxlength: 200,
      oninput: () => {
        d.title = title.value;
        this.changed();
      },
    });
    replace(
      this.head,
      title,
      h(
        'div',
        { class: 'actions' },
        button('Add panel', () => {
          d.panels.push(newPanel());
          this.changed();
          this.renderGrid();
        }),
        button(d.readOnly ? 'Save as copy' : 'Save', () => this.save(), 'primary'),
        button('Cancel', () => this.cancel()),
      ),
    );
  }

  private renderGrid(load = true): void {
    for (const s of this.slots) this.page.remove(s.graph);
    this.slots = this.draft.panels.map((p, i) => this.panel(p, i));
    if (this.slots.length === 0) {
      replace(
        this.grid,
        h(
          'p',
          { class: 'muted empty' },
          this.editing ? 'No panels yet: Add panel, then type its targets.' : 'No panels yet: Edit, then Add panel.',
        ),
      );
    } else {
      replace(this.grid, ...this.slots.map((s) => s.card));
    }
    this.changed();
    if (load) for (const s of this.slots) void s.graph.load(this.page.timeRange);
  }

  private panel(p: Panel, i: number): Slot {
    const graph = new GraphPanel({
      targets: p.targets,
      height: p.height,
      syncKey: this.page.syncKey,
      onZoom: this.page.zoom,
    });
    this.page.add(graph);
    const card = h('section', { class: 'card panel', 'data-panel': i });
    card.style.setProperty('--span', String(p.width));
    const explore = new URLSearchParams();
    for (const t of p.targets) explore.append('target', t);
    this.page.writeParams(explore);
    const heading = p.title || p.targets.join(', ') || 'Empty panel';
    if (!this.editing) {
      card.append(
        h(
          'header',
          {},
          h('h2', { title: heading }, heading),
          h('a', { href: href({ view: 'explore' }, explore), class: 'icon', title: 'open in Explore' }, '↗'),
        ),
        graph.el,
      );
      return { card, graph };
    }
    const d = this.draft;
    const tool = (label: string, title: string, act: () => void, structural = false) =>
      h(
        'button',
        {
          type: 'button',
          class: 'icon',
          title,
          'aria-label': title,
          onclick: () => {
            act();
            this.changed();
            if (structural) this.renderGrid();
          },
        },
        label,
      );
    const titleInput = h('input', {
      type: 'text',
      class: 'panel-title',
      value: p.title,
      placeholder: 'Panel title',
      'aria-label': 'panel title',
      oninput: () => {
        p.title = titleInput.value;
        this.changed();
      },
    });
    const targets = h('textarea', {
      class: 'panel-targets',
      rows: Math.max(2, p.targets.length + 1),
      spellcheck: 'false',
      placeholder: 'One target per line, e.g. stats.timers.api.latency.upper_99',
      'aria-label': 'panel targets',
      onchange: () => {
        p.targets = targets.value
          .split('\n')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        graph.setTargets(p.targets);
        this.changed();
        void graph.load(this.page.timeRange);
      },
    });
    targets.value = p.targets.join('\n');
    card.append(
      h(
        'header',
        { class: 'edit' },
        titleInput,
        h(
          'div',
          { class: 'tools' },
          tool('◀', 'move earlier', () => movePanel(d, i, -1), true),
          tool('▶', 'move later', () => movePanel(d, i, 1), true),
          tool('⇤', 'narrower', () => {
            stepWidth(p, -1);
            card.style.setProperty('--span', String(p.width));
          }),
          tool('⇥', 'wider', () => {
            stepWidth(p, 1);
            card.style.setProperty('--span', String(p.width));
          }),
          tool('⤒', 'shorter', () => {
            stepHeight(p, -1);
            graph.setHeight(p.height);
          }),
          tool('⤓', 'taller', () => {
            stepHeight(p, 1);
            graph.setHeight(p.height);
          }),
          tool('✕', 'remove panel', () => removePanel(d, i), true),
        ),
      ),
      targets,
      graph.el,
    );
    return { card, graph };
  }

  private async save(): Promise<void> {
    const d = this.draft;
    if (!d.title.trim()) {
      this.say('Give the dashboard a title.', true);
      return;
    }
    try {
      if (d.readOnly) {
        // The built-in dashboard stays as it is; its edits become a new dashboard.
        const copyTitle = d.title.trim() === 'Collector' ? 'Collector copy' : d.title.trim();
        const id = await freeDashboardId(slug(copyTitle));
        await withToken(() => putDashboard(id, toBody({ ...d, title: copyTitle })));
        this.saved = exportJson(d);
        go(href({ view: 'dashboard', id }));
        return;
      }
      this.draft = fromApi(await withToken(() => putDashboard(d.id, toBody(d))));
      this.saved = exportJson(this.draft);
      this.editing = false;
      this.writeUrl('replace');
      this.render();
      this.say('Saved.');
    } catch (err) {
      this.say(err instanceof ApiError ? err.message : String(err), true);
    }
  }

  private async cancel(): Promise<void> {
    try {
      this.draft = fromApi(await getDashboard(this.draft.id));
    } catch {
      // Keep the draft when the saved one cannot be read; leaving edit mode is what was asked.
    }
    this.saved = exportJson(this.draft);
    this.setEditing(false);
  }

  private async remove(): Promise<void> {
    if (!confirm(`Delete the dashboard "${this.draft.title}"?`)) return;
    try {
      await withToken(() => deleteDashboard(this.draft.id));
      go(href({ view: 'dashboards' }));
    } catch (err) {
      this.say(err instanceof ApiError ? err.message : String(err), true);
    }
  }

  private share(): void {
    const p = new URLSearchParams();
    this.page.writeParams(p);
    const url = new URL(href({ view: 'dashboard', id: this.draft.id }, p), location.href).toString();
    const field = h('input', { type: 'text', readonly: true, class: 'share-url', value: url, 'aria-label': 'link' });
    replace(this.notice, 'Link to this view: ', field);
    field.select();
    navigator.clipboard?.writeText(url).then(
      () => this.notice.append(' (copied)'),
      () => {},
    );
  }

  private export(): void {
    const blob = new Blob([exportJson(this.draft)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${this.draft.id}.json` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}
