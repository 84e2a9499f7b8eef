import { parseTimerStat, timerStatNames } from '../aggregate/timer-stats.js';
import { SeriesKind, type SeriesRow } from '../store/series-kind.js';
import { parseTagSuffix } from './fetch-series.js';
import type { Leaf } from './name-index.js';
import { pythonRegex } from './python-regex.js';
import { QueryError } from './query-error.js';
import { SeriesCatalog } from './series-catalog.js';

/**
 * Graphite's tag database over the stored series, for seriesByTag and the /tags API.
 *
 * A Graphite series here is one leaf of a stored series: `stats.counters.api.hits;env=prod` is two,
 * `stats.counters.api.hits.count;env=prod` and `….rate;env=prod`. Its tags are the stored tag suffix plus
 * `name` = the leaf path, so `seriesByTag('name=stats.counters.api.hits.count','env=prod')` finds it.
 *
 * Deliberate difference from graphite-web: untagged series are in the index too, with `name` as their only
 * tag. In Graphite only series sent with `;tags` enter the tag database, but StatsD users mostly send no
 * tags, and Grafana's tag editor (`seriesByTag('name=…')`, autocomplete on `name`) is then still useful.
 * An expression on any other tag matches a missing tag only when it matches the empty string, exactly as
 * Graphite treats series without that tag, so tagged queries (`env=prod`) never pick up untagged series.
 *
 * Expressions follow graphite-web (tags/base.py, localdatabase.py): `tag=spec`, `tag!=spec`, `tag=~regex`,
 * `tag!=~regex`; a regex is anchored at the start (not the end) unless it starts with `^`; a missing tag
 * reads as ''; at least one expression must not match ''.
 */

export type TagOperator = '=' | '!=' | '=~' | '!=~';

export interface TagMatcher {
  tag: string;
  op: TagOperator;
  spec: string;
  /** True when the expression accepts `value` ('' for a missing tag). */
  test(value: string): boolean;
  /** Whether a series without the tag matches. */
  matchesEmpty: boolean;
}

/** graphite-web's autocomplete limit (settings.TAGDB_AUTOCOMPLETE_LIMIT). */
export const DEFAULT_AUTOCOMPLETE_LIMIT = 100;

const COUNTER_STATS = ['count', 'rate'];
const SET_STATS = ['count'];
const GAUGE_STATS = [''];
/** Shared by every untagged series: most StatsD series have no tags, and an empty Map per series adds up. */
const NO_TAGS: ReadonlyMap<string, string> = new Map();
const TAGSPEC = /^([^;!=]+)(!?=~?)([^;]*)$/;

/** Parses one graphite tag expression; a bad one is the user's mistake (400). */
export function parseTagExpression(expr: string): TagMatcher {
  const m = TAGSPEC.exec(expr);
  if (!m) {
    throw new QueryError(
      `Invalid parameters (invalid tag expression "${expr}": expected tag=value, tag!=value, tag=~regex or tag!=~regex)`,
    );
  }
  const [, tag, op, spec] = m as unknown as [string, string, TagOperator, string];
  let test: (value: string) => boolean;
  if (op === '=') test = (v) => v === spec;
  else if (op === '!=') test = (v) => v !== spec;
  else {
    const re = anchoredRegex(spec, `tag expression "${expr}"`);
    test = op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
  }
  return { tag, op, spec, test, matchesEmpty: test('') };
}

/**
 * A Python regular expression (graphite's dialect) used as `re.match`: anchored at the start unless the
 * pattern already is.
 */
export function anchoredRegex(pattern: string, what: string): RegExp {
  try {
    // Compiled as given first, so an error names the pattern the user wrote.
    pythonRegex(pattern);
  } catch (err) {
    if (err instanceof QueryError) throw new QueryError(`Invalid parameters (${what}: ${err.message})`);
    throw err;
  }
  return pythonRegex(pattern.startsWith('^') ? pattern : `^(?:${pattern})`);
}

function parseExpressions(expressions: readonly string[]): TagMatcher[] {
  const matchers = expressions.map(parseTagExpression);
  if (matchers.every((m) => m.matchesEmpty)) {
    throw new QueryError('Invalid parameters (at least one tag expression must not match the empty string)');
  }
  return matchers;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A stored tag suffix as a map, without `name` (the path is the series' name). */
function ownTags(suffix: string): Map<string, string> {
  const tags = new Map(Object.entries(parseTagSuffix(suffix)));
  tags.delete('name');
  return tags;
}

function leafPath(base: string, stat: string): string {
  return stat === '' ? base : `${base}.${stat}`;
}

export class TagIndex {
  /** Series indexed: catalog numbers 0 … count - 1, added in order. */
  private count = 0;
  /** Tag suffix → its tags without `name`, parsed once per distinct suffix. */
  private readonly parsed = new Map<string, ReadonlyMap<string, string>>();
  /** tag → value → series (catalog numbers) carrying it. */
  private readonly postings = new Map<string, Map<string, number[]>>();
  /** Series by name, sorted when a query needs it: the ones added since wait in `unsorted`. */
  private byName = new Int32Array(0);
  private unsorted: number[] = [];
  private readonly timerStats: readonly string[];

  /** `catalog` is shared with the name index in the collector; series are then added there and `insert`ed. */
  constructor(
    percentiles: readonly number[],
    private readonly catalog = new SeriesCatalog(),
  ) {
    this.timerStats = timerStatNames(percentiles);
  }

  /** Stored series indexed (not Graphite series: a counter is two of those). */
  get size(): number {
    return this.count;
  }

  /** Adds a series to the catalog and the index (once per id). */
  add(row: SeriesRow): void {
    const n = this.catalog.add(row);
    if (n >= 0) this.insert(n);
  }

  /** Indexes the catalog's next series: numbers come in the order the catalog gave them. */
  insert(n: number): void {
    if (n !== this.count) throw new Error(`tag index: series ${n} inserted after ${this.count - 1}`);
    this.count++;
    this.unsorted.push(n);
    for (const [tag, value] of this.tagsOf(n)) {
      let values = this.postings.get(tag);
      if (!values) {
        values = new Map();
        this.postings.set(tag, values);
      }
      const list = values.get(value);
      if (list) list.push(n);
      else values.set(value, [n]);
    }
  }

  /** graphite's find_series: the leaves whose tags satisfy every expression, sorted by `name;tags` path. */
  find(expressions: readonly string[]): Leaf[] {
    return this.match(parseExpressions(expressions))
      .map((m) => m.leaf)
      .sort((a, b) => byString(a.path, b.path));
  }

  /** Tag names, sorted; `filter` is a regex anchored at the start. `name` is listed once any series exists. */
  listTags(filter?: string, limit?: number): string[] {
    const re = filter ? anchoredRegex(filter, 'filter') : null;
    const names = [...this.postings.keys()];
    if (this.count > 0) names.push('name');
    return names
      .filter((t) => !re || re.test(t))
      .sort(byString)
      .slice(0, limit);
  }

  /** A tag's values with the number of (Graphite) series carrying each, sorted by value; null for an unknown tag. */
  tagValues(tag: string, filter?: string, limit?: number): Array<{ count: number; value: string }> | null {
    const re = filter ? anchoredRegex(filter, 'filter') : null;
    if (tag === 'name') {
      if (this.count === 0) return null;
      const names = this.firstNames('', limit ?? Number.POSITIVE_INFINITY, (n) => !re || re.test(n));
      return names.map((value) => ({ count: this.seriesNamed(value).length, value }));
    }
    const values = this.postings.get(tag);
    if (!values) return null;
    return [...values.keys()]
      .filter((value) => !re || re.test(value))
      .sort(byString)
      .slice(0, limit)
      .map((value) => ({
        count: (values.get(value) as number[]).reduce((c, n) => c + this.stats(this.catalog.kind(n)).length, 0),
        value,
      }));
  }

  /**
   * Tag names for an editor: with expressions, the tags of the series they match minus the tags they name;
   * without, every tag. Filtered by a literal prefix, sorted, at most `limit`.
   */
  autoCompleteTags(expressions: readonly string[], prefix = '', limit = DEFAULT_AUTOCOMPLETE_LIMIT): string[] {
    if (expressions.length === 0)
      return this.listTags()
        .filter((t) => t.startsWith(prefix))
        .slice(0, limit);
    const matchers = parseExpressions(expressions);
    const searched = new Set(matchers.map((m) => m.tag));
    const found = new Set<string>();
    for (const { n } of this.match(matchers)) {
      found.add('name');
      for (const tag of this.tagsOf(n).keys()) found.add(tag);
    }
    return [...found]
      .filter((t) => !searched.has(t) && t.startsWith(prefix))
      .sort(byString)
      .slice(0, limit);
  }

  /** Values of one tag for an editor, among the series the expressions match (all series without any). */
  autoCompleteValues(
    expressions: readonly string[],
    tag: string,
    prefix = '',
    limit = DEFAULT_AUTOCOMPLETE_LIMIT,
  ): string[] {
    if (expressions.length === 0) {
      if (tag === 'name') return this.firstNames(prefix, limit);
      const values = this.postings.get(tag);
      if (!values) return [];
      return [...values.keys()]
        .filter((v) => v.startsWith(prefix))
        .sort(byString)
        .slice(0, limit);
    }
    // As graphite-web: the series must carry the tag, which also makes `env!=prod` alone a valid query.
    const found = new Set<string>();
    for (const { n, leaf } of this.match(parseExpressions([...expressions, `${tag}!=`]))) {
      const value = tag === 'name' ? leafPath(this.catalog.name(n), leaf.stat) : this.tagsOf(n).get(tag);
      if (value?.startsWith(prefix)) found.add(value);
    }
    return [...found].sort(byString).slice(0, limit);
  }

  /** A series' tags without `name`; one map per distinct tag suffix. */
  private tagsOf(n: number): ReadonlyMap<string, string> {
    const suffix = this.catalog.tags(n);
    if (suffix === '') return NO_TAGS;
    let tags = this.parsed.get(suffix);
    if (tags === undefined) {
      tags = ownTags(suffix);
      this.parsed.set(suffix, tags);
    }
    return tags;
  }

  /** Unsorted matches of parsed expressions. */
  private match(matchers: readonly TagMatcher[]): Array<{ n: number; leaf: Leaf }> {
    const cat = this.catalog;
    const nameMatchers = matchers.filter((m) => m.tag === 'name');
    const tagMatchers = matchers.filter((m) => m.tag !== 'name');
    const exactName = nameMatchers.find((m) => m.op === '=')?.spec;
    const out: Array<{ n: number; leaf: Leaf }> = [];
    const consider = (n: number) => {
      const tags = this.tagsOf(n);
      if (!tagMatchers.every((m) => m.test(tags.get(m.tag) ?? ''))) return;
      const base = cat.name(n);
      const kind = cat.kind(n);
      const stats = exactName === undefined ? this.stats(kind) : statFor(base, kind, exactName);
      let row: SeriesRow | null = null;
      for (const stat of stats) {
        const name = leafPath(base, stat);
        if (nameMatchers.every((m) => m.test(name))) {
          row ??= cat.row(n);
          out.push({ n, leaf: { path: `${name}${row.tags}`, series: row, stat } });
        }
      }
    };
    const candidates = this.candidates(matchers, exactName);
    if (candidates === null) for (let n = 0; n < this.count; n++) consider(n);
    else for (const n of candidates) consider(n);
    return out;
  }

  /**
   * A superset of the matching series, from the most selective expression that can use an index; null for
   * every series.
   */
  private candidates(matchers: readonly TagMatcher[], exactName: string | undefined): readonly number[] | null {
    const positive = matchers.filter((m) => m.tag !== 'name' && !m.matchesEmpty);
    const exact = positive.find((m) => m.op === '=');
    if (exact) return this.postings.get(exact.tag)?.get(exact.spec) ?? [];
    if (exactName !== undefined) return this.seriesNamed(exactName);
    if (positive.length > 0) {
      const m = positive[0];
      const out: number[] = [];
      for (const [value, series] of this.postings.get(m.tag) ?? []) if (m.test(value)) out.push(...series);
      return out;
    }
    return null;
  }

  /**
   * The first `limit` leaf paths that start with `prefix` and pass `accept`, in order, without listing every
   * leaf: a leaf sorts at or after its base path, so once `limit` names are known, bases past the last of
   * them can't add any.
   */
  private firstNames(prefix: string, limit: number, accept: (name: string) => boolean = () => true): string[] {
    if (limit <= 0) return [];
    const cat = this.catalog;
    const sorted = this.sortedByName();
    let found: string[] = [];
    const collect = (n: number) => {
      const base = cat.name(n);
      for (const stat of this.stats(cat.kind(n))) {
        const name = leafPath(base, stat);
        if (name.startsWith(prefix) && accept(name)) found.push(name);
      }
    };
    // Bases the prefix runs past (`stats.counters.api.hits.c` → `stats.counters.api.hits`), then the range
    // of bases that start with it.
    for (let dot = prefix.indexOf('.'); dot > 0; dot = prefix.indexOf('.', dot + 1)) {
      for (const n of this.withName(prefix.slice(0, dot))) collect(n);
    }
    let bound: string | null = null;
    for (let i = this.lowerBound(prefix); i < sorted.length && cat.name(sorted[i]).startsWith(prefix); i++) {
      if (bound !== null && cat.name(sorted[i]) >= bound) break;
      collect(sorted[i]);
      if (found.length >= 2 * limit) {
        found = [...new Set(found)].sort(byString).slice(0, limit);
        if (found.length === limit) bound = found[limit - 1];
      }
    }
    return [...new Set(found)].sort(byString).slice(0, limit);
  }

  /** Series that have a leaf of this exact path. */
  private seriesNamed(name: string): number[] {
    const dot = name.lastIndexOf('.');
    const candidates = [...this.withName(name), ...(dot > 0 ? this.withName(name.slice(0, dot)) : [])];
    return candidates.filter((n) => statFor(this.catalog.name(n), this.catalog.kind(n), name).length > 0);
  }

  /** Series whose base path is `name`. */
  private withName(name: string): number[] {
    const sorted = this.sortedByName();
    const out: number[] = [];
    for (let i = this.lowerBound(name); i < sorted.length && this.catalog.name(sorted[i]) === name; i++) {
      out.push(sorted[i]);
    }
    return out;
  }

  /** The index in sortedByName() of the first series whose name is >= s. */
  private lowerBound(s: string): number {
    const sorted = this.sortedByName();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.catalog.name(sorted[mid]) < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Series sorted by name: the ones added since the last query are sorted and merged in. */
  private sortedByName(): Int32Array {
    if (this.unsorted.length === 0) return this.byName;
    const cat = this.catalog;
    const added = this.unsorted.sort((a, b) => byString(cat.name(a), cat.name(b)));
    this.unsorted = [];
    const old = this.byName;
    const merged = new Int32Array(old.length + added.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < merged.length; k++) {
      merged[k] =
        j >= added.length || (i < old.length && cat.name(old[i]) <= cat.name(added[j])) ? old[i++] : added[j++];
    }
    this.byName = merged;
    return merged;
  }

  private stats(kind: SeriesKind): readonly string[] {
    if (kind === SeriesKind.Counter) return COUNTER_STATS;
    if (kind === SeriesKind.Set) return SET_STATS;
    if (kind === SeriesKind.Timer) return this.timerStats;
    return GAUGE_STATS;
  }
}

/**
 * The stat that makes `name` a leaf of this series, if any. Timers answer any percentile by name, as
 * /render does, so `name=stats.timers.api.lat.upper_99_9` works without 99.9 being configured.
 */
function statFor(base: string, kind: SeriesKind, name: string): string[] {
  if (kind === SeriesKind.Gauge) return name === base ? [''] : [];
  if (!name.startsWith(`${base}.`)) return [];
  const stat = name.slice(base.length + 1);
  if (kind === SeriesKind.Counter) return COUNTER_STATS.includes(stat) ? [stat] : [];
  if (kind === SeriesKind.Set) return SET_STATS.includes(stat) ? [stat] : [];
  return parseTimerStat(stat) ? [stat] : [];
}

/** The call as a path expression, which aggregates print: `seriesByTag('name=a.b','env=prod')`. */
export function seriesByTagExpression(expressions: readonly string[]): string {
  return `seriesByTag(${expressions.map((e) => (e.includes("'") ? `"${e}"` : `'${e}'`)).join(',')})`;
}
