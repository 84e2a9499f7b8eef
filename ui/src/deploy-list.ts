import type { Deploy } from './api.js';
import { shownTags, versionOf } from './deploys.js';
import { h, replace } from './dom.js';
import { formatDateTime } from './time-range.js';
import { href } from './url-state.js';

/**
 * The deploys of a page's range, under its graphs, newest first. Each links to its impact view, which
 * compares the page's series before and after it.
 */
export class DeployList {
  readonly el: HTMLElement;
  private readonly body = h('div', { class: 'deploy-rows' });
  private readonly filter: HTMLInputElement;

  constructor(onFilter: (tags: string) => void) {
    this.filter = h('input', {
      type: 'search',
      class: 'deploy-filter',
      placeholder: 'only deploys tagged… (e.g. service:api)',
      'aria-label': 'deploy tag filter',
      onchange: () => onFilter(this.filter.value.trim()),
    });
    this.el = h(
      'section',
      { class: 'card deploy-list' },
      h('div', { class: 'section-head' }, h('h2', {}, 'Deploys'), this.filter),
      this.body,
    );
  }

  show(deploys: readonly Deploy[], filter: string, targets: readonly string[], error?: string): void {
    this.filter.value = filter;
    if (error) {
      replace(this.body, h('p', { class: 'error', role: 'alert' }, error));
      return;
    }
    if (deploys.length === 0) {
      replace(this.body, h('p', { class: 'muted' }, 'No deploys in this range.'));
      return;
    }
    const impactParams = (d: Deploy) => {
      const p = new URLSearchParams({ window: '30m' });
      for (const t of targets.slice(0, 50)) p.append('target', t);
      return href({ view: 'deploy', id: d.id }, p);
    };
    const rows = deploys.map((d) => {
      const version = versionOf(d);
      return h(
        'tr',
        {},
        h('td', { class: 'nowrap' }, formatDateTime(d.when)),
        h('td', { class: 'what' }, d.what),
        h('td', {}, version ? h('code', {}, version) : ''),
        h('td', {}, ...shownTags(d).flatMap((t) => [h('span', { class: 'tag' }, t), ' '])),
        h('td', {}, h('a', { href: impactParams(d), class: 'impact-link' }, 'impact →')),
      );
    });
    replace(
      this.body,
      h(
        'table',
        { class: 'deploys' },
        h('thead', {}, h('tr', {}, ...['time', 'what', 'version', 'tags', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, ...rows),
      ),
    );
  }
}
