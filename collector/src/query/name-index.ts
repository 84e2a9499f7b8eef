import { parseTimerStat, timerStatNames } from '../aggregate/timer-stats.js';
import { SeriesKind, type SeriesRow } from '../store/series-kind.js';
import type { CompiledGlob, NodeMatcher } from './glob.js';
import { SeriesCatalog } from './series-catalog.js';

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
  /**
   * Children by name. A child that is one series and has no children of its own (most leaves) is just
   * that series' number: an object per leaf was ~100 bytes a series.
   */
  children: Map<string, TreeNode | number> | null;
  /** Series (catalog numbers) whose base path ends at this node. */
  series: number[] | null;
  /** Untagged series at or below this node: decides whether find shows it. */
  untagged: number;
}

const COUNTER_LEAVES = ['count', 'rate'];
const SET_LEAVES = ['count'];

export class NameIndex {
  private readonly root: TreeNode = { children: null, series: null, untagged: 0 };
  private readonly timerLeaves: string[];
  private count = 0;

  /** `catalog` is shared with the tag index in the collector; series are then added there and `insert`ed. */
  constructor(
    percentiles: readonly number[],
    private readonly catalog = new SeriesCatalog(),
  ) {
    this.timerLeaves = timerStatNames(percentiles);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a series to the catalog and the tree (once per id). */
  add(row: SeriesRow): void {
    const n = this.catalog.add(row);
    if (n >= 0) this.insert(n);
  }

  /** Puts a series of the catalog in the tree. */
  insert(n: number): void {
    const untagged = this.catalog.tags(n) === '' ? 1 : 0;
    const parts = this.catalog.name(n).split('.');
    let node = this.root;
    node.untagged += untagged;
    for (let i = 0; i < parts.length; i++) {
      node.children ??= new Map();
      const child = node.children.get(parts[i]);
      if (child === undefined && i === parts.length - 1) {
        node.children.set(parts[i], n);
        this.count++;
        return;
      }
      let next: TreeNode;
      if (child === undefined || typeof child === 'number') {
        next = child === undefined ? { children: null, series: null, untagged: 0 } : this.leafNode(child);
        node.children.set(parts[i], next);
      } else next = child;
      next.untagged += untagged;
      node = next;
    }
    if (node.series) node.series.push(n);
    else node.series = [n];
    this.count++;
  }

  /** Leaves matching a glob, optionally restricted to one canonical tag suffix, sorted by path. */
  leaves(glob: CompiledGlob, tags = ''): Leaf[] {
    const cat = this.catalog;
    const out = new Map<string, Leaf>();
    for (const matchers of glob.alternatives) {
      this.walk(this.root, matchers, 0, [], (node, parts, virtual) => {
        const path = parts.join('.');
        if (virtual !== null) {
          for (const n of node.series ?? []) {
            if (cat.tags(n) === tags && offersLeaf(cat.kind(n), virtual)) {
              out.set(`${path}${tags}`, { path: `${path}${tags}`, series: cat.row(n), stat: virtual });
            }
          }
          return;
        }
        for (const n of node.series ?? []) {
          if (cat.kind(n) === SeriesKind.Gauge && cat.tags(n) === tags) {
            out.set(`${path}${tags}`, { path: `${path}${tags}`, series: cat.row(n), stat: '' });
          }
        }
      });
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The nodes a find query names: each may be a leaf, a branch, or both. Only untagged series are browsable. */
  find(glob: CompiledGlob): FoundNode[] {
    const cat = this.catalog;
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
          if (node.series?.some((n) => cat.tags(n) === '' && offersLeaf(cat.kind(n), virtual))) {
            note(path, name, true, false);
          }
          return;
        }
        if (node.untagged === 0) return;
        const own = node.series?.filter((n) => cat.tags(n) === '') ?? [];
        const leaf = own.some((n) => cat.kind(n) === SeriesKind.Gauge);
        const branch = own.some((n) => cat.kind(n) !== SeriesKind.Gauge) || this.hasUntaggedChild(node);
        note(path, name, leaf, branch);
      });
    }
    return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every untagged leaf path (Graphite's /metrics/index.json), sorted. */
  allLeafPaths(): string[] {
    const cat = this.catalog;
    const out: string[] = [];
    const visit = (node: TreeNode, prefix: string) => {
      for (const n of node.series ?? []) {
        if (cat.tags(n) !== '') continue;
        if (cat.kind(n) === SeriesKind.Gauge) out.push(prefix);
        else for (const stat of this.leafNames(cat.kind(n))) out.push(`${prefix}.${stat}`);
      }
      if (node.children)
        for (const [name, child] of node.children) {
          const c = this.nodeOf(child);
          if (c.untagged > 0) visit(c, prefix ? `${prefix}.${name}` : name);
        }
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
      const step = (name: string, child: TreeNode | number) => {
        parts.push(name);
        if (last) visit(this.nodeOf(child), parts, null);
        else if (typeof child !== 'number') this.walk(child, matchers, depth + 1, parts, visit);
        else if (depth + 1 === matchers.length - 1) this.walk(this.nodeOf(child), matchers, depth + 1, parts, visit);
        parts.pop();
      };
      if (m.literal !== null) {
        const child = node.children.get(m.literal);
        if (child !== undefined) step(m.literal, child);
      } else {
        for (const [name, child] of node.children) if (m.test(name)) step(name, child);
      }
    }
    if (last && node.series && depth > 0) {
      for (const name of this.virtualCandidates(node.series, m)) {
        parts.push(name);
        visit(node, parts, name);
        parts.pop();
      }
    }
  }

  private virtualCandidates(series: readonly number[], m: NodeMatcher): string[] {
    const names = new Set<string>();
    for (const n of series) {
      const kind = this.catalog.kind(n);
      if (kind === SeriesKind.Gauge) continue;
      if (m.literal !== null) {
        if (offersLeaf(kind, m.literal)) names.add(m.literal);
      } else {
        for (const name of this.leafNames(kind)) if (m.test(name)) names.add(name);
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

  /** A child as a node: a bare series number becomes a node of its own for the walk (not kept). */
  private nodeOf(child: TreeNode | number): TreeNode {
    return typeof child === 'number' ? this.leafNode(child) : child;
  }

  private leafNode(n: number): TreeNode {
    return { children: null, series: [n], untagged: this.catalog.tags(n) === '' ? 1 : 0 };
  }

  private hasUntaggedChild(node: TreeNode): boolean {
    if (!node.children) return false;
    for (const child of node.children.values()) {
      if (typeof child === 'number' ? this.catalog.tags(child) === '' : child.untagged > 0) return true;
    }
    return false;
  }
}

/** Whether a series of this kind has a virtual leaf of this name (timers answer any percentile). */
function offersLeaf(kind: SeriesKind, name: string): boolean {
  if (kind === SeriesKind.Counter) return name === 'count' || name === 'rate';
  if (kind === SeriesKind.Set) return name === 'count';
  if (kind === SeriesKind.Timer) return parseTimerStat(name) !== null;
  return false;
}
