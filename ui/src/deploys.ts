import type { Deploy } from './api.js';

/** What a person wants to read about a deploy, from its tags (`version:1.4.2` as the library and CLI send it). */

export function versionOf(d: Deploy): string | null {
  for (const t of d.tags) {
    const m = /^version[:=](.+)$/.exec(t);
    if (m) return m[1];
  }
  return null;
}

/** Tags worth showing: not `deploy` (every deploy has it) and not the version (shown on its own). */
export function shownTags(d: Deploy): string[] {
  return d.tags.filter((t) => t !== 'deploy' && !/^version[:=]/.test(t));
}

/** Deploys carrying every tag of `filter` (space- or comma-separated); all of them for an empty filter. */
export function filterDeploys(list: readonly Deploy[], filter: string): Deploy[] {
  const want = filter.split(/[\s,]+/).filter((t) => t !== '');
  return want.length === 0 ? [...list] : list.filter((d) => want.every((t) => d.tags.includes(t)));
}
