import { ApiError, allMetricNames, type FindNode, findMetrics } from './api.js';
import { h, replace } from './dom.js';

/**
 * The metric browser: a tree read level by level from /metrics/find, and a search box that filters it by
 * showing, fully expanded, only the branches that lead to matching names. Clicking a leaf picks its path.
 */

/** How many matches the search shows; more would be a wall, not a filter. */
const MAX_MATCHES = 500;
/** How long the full name list is reused by the search before it is fetched again. */
const NAMES_TTL_MS = 30_000;

interface Branch {
  children: Map<string, Branch>;
  /** Full path when this node is also a series. */
  leaf: string | null;
}

export class MetricTree {
  readonly el: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly tree = h('ul', { class: 'tree', role: 'tree' });
  private readonly status = h('p', { class: 'muted tree-status' });
  private names: { at: number; list: string[] } | null = null;
  private debounce: number | null = null;

  constructor(private readonly onPick: (path: string) => void) {
    this.search = h('input', {
      type: 'search',
      class: 'metric-search',
      placeholder: 'Filter metrics…',
      'aria-label': 'filter metrics',
      oninput: () => {
        if (this.debounce !== null) clearTimeout(this.debounce);
        this.debounce = window.setTimeout(() => void this.filter(), 150);
      },
    });
    this.el = h('nav', { class: 'metric-tree', 'aria-label': 'metrics' }, this.search, this.status, this.tree);
  }

  /** Shows the top level (or the current filter's matches). */
  async load(): Promise<void> {
    if (this.search.value.trim()) return this.filter();
    replace(this.status);
    await this.expand(this.tree, '*');
  }

  private async expand(into: HTMLElement, query: string): Promise<void> {
    replace(into, h('li', { class: 'muted' }, 'loading…'));
    try {
      const nodes = await findMetrics(query);
      if (nodes.length === 0 && query === '*') {
        replace(into, h('li', { class: 'muted' }, 'No metrics yet. Send some over StatsD, e.g. `app.hits:1|c`.'));
        return;
      }
      replace(into, ...nodes.map((n) => this.lazyNode(n)));
    } catch (err) {
      replace(into, h('li', { class: 'error' }, err instanceof ApiError ? err.message : String(err)));
    }
  }

  private lazyNode(n: FindNode): HTMLLIElement {
    if (n.leaf) return this.leafNode(n.text, n.id);
    const children = h('ul', { role: 'group' });
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'branch',
        'aria-expanded': 'false',
        onclick: () => {
          const open = toggle.getAttribute('aria-expanded') !== 'true';
          toggle.setAttribute('aria-expanded', String(open));
          children.hidden = !open;
          if (open && !children.firstChild) void this.expand(children, `${n.id}.*`);
        },
      },
      n.text,
    );
    return h('li', { role: 'treeitem', 'data-path': n.id }, toggle, children);
  }

  private leafNode(label: string, path: string): HTMLLIElement {
    return h(
      'li',
      { role: 'treeitem', 'data-path': path },
      h('button', { type: 'button', class: 'leaf', title: path, onclick: () => this.onPick(path) }, label),
    );
  }

  private async filter(): Promise<void> {
    const words = this.search.value
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0) {
      await this.load();
      return;
    }
    try {
      if (!this.names || Date.now() - this.names.at > NAMES_TTL_MS) {
        this.names = { at: Date.now(), list: await allMetricNames() };
      }
    } catch (err) {
      replace(this.status, err instanceof ApiError ? err.message : String(err));
      return;
    }
    const matches = this.names.list.filter((name) => {
      const lower = name.toLowerCase();
      return words.every((w) => lower.includes(w));
    });
    replace(
      this.status,
      matches.length > MAX_MATCHES
        ? `${matches.length} matches; showing the first ${MAX_MATCHES}`
        : `${matches.length} match${matches.length === 1 ? '' : 'es'}`,
    );
    const root: Branch = { children: new Map(), leaf: null };
    for (const path of matches.slice(0, MAX_MATCHES)) {
      // Tags (after ';') stay on the last node: they are not levels of the tree.
      const semi = path.indexOf(';');
      const nodes = (semi === -1 ? path : path.slice(0, semi)).split('.');
      if (semi !== -1) nodes[nodes.length - 1] += path.slice(semi);
      let at = root;
      for (const node of nodes) {
        let next = at.children.get(node);
        if (!next) {
          next = { children: new Map(), leaf: null };
          at.children.set(node, next);
        }
        at = next;
      }
      at.leaf = path;
    }
    replace(this.tree, ...this.expandedNodes(root, ''));
  }

  private expandedNodes(branch: Branch, prefix: string): HTMLLIElement[] {
    const out: HTMLLIElement[] = [];
    for (const [name, node] of branch.children) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (node.children.size > 0) {
        out.push(
          h(
            'li',
            { role: 'treeitem', 'data-path': path },
            h('span', { class: 'branch open' }, name),
            h('ul', { role: 'group' }, ...this.expandedNodes(node, path)),
          ),
        );
      }
      if (node.leaf !== null) out.push(this.leafNode(name, node.leaf));
    }
    return out;
  }
}
