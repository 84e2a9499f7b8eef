import { parseTimerStat, timerStatNames } from '../aggregate/timer-stats.js';
import { SeriesKind, type SeriesRow } from '../store/series-kind.js';
import type { CompiledGlob, NodeMatcher } from './glob.js';

/**
 * The metric tree that /metrics/find and /render walk. Stored series are base paths; the leaves users
 * query (`.count`, `.rate`, `.upper_99`, …) are virtual children derived from each series' kind, so a
 * timer costs one tree node, not thirty. Tagged series live in the same tree but only match a query that
 * names the same tags, as in Graphite, where tagged series are not part of the browsable tree.
 */

export interface Leaf {
  /** Full leaf path with tag suffix, e.g. `stats.timers.api.upper_99;env=prod`. */
  path: string;
  series: SeriesRow;
  /** The virtual leaf name (`count`, `rate`, `upper_99`), or '' when the series itself is the leaf (gauges). */
  stat: string;
}

export interface FoundNode {
  /** Path without tags. */
  path: string;
  /** The last node of the path. */
  name: string;
  isLeaf: boolean;
  isBranch: boolean;
}

interface TreeNode {
  children: Map<string, TreeNode> | null;
  /** Series whose base path ends at this node. */
  rows: SeriesRow[] | null;
  /** Untagged series at or below this node: decides whether find shows it. */
  untagged: number;
}

const COUNTER_LEAVES = ['count', 'rate'];
const SET_LEAVES = ['count'];

export class NameIndex {
  private readonly root: TreeNode = { children: null, rows: null, untagged: 0 };
  private readonly timerLeaves: string[];
  private count = 0;

  constructor(percentiles: readonly number[]) {
    this.timerLeaves = timerStatNames(percentiles);
  }

  get size(): number {
    return this.count;
  }

  add(row: SeriesRow): void {
    const untagged = row.tags === '' ? 1 : 0;
    let node = this.root;
    node.untagged += untagged;
    for (const part of row.name.split('.')) {
      node.children ??= new Map();
      let child = node.children.get(part);
      if (!child) {
        child = { children: null, rows: null, untagged: 0 };
        node.children.set(part, child);
      }
      child.untagged += untagged;
      node = child;
    }
    if (node.rows) node.rows.push(row);
    else node.rows = [row];
    this.count++;
  }

  /** Leaves matching a glob, optionally restricted to one canonical tag suffix, sorted by path. */
  leaves(glob: CompiledGlob, tags = ''): Leaf[] {
    const out = new Map<string, Leaf>();
    for (const matchers of glob.alternatives) {
      this.walk(this.root, matchers, 0, [], (node, parts, virtual) => {
        const path = parts.join('.');
        if (virtual !== null) {
          for (const row of node.rows ?? []) {
            if (row.tags === tags && offersLeaf(row.kind, virtual)) {
              out.set(`${path}${tags}`, { path: `${path}${tags}`, series: row, stat: virtual });
            }
          }
          return;
        }
        for (const row of node.rows ?? []) {
          if (row.kind === SeriesKind.Gauge && row.tags === tags) {
            out.set(`${path}${tags}`, { path: `${path}${tags}`, series: row, stat: '' });
          }
        }
      });
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The nodes a find query names: each may be a leaf, a branch, or both. Only untagged series are browsable. */
  find(glob: CompiledGlob): FoundNode[] {
    const out = new Map<string, FoundNode>();
    const note = (path: string, name: string, leaf: boolean, branch: boolean) => {
      const prev = out.get(path);
      out.set(path, { path, name, isLeaf: leaf || !!prev?.isLeaf, isBranch: branch || !!prev?.isBranch });
    };
    for (const matchers of glob.alternatives) {
      this.walk(this.root, matchers, 0, [], (node, parts, virtual) => {
        const path = parts.join('.');
        const name = parts[parts.length - 1];
        if (virtual !== null) {
          if (node.rows?.some((r) => r.tags === '' && offersLeaf(r.kind, virtual))) note(path, name, true, false);
          return;
        }
        if (node.untagged === 0) return;
        const rows = node.rows?.filter((r) => r.tags === '') ?? [];
        const leaf = rows.some((r) => r.kind === SeriesKind.Gauge);
        const branch = rows.some((r) => r.kind !== SeriesKind.Gauge) || hasUntaggedChild(node);
        note(path, name, leaf, branch);
      });
    }
    return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every untagged leaf path (Graphite's /metrics/index.json), sorted. */
  allLeafPaths(): string[] {
    const out: string[] = [];
    const visit = (node: TreeNode, prefix: string) => {
      for (const row of node.rows ?? []) {
        if (row.tags !== '') continue;
        if (row.kind === SeriesKind.Gauge) out.push(prefix);
        else for (const stat of this.leafNames(row.kind)) out.push(`${prefix}.${stat}`);
      }
      if (node.children)
        for (const [name, child] of node.children)
          if (child.untagged > 0) visit(child, prefix ? `${prefix}.${name}` : name);
    };
    visit(this.root, '');
    return [...new Set(out)].sort();
  }

  /**
   * Walks the tree along the matchers. `visit` is called for each full match: with virtual === null for a
   * real node, or with the virtual leaf name when the last matcher matched a derived leaf of `node`.
   */
  private walk(
    node: TreeNode,
    matchers: readonly NodeMatcher[],
    depth: number,
    parts: string[],
    visit: (node: TreeNode, parts: string[], virtual: string | null) => void,
  ): void {
    const m = matchers[depth];
    const last = depth === matchers.length - 1;
    if (node.children) {
      const step = (name: string, child: TreeNode) => {
        parts.push(name);
        if (last) visit(child, parts, null);
        else this.walk(child, matchers, depth + 1, parts, visit);
        parts.pop();
      };
      if (m.literal !== null) {
        const child = node.children.get(m.literal);
        if (child) step(m.literal, child);
      } else {
        for (const [name, child] of node.children) if (m.test(name)) step(name, child);
      }
    }
    if (last && node.rows && depth > 0) {
      for (const name of this.virtualCandidates(node.rows, m)) {
        parts.push(name);
        visit(node, parts, name);
        parts.pop();
      }
    }
  }

  private virtualCandidates(rows: readonly SeriesRow[], m: NodeMatcher): string[] {
    const names = new Set<string>();
    for (const row of rows) {
      if (row.kind === SeriesKind.Gauge) continue;
      if (m.literal !== null) {
        if (offersLeaf(row.kind, m.literal)) names.add(m.literal);
      } else {
        for (const name of this.leafNames(row.kind)) if (m.test(name)) names.add(name);
      }
    }
    return [...names];
  }

  private leafNames(kind: SeriesKind): readonly string[] {
    if (kind === SeriesKind.Counter) return COUNTER_LEAVES;
    if (kind === SeriesKind.Set) return SET_LEAVES;
    if (kind === SeriesKind.Timer) return this.timerLeaves;
    return [];
  }
}

/** Whether a series of this kind has a virtual leaf of this name (timers answer any percentile). */
function offersLeaf(kind: SeriesKind, name: string): boolean {
  if (kind === SeriesKind.Counter) return name === 'count' || name === 'rate';
  if (kind === SeriesKind.Set) return name === 'count';
  if (kind === SeriesKind.Timer) return parseTimerStat(name) !== null;
  return false;
}

function hasUntaggedChild(node: TreeNode): boolean {
  if (!node.children) return false;
  for (const child of node.children.values()) if (child.untagged > 0) return true;
  return false;
}
