import type uPlot from 'uplot';
import type { Deploy } from './api.js';
import { shownTags, versionOf } from './deploys.js';
import { h, replace } from './dom.js';
import { canvasColors } from './theme.js';
import { formatDateTime } from './time-range.js';

/**
 * Deploy lines: a uPlot plugin that strokes a vertical line per deploy in the visible range, on the canvas in
 * the `draw` hook (no DOM per marker), and shows one reused tooltip when the pointer is near a line.
 * The deploys come from a getter, so the chart can swap them and just redraw.
 */

/** How near (CSS px) the pointer must be to a line to show its tooltip. */
const HOVER_PX = 6;

export function deployPlugin(getDeploys: () => readonly Deploy[]): uPlot.Plugin {
  // CSS-pixel positions of the lines drawn last, for hover.
  let drawn: Array<{ x: number; deploy: Deploy }> = [];
  let tip: HTMLDivElement | null = null;

  const draw = (u: uPlot) => {
    const { min, max } = u.scales.x;
    drawn = [];
    if (min === undefined || max === undefined) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const color = canvasColors().deploy || '#a855f7';
    const px = devicePixelRatio;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = Math.max(1, Math.round(1.5 * px));
    ctx.setLineDash([4 * px, 3 * px]);
    for (const d of getDeploys()) {
      if (d.when < min || d.when > max) continue;
      const x = Math.round(u.valToPos(d.when, 'x', true)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      // A small flag at the top says "this line is a deploy", not a data spike.
      ctx.beginPath();
      ctx.moveTo(x - 4 * px, top);
      ctx.lineTo(x + 4 * px, top);
      ctx.lineTo(x, top + 6 * px);
      ctx.fill();
      drawn.push({ x: u.valToPos(d.when, 'x'), deploy: d });
    }
    ctx.restore();
    // For tests and the curious: how many lines this chart shows, and where (CSS px in the plot area).
    u.over.dataset.deploys = String(drawn.length);
    u.over.dataset.deployX = drawn.map((m) => m.x.toFixed(1)).join(',');
  };

  const show = (u: uPlot, hit: { x: number; deploy: Deploy }) => {
    if (!tip) {
      tip = h('div', { class: 'deploy-tip', role: 'tooltip' });
      u.over.appendChild(tip);
    }
    const d = hit.deploy;
    const version = versionOf(d);
    const tags = shownTags(d);
    replace(
      tip,
      h('strong', {}, d.what),
      h('div', { class: 'muted' }, formatDateTime(d.when)),
      version ? h('div', {}, 'version ', h('code', {}, version)) : null,
      tags.length ? h('div', {}, 'tags ', ...tags.flatMap((t) => [h('span', { class: 'tag' }, t), ' '])) : null,
      d.data ? h('div', { class: 'tip-data' }, d.data.length > 300 ? `${d.data.slice(0, 300)}…` : d.data) : null,
    );
    tip.style.display = 'block';
    // Keep the tooltip inside the plot: flip it to the left of the line near the right edge.
    const width = u.over.clientWidth;
    const left = hit.x + 8 + 240 > width ? Math.max(0, hit.x - 8 - 240) : hit.x + 8;
    tip.style.left = `${left}px`;
    tip.dataset.deployId = String(d.id);
  };

  const hide = () => {
    if (tip) tip.style.display = 'none';
  };

  return {
    hooks: {
      draw,
      ready: (u) => {
        u.over.addEventListener('mousemove', (e) => {
          const x = e.clientX - u.over.getBoundingClientRect().left;
          let best: { x: number; deploy: Deploy } | null = null;
          for (const m of drawn)
            if (Math.abs(m.x - x) <= HOVER_PX && (!best || Math.abs(m.x - x) < Math.abs(best.x - x))) best = m;
          if (best) show(u, best);
          else hide();
        });
        u.over.addEventListener('mouseleave', hide);
      },
    },
  };
}
