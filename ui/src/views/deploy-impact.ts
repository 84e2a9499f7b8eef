import { ApiError, type Deploy, deployImpact, getEvent, type ImpactReport, type SeriesImpact } from '../api.js';
import { shownTags, versionOf } from '../deploys.js';
import { h, replace } from '../dom.js';
import { GraphPanel } from '../graph-panel.js';
import { absolute, formatDateTime, offsetSec } from '../time-range.js';
import { formatValue, guessUnit } from '../units.js';
import { href, setUrl } from '../url-state.js';
import type { View } from './view.js';

/**
 * What one deploy changed: the server's before/after comparison (mean, p50, p99, change and verdict) for the
 * chosen targets, and a graph of the same targets around the deploy with its line.
 */

const WINDOWS = ['5m', '15m', '30m', '1h', '3h', '6h', '24h'];

export function deployImpactView(id: number, params: URLSearchParams): View {
  let targets = params.getAll('target');
  // Each side's length (not `window`, which would hide the global).
  let side = params.get('window') ?? '30m';
  let better = params.get('better') === 'higher' ? 'higher' : 'lower';
  let deploy: Deploy | null = null;

  const about = h('section', { class: 'card deploy-about' }, h('p', { class: 'muted' }, 'loading…'));
  const results = h('section', { class: 'impact-results' });
  const graph = new GraphPanel({
    targets,
    height: 260,
    syncKey: `impact-${id}`,
    onZoom: () => {},
  });

  const targetBox = h('textarea', {
    class: 'impact-targets',
    rows: Math.max(2, targets.length + 1),
    spellcheck: 'false',
    'aria-label': 'targets to compare',
    placeholder: 'One target per line, e.g. stats.timers.api.latency.upper_99',
  });
  targetBox.value = targets.join('\n');
  const windowSelect = h(
    'select',
    { 'aria-label': 'window' },
    ...WINDOWS.map((w) => h('option', { value: w }, `${w} each side`)),
  );
  windowSelect.value = WINDOWS.includes(side) ? side : '30m';
  const betterSelect = h(
    'select',
    { 'aria-label': 'which way is better' },
    h('option', { value: 'lower' }, 'lower is better'),
    h('option', { value: 'higher' }, 'higher is better'),
  );
  betterSelect.value = better;
  const form = h(
    'form',
    {
      class: 'impact-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        targets = targetBox.value
          .split('\n')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        side = windowSelect.value;
        better = betterSelect.value === 'higher' ? 'higher' : 'lower';
        const p = new URLSearchParams({ window: side, better });
        for (const t of targets) p.append('target', t);
        setUrl(href({ view: 'deploy', id }, p), 'replace');
        void compare();
      },
    },
    targetBox,
    h(
      'div',
      { class: 'toolbar' },
      windowSelect,
      betterSelect,
      h('button', { type: 'submit', class: 'primary' }, 'Compare'),
    ),
  );

  const showDeploy = (d: Deploy) => {
    deploy = d;
    const version = versionOf(d);
    const around = new URLSearchParams();
    for (const t of targets) around.append('target', t);
    const span = 2 * (offsetSec(side) ?? 1800);
    const r = absolute(d.when - span, d.when + span);
    around.set('from', r.from);
    around.set('until', r.until);
    replace(
      about,
      h('h2', {}, d.what),
      h(
        'dl',
        {},
        h('dt', {}, 'time'),
        h('dd', {}, formatDateTime(d.when)),
        version ? h('dt', {}, 'version') : null,
        version ? h('dd', {}, h('code', {}, version)) : null,
        h('dt', {}, 'tags'),
        h('dd', {}, ...shownTags(d).flatMap((t) => [h('span', { class: 'tag' }, t), ' '])),
        d.data ? h('dt', {}, 'data') : null,
        d.data ? h('dd', { class: 'tip-data' }, d.data) : null,
      ),
      h('a', { href: href({ view: 'explore' }, around) }, 'Explore around this deploy →'),
    );
  };

  const compare = async () => {
    graph.setTargets(targets);
    try {
      if (targets.length === 0) {
        showDeploy(await getEvent(id));
        replace(results, h('p', { class: 'muted' }, 'Add targets to compare the windows before and after.'));
      } else {
        replace(results, h('p', { class: 'muted' }, 'comparing…'));
        const report = await deployImpact(id, targets, side, better);
        showDeploy(report.deploy);
        replace(results, table(report));
      }
    } catch (err) {
      const text = err instanceof ApiError ? err.message : String(err);
      replace(results, h('p', { class: 'error', role: 'alert' }, text));
      if (!deploy) replace(about, h('p', { class: 'error' }, text));
      return;
    }
    if (deploy) {
      const w = offsetSec(side) ?? 1800;
      graph.setDeploys([deploy]);
      // The after window may not have happened yet: the graph stops at now.
      const end = Math.min(deploy.when + w, Math.floor(Date.now() / 1000));
      await graph.load(absolute(deploy.when - w, Math.max(end, deploy.when + 60)));
    }
  };

  return {
    el: h(
      'div',
      { class: 'page impact' },
      h(
        'div',
        { class: 'view-head' },
        h('h1', {}, 'Deploy impact'),
        h('a', { href: href({ view: 'explore' }) }, '← Explore'),
      ),
      about,
      h('section', { class: 'card' }, form),
      results,
      h('section', { class: 'card' }, graph.el),
    ),
    mounted: () => void compare(),
    destroy: () => graph.destroy(),
  };
}

function pct(v: number | null): string {
  if (v === null) return '–';
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}%`;
}

function table(report: ImpactReport): HTMLElement {
  const row = (s: SeriesImpact) => {
    const unit = guessUnit(s.target);
    const stat = (k: 'mean' | 'p50' | 'p99') =>
      h(
        'td',
        { class: 'num' },
        `${formatValue(s.before[k], unit)} → ${formatValue(s.after[k], unit)}`,
        h('br'),
        h('span', { class: 'muted' }, pct(s.change[k])),
      );
    return h(
      'tr',
      {},
      h('td', { class: 'name' }, s.target),
      h('td', {}, h('span', { class: `verdict ${s.verdict}` }, s.verdict)),
      stat('mean'),
      stat('p50'),
      stat('p99'),
      h('td', { class: 'num' }, `${s.before.count} / ${s.after.count}`),
      h('td', { class: 'reason' }, s.reason),
    );
  };
  return h(
    'div',
    { class: 'card' },
    h(
      'p',
      { class: 'muted' },
      `Before ${formatDateTime(report.before.from)}–${formatDateTime(report.before.until)}, after ${formatDateTime(report.after.from)}–${formatDateTime(report.after.until)}. ${report.test.name}, α = ${report.test.alpha}, changes under ${report.test.minChange}% count as unchanged; ${report.test.better} is better.`,
    ),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'impact-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...['series', 'verdict', 'mean', 'p50', 'p99', 'points', 'why'].map((c) => h('th', {}, c))),
        ),
        h('tbody', {}, ...report.series.map(row)),
      ),
    ),
  );
}
