import './style.css';
import { h, replace } from './dom.js';
import { applyTheme, currentTheme, toggleTheme } from './theme.js';
import { arrivedAt, href, type Place, parsePlace } from './url-state.js';
import { dashboardView } from './views/dashboard.js';
import { dashboardsView } from './views/dashboards.js';
import { deployImpactView } from './views/deploy-impact.js';
import { exploreView } from './views/explore.js';
import type { View } from './views/view.js';

/**
 * The router: the URL's hash names the view and its state; a hashchange (a link) mounts a view, and
 * back/forward to the same view hands it the new parameters instead of rebuilding it.
 */

applyTheme(currentTheme());

const outlet = h('main', { id: 'view' });
const nav = h(
  'nav',
  { class: 'top-nav' },
  h('a', { href: href({ view: 'explore' }), 'data-view': 'explore' }, 'Explore'),
  h('a', { href: href({ view: 'dashboards' }), 'data-view': 'dashboards' }, 'Dashboards'),
  h('a', { href: href({ view: 'dashboard', id: 'collector' }), 'data-view': 'collector' }, 'Collector'),
);
const themeButton = h('button', { type: 'button', class: 'theme-toggle', title: 'light / dark' });
// On a phone only the symbol shows (style.css hides the word).
const showThemeLabel = () => {
  const dark = currentTheme() === 'dark';
  replace(themeButton, dark ? '☀' : '☾', h('span', { class: 'label' }, dark ? ' Light' : ' Dark'));
};
themeButton.addEventListener('click', () => {
  toggleTheme();
  showThemeLabel();
});
showThemeLabel();

const app = document.querySelector<HTMLElement>('#app') ?? document.body;
replace(
  app,
  h('header', { class: 'top' }, h('a', { class: 'brand', href: '#/' }, 'Trendline'), nav, themeButton),
  outlet,
);

let current: { key: string; view: View } | null = null;

function keyOf(place: Place): string {
  const r = place.route;
  return r.view === 'dashboard' ? `dashboard/${r.id}` : r.view === 'deploy' ? `deploy/${r.id}` : r.view;
}

function build(place: Place): View {
  const r = place.route;
  switch (r.view) {
    case 'explore':
      return exploreView(place.params);
    case 'dashboards':
      return dashboardsView();
    case 'dashboard':
      return dashboardView(r.id, place.params);
    case 'deploy':
      return deployImpactView(r.id, place.params);
    default:
      return {
        el: h(
          'div',
          { class: 'page' },
          h('h1', {}, 'Not found'),
          h('p', {}, 'Nothing lives at ', h('code', {}, `#/${r.path}`), '.'),
          h('a', { href: href({ view: 'explore' }) }, 'Explore metrics'),
        ),
      };
  }
}

function route(): void {
  if (!arrivedAt(location.hash)) return;
  const place = parsePlace(location.hash);
  const key = keyOf(place);
  if (current && current.key === key && current.view.update?.(place.params)) return;
  current?.view.destroy?.();
  const view = build(place);
  current = { key, view };
  replace(outlet, view.el);
  for (const a of nav.querySelectorAll('a')) {
    const here = a.dataset.view === (key === 'dashboard/collector' ? 'collector' : place.route.view);
    a.classList.toggle('active', here);
  }
  window.scrollTo(0, 0);
  view.mounted?.();
}

// hashchange covers links; popstate covers Back/Forward over entries our pushState made.
window.addEventListener('hashchange', route);
window.addEventListener('popstate', route);
route();
