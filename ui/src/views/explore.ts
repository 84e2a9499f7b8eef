import { ApiError, getDashboard, listDashboards, putDashboard } from '../api.js';
import { fromApi, newPanel, slug, toBody } from '../dashboard-model.js';
import { h, replace } from '../dom.js';
import { GraphPanel } from '../graph-panel.js';
import { MetricTree } from '../metric-tree.js';
import { GraphPage } from '../page.js';
import { withToken } from '../token-dialog.js';
import { href, setUrl } from '../url-state.js';
import { freeDashboardId } from './dashboards.js';
import type { View } from './view.js';

/**
 * Explore: the metric tree beside one graph. Clicking a leaf adds it to the graph; each target is an editable
 * Graphite expression. The graph can be added to a dashboard as a panel.
 */
export function exploreView(params: URLSearchParams): View {
  let targets = params.getAll('target');
  const writeUrl = (mode: 'range' | 'replace') => {
    const p = new URLSearchParams();
    for (const t of targets) p.append('target', t);
    page.writeParams(p);
    setUrl(href({ view: 'explore' }, p), mode);
  };
  const page = new GraphPage({ params, onChange: writeUrl, targets: () => targets });
  const graph = new GraphPanel({ targets, height: 320, syncKey: page.syncKey, onZoom: page.zoom });
  page.add(graph);

  const list = h('ul', { class: 'targets' });
  const setTargets = (next: string[]) => {
    targets = next;
    graph.setTargets(targets);
    writeUrl('replace');
    renderTargets();
    void page.reload();
  };
  const renderTargets = () => {
    replace(
      list,
      ...targets.map((t, i) => {
        const input = h('input', {
          type: 'text',
          class: 'target',
          value: t,
          spellcheck: 'false',
          'aria-label': `target ${i + 1}`,
          onchange: () => {
            const next = [...targets];
            next[i] = input.value.trim();
            setTargets(next.filter((x) => x !== ''));
          },
        });
        return h(
          'li',
          {},
          input,
          h(
            'button',
            {
              type: 'button',
              class: 'icon',
              title: 'remove this series',
              'aria-label': 'remove',
              onclick: () => setTargets(targets.filter((_, j) => j !== i)),
            },
            '✕',
          ),
        );
      }),
    );
  };
  renderTargets();

  const adder = h('input', {
    type: 'text',
    class: 'target new-target',
    placeholder: 'Add a target: a path, glob or expression such as sumSeries(stats.counters.*.count)',
    spellcheck: 'false',
    'aria-label': 'new target',
  });
  const addForm = h(
    'form',
    {
      class: 'target-add',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const t = adder.value.trim();
        if (t) setTargets([...targets, t]);
        adder.value = '';
      },
    },
    adder,
    h('button', { type: 'submit' }, 'Add'),
  );

  const tree = new MetricTree((path) => {
    if (!targets.includes(path)) setTargets([...targets, path]);
    document.body.classList.remove('tree-open');
  });

  const saver = addToDashboard(() => targets);
  const close = h(
    'button',
    { type: 'button', class: 'tree-close', onclick: () => document.body.classList.remove('tree-open') },
    '✕ Close',
  );
  const sidebar = h('aside', { class: 'sidebar' }, close, tree.el);
  const el = h(
    'div',
    { class: 'explore' },
    sidebar,
    h(
      'div',
      { class: 'content' },
      h(
        'div',
        { class: 'view-head' },
        h(
          'button',
          {
            type: 'button',
            class: 'tree-toggle',
            onclick: () => document.body.classList.toggle('tree-open'),
          },
          '☰ Metrics',
        ),
        h('h1', {}, 'Explore'),
      ),
      page.toolbar.el,
      h('section', { class: 'card' }, list, addForm, graph.el, saver),
      page.deployList.el,
    ),
  );
  void tree.load();
  return {
    el,
    mounted: () => page.start(),
    update: (next) => {
      targets = next.getAll('target');
      graph.setTargets(targets);
      renderTargets();
      page.readParams(next);
      return true;
    },
    destroy: () => {
      document.body.classList.remove('tree-open');
      page.destroy();
    },
  };
}

/** "Add this graph to a dashboard": an existing one (appended as a panel) or a new one. */
function addToDashboard(targets: () => string[]): HTMLElement {
  const NEW = '\u0000new';
  const select = h('select', { 'aria-label': 'dashboard' }, h('option', { value: NEW }, 'New dashboard…'));
  const title = h('input', { type: 'text', placeholder: 'New dashboard title', 'aria-label': 'new dashboard title' });
  const status = h('span', { class: 'muted', role: 'status' });
  select.addEventListener('change', () => {
    title.hidden = select.value !== NEW;
  });
  void listDashboards()
    .then((list) => {
      for (const d of list.filter((x) => !x.readOnly)) select.appendChild(h('option', { value: d.id }, d.title));
    })
    .catch(() => {});
  const form = h(
    'form',
    {
      class: 'add-to-dashboard',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const t = targets();
        if (t.length === 0) {
          replace(status, 'Add a series first.');
          return;
        }
        try {
          let id: string;
          if (select.value === NEW) {
            const name = title.value.trim();
            if (!name) {
              replace(status, 'Give the new dashboard a title.');
              return;
            }
            id = await freeDashboardId(slug(name));
            await withToken(() => putDashboard(id, { title: name, panels: [{ targets: t, width: 12 }] }));
          } else {
            id = select.value;
            const d = fromApi(await getDashboard(id));
            d.panels.push({ ...newPanel(t), width: 12 });
            await withToken(() => putDashboard(id, toBody(d)));
          }
          replace(status, 'Added to ', h('a', { href: href({ view: 'dashboard', id }) }, 'the dashboard'), '.');
        } catch (err) {
          replace(status, h('span', { class: 'error' }, err instanceof ApiError ? err.message : String(err)));
        }
      },
    },
    h('span', {}, 'Add this graph to '),
    select,
    title,
    h('button', { type: 'submit' }, 'Add'),
    status,
  );
  return form;
}
