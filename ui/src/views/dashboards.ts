import {
  ApiError,
  type DashboardSummary,
  deleteDashboard,
  getDashboard,
  listDashboards,
  putDashboard,
} from '../api.js';
import { parseImport, slug, toBody } from '../dashboard-model.js';
import { h, replace } from '../dom.js';
import { formatDateTime } from '../time-range.js';
import { withToken } from '../token-dialog.js';
import { go, href } from '../url-state.js';
import type { View } from './view.js';

/** `base`, or `base-2`, `base-3`… whichever no saved dashboard uses yet, so creating never overwrites. */
export async function freeDashboardId(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base.slice(0, 60)}-${n}`;
    try {
      await getDashboard(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return id;
      throw err;
    }
  }
}

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
}

/** The list of dashboards: open, create, import from a JSON file, delete. */
export function dashboardsView(): View {
  const status = h('p', { class: 'status', role: 'status' });
  const table = h('div', { class: 'dashboard-list' }, h('p', { class: 'muted' }, 'loading…'));
  const fail = (err: unknown) => replace(status, h('span', { class: 'error' }, message(err)));

  const title = h('input', {
    type: 'text',
    name: 'title',
    placeholder: 'New dashboard title',
    'aria-label': 'new dashboard title',
    required: true,
    maxlength: 200,
  });
  const create = h(
    'form',
    {
      class: 'toolbar',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const name = title.value.trim();
        if (!name) return;
        try {
          const id = await freeDashboardId(slug(name));
          await withToken(() => putDashboard(id, { title: name, panels: [] }));
          go(href({ view: 'dashboard', id }, { edit: '1' }));
        } catch (err) {
          fail(err);
        }
      },
    },
    title,
    h('button', { type: 'submit', class: 'primary' }, 'Create dashboard'),
  );

  const file = h('input', {
    type: 'file',
    accept: 'application/json,.json',
    'aria-label': 'import dashboard JSON',
    onchange: async () => {
      const f = file.files?.[0];
      if (!f) return;
      try {
        const d = parseImport(await f.text());
        // An import never silently replaces a dashboard of the same id.
        d.id = await freeDashboardId(d.id);
        await withToken(() => putDashboard(d.id, toBody(d)));
        go(href({ view: 'dashboard', id: d.id }));
      } catch (err) {
        fail(`Cannot import ${f.name}: ${message(err)}`);
      } finally {
        file.value = '';
      }
    },
  });

  const render = (list: DashboardSummary[]) => {
    const rows = list.map((d) =>
      h(
        'tr',
        {},
        h('td', {}, h('a', { href: href({ view: 'dashboard', id: d.id }) }, d.title)),
        h('td', {}, h('code', {}, d.id)),
        h('td', { class: 'num' }, d.panels),
        h('td', { class: 'nowrap' }, d.readOnly ? h('span', { class: 'tag' }, 'built in') : formatDateTime(d.updated)),
        h(
          'td',
          {},
          d.readOnly
            ? ''
            : h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  onclick: async () => {
                    if (!confirm(`Delete the dashboard "${d.title}"?`)) return;
                    try {
                      await withToken(() => deleteDashboard(d.id));
                      await load();
                    } catch (err) {
                      fail(err);
                    }
                  },
                },
                'Delete',
              ),
        ),
      ),
    );
    replace(
      table,
      h(
        'table',
        { class: 'list' },
        h('thead', {}, h('tr', {}, ...['title', 'id', 'panels', 'updated', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, ...rows),
      ),
    );
  };
  const load = async () => {
    try {
      render(await listDashboards());
    } catch (err) {
      fail(err);
    }
  };
  void load();

  return {
    el: h(
      'div',
      { class: 'page dashboards' },
      h('div', { class: 'view-head' }, h('h1', {}, 'Dashboards')),
      create,
      h('label', { class: 'import' }, 'Import a dashboard from a JSON file: ', file),
      status,
      table,
    ),
  };
}
