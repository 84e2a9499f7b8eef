import { describe, expect, it } from 'vitest';
import { timerStatNames } from '../../collector/src/aggregate/timer-stats.js';
import { compileGlob } from '../../collector/src/query/glob.js';
import { type FoundNode, type Leaf, NameIndex } from '../../collector/src/query/name-index.js';
import { SeriesKind, type SeriesRow, splitKey } from '../../collector/src/store/series-kind.js';

const PERCENTILES = [50, 90, 95, 99];
const TIMER_LEAVES = timerStatNames(PERCENTILES);

const KIND_BY_PREFIX: Record<string, SeriesKind> = {
  counters: SeriesKind.Counter,
  gauges: SeriesKind.Gauge,
  sets: SeriesKind.Set,
  timers: SeriesKind.Timer,
};

/** Series as the store keeps them: base path (no virtual leaf) plus canonical tag suffix. */
const KEYS = [
  'stats.counters.api.hits',
  'stats.counters.api.hits;env=prod',
  'stats.counters.api.errors',
  'stats.counters.tagonly;env=prod',
  'stats.counters.statsd.bad_lines_seen',
  'stats.timers.api.latency',
  'stats.timers.api.latency;az=b;env=prod',
  'stats.gauges.api.queue',
  'stats.gauges.cpu',
  'stats.gauges.cpu.user',
  'stats.sets.api.users',
];

function rowFor(key: string, id: number): SeriesRow {
  const { name, tags } = splitKey(key);
  const kind = KIND_BY_PREFIX[name.split('.')[1] as string];
  if (kind === undefined) throw new Error(`no kind for ${key}`);
  return { id, name, tags, kind };
}

function indexOf(keys: readonly string[]): NameIndex {
  const index = new NameIndex(PERCENTILES);
  keys.forEach((k, i) => {
    index.add(rowFor(k, i + 1));
  });
  return index;
}

const index = indexOf(KEYS);

function find(query: string): FoundNode[] {
  return index.find(compileGlob(query));
}

function leaves(query: string, tags = ''): Leaf[] {
  return index.leaves(compileGlob(query), tags);
}

function leafPaths(query: string, tags = ''): string[] {
  return leaves(query, tags).map((l) => l.path);
}

/** find results as `name` + L (leaf) / B (branch) flags, e.g. `cpu:LB`. */
function found(query: string): string[] {
  return find(query).map((n) => `${n.name}:${n.isLeaf ? 'L' : ''}${n.isBranch ? 'B' : ''}`);
}

describe('NameIndex.add / size', () => {
  it('counts stored series (tagged ones included)', () => {
    expect(index.size).toBe(KEYS.length);
    expect(new NameIndex(PERCENTILES).size).toBe(0);
  });
});

describe('NameIndex virtual leaves per kind', () => {
  it('counter → count, rate', () => {
    expect(leafPaths('stats.counters.api.hits.*')).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.rate',
    ]);
    const [count] = leaves('stats.counters.api.hits.count');
    expect(count?.stat).toBe('count');
    expect(count?.series).toMatchObject({ name: 'stats.counters.api.hits', tags: '', kind: SeriesKind.Counter });
  });

  it('set → count only', () => {
    expect(leafPaths('stats.sets.api.users.*')).toEqual(['stats.sets.api.users.count']);
    expect(leafPaths('stats.sets.api.users.rate')).toEqual([]);
  });

  it('timer → the etsy stats for the configured percentiles under a wildcard', () => {
    const paths = leafPaths('stats.timers.api.latency.*');
    expect(paths).toEqual(TIMER_LEAVES.map((s) => `stats.timers.api.latency.${s}`).sort());
    expect(paths).toHaveLength(29);
    expect(paths).toContain('stats.timers.api.latency.upper_99');
    expect(paths).not.toContain('stats.timers.api.latency.upper_99_9');
  });

  it('timer → any percentile by exact name', () => {
    for (const stat of ['upper_99_9', 'mean_top10', 'lower_top5', 'sum_squares_75', 'count_12_5']) {
      const got = leaves(`stats.timers.api.latency.${stat}`);
      expect(
        got.map((l) => l.stat),
        stat,
      ).toEqual([stat]);
      expect(got[0]?.series.kind).toBe(SeriesKind.Timer);
    }
    expect(leafPaths('stats.timers.api.latency.{upper_99_9,mean_top10}')).toEqual([
      'stats.timers.api.latency.mean_top10',
      'stats.timers.api.latency.upper_99_9',
    ]);
  });

  it('timer rejects names that are not etsy stats', () => {
    for (const stat of ['upper_top10', 'lower_90', 'upper_101', 'rate', 'p99']) {
      expect(leafPaths(`stats.timers.api.latency.${stat}`), stat).toEqual([]);
    }
  });

  it('gauge → the series itself, with stat ""', () => {
    const got = leaves('stats.gauges.api.queue');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ path: 'stats.gauges.api.queue', stat: '' });
    expect(got[0]?.series.kind).toBe(SeriesKind.Gauge);
    expect(leafPaths('stats.gauges.api.queue.*')).toEqual([]);
    expect(leafPaths('stats.gauges.api.queue.count')).toEqual([]);
  });

  it('a counter/set/timer base path is not a leaf itself', () => {
    expect(leafPaths('stats.counters.api.hits')).toEqual([]);
    expect(leafPaths('stats.sets.api.users')).toEqual([]);
    expect(leafPaths('stats.timers.api.latency')).toEqual([]);
    expect(leafPaths('stats.counters.api.hits.count.rate')).toEqual([]);
  });
});

describe('NameIndex.find', () => {
  it('walks one level at a time from the root', () => {
    expect(found('*')).toEqual(['stats:B']);
    expect(found('stats.*')).toEqual(['counters:B', 'gauges:B', 'sets:B', 'timers:B']);
    expect(find('stats.counters')).toEqual([
      { path: 'stats.counters', name: 'counters', isLeaf: false, isBranch: true },
    ]);
  });

  it('shows counter, set and timer series as branches holding their virtual leaves', () => {
    expect(found('stats.counters.api.*')).toEqual(['errors:B', 'hits:B']);
    expect(find('stats.counters.api.hits.*')).toEqual([
      { path: 'stats.counters.api.hits.count', name: 'count', isLeaf: true, isBranch: false },
      { path: 'stats.counters.api.hits.rate', name: 'rate', isLeaf: true, isBranch: false },
    ]);
    expect(found('stats.sets.api.users.*')).toEqual(['count:L']);
    const timerLeaves = find('stats.timers.api.latency.*');
    expect(timerLeaves.map((n) => n.name).sort()).toEqual([...TIMER_LEAVES].sort());
    expect(timerLeaves.every((n) => n.isLeaf && !n.isBranch)).toBe(true);
  });

  it('finds a timer percentile leaf by exact name even when not configured', () => {
    expect(find('stats.timers.api.latency.upper_99_9')).toEqual([
      { path: 'stats.timers.api.latency.upper_99_9', name: 'upper_99_9', isLeaf: true, isBranch: false },
    ]);
    expect(find('stats.timers.api.latency.upper_top10')).toEqual([]);
  });

  it('a node can be both a leaf and a branch (gauge cpu and gauge cpu.user)', () => {
    expect(found('stats.gauges.*')).toEqual(['api:B', 'cpu:LB']);
    expect(find('stats.gauges.cpu')).toEqual([{ path: 'stats.gauges.cpu', name: 'cpu', isLeaf: true, isBranch: true }]);
    expect(found('stats.gauges.cpu.*')).toEqual(['user:L']);
    expect(found('stats.gauges.api.*')).toEqual(['queue:L']);
  });

  it('browses untagged series only', () => {
    // `tagonly` exists only with tags: not part of the browsable tree
    expect(found('stats.counters.*')).toEqual(['api:B', 'statsd:B']);
    expect(find('stats.counters.tagonly')).toEqual([]);
    expect(find('stats.counters.tagonly.*')).toEqual([]);
    // hits exists both ways: shown once, for its untagged series
    expect(found('stats.counters.api.h*')).toEqual(['hits:B']);
  });

  it('hides a whole subtree whose series are all tagged', () => {
    const tagged = indexOf(['stats.counters.only.tagged;env=prod', 'stats.gauges.g;az=b']);
    expect(tagged.find(compileGlob('*'))).toEqual([]);
    expect(tagged.find(compileGlob('stats.*'))).toEqual([]);
    expect(tagged.find(compileGlob('stats.counters.only.tagged.*'))).toEqual([]);
  });

  it('supports globs and returns nothing for unknown paths', () => {
    expect(found('stats.{counters,sets}.api')).toEqual(['api:B', 'api:B']);
    expect(find('stats.{counters,sets}.api').map((n) => n.path)).toEqual(
      expect.arrayContaining(['stats.counters.api', 'stats.sets.api']),
    );
    expect(found('stats.?auges')).toEqual(['gauges:B']);
    expect(found('stats.[cs]*')).toEqual(['counters:B', 'sets:B']);
    expect(find('nothing.*')).toEqual([]);
    expect(find('stats.counters.api.hits.count.*')).toEqual([]);
  });

  it('matches virtual leaves with wildcards: count and rate of every counter', () => {
    // graphite-web sorts find results by node name: both counts come before both rates.
    const nodes = find('stats.counters.api.*.{count,rate}');
    expect(nodes.map((n) => n.name)).toEqual(['count', 'count', 'rate', 'rate']);
    expect(nodes.map((n) => n.path).sort()).toEqual([
      'stats.counters.api.errors.count',
      'stats.counters.api.errors.rate',
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.rate',
    ]);
    expect(nodes.every((n) => n.isLeaf && !n.isBranch)).toBe(true);
  });
});

describe('NameIndex.leaves', () => {
  it('expands * ? [..] {a,b} and sorts by path', () => {
    expect(leafPaths('stats.counters.api.*.count')).toEqual([
      'stats.counters.api.errors.count',
      'stats.counters.api.hits.count',
    ]);
    expect(leafPaths('stats.sets.api.use??.count')).toEqual(['stats.sets.api.users.count']);
    expect(leafPaths('stats.counters.api.[eh]*.rate')).toEqual([
      'stats.counters.api.errors.rate',
      'stats.counters.api.hits.rate',
    ]);
    expect(leafPaths('stats.{sets,counters}.api.*.count')).toEqual([
      'stats.counters.api.errors.count',
      'stats.counters.api.hits.count',
      'stats.sets.api.users.count',
    ]);
    expect(leafPaths('stats.gauges.*')).toEqual(['stats.gauges.cpu']);
    expect(leafPaths('stats.gauges.*.*')).toEqual(['stats.gauges.api.queue', 'stats.gauges.cpu.user']);
    expect(leafPaths('stats.timers.api.latency.upper_*')).toEqual([
      'stats.timers.api.latency.upper_50',
      'stats.timers.api.latency.upper_90',
      'stats.timers.api.latency.upper_95',
      'stats.timers.api.latency.upper_99',
    ]);
  });

  it('returns each leaf once when alternatives overlap', () => {
    expect(leafPaths('stats.counters.api.{hits,h*,hit?}.count')).toEqual(['stats.counters.api.hits.count']);
  });

  it('ignores tagged series for an untagged query', () => {
    expect(leaves('stats.counters.api.hits.count').map((l) => l.series.tags)).toEqual(['']);
    expect(leafPaths('stats.counters.tagonly.count')).toEqual([]);
  });

  it('looks up a tagged series by its exact canonical tag suffix', () => {
    const [hit] = leaves('stats.counters.api.hits.count', ';env=prod');
    expect(hit?.path).toBe('stats.counters.api.hits.count;env=prod');
    expect(hit?.series).toMatchObject({ name: 'stats.counters.api.hits', tags: ';env=prod' });
    expect(leafPaths('stats.counters.*.count', ';env=prod')).toEqual(['stats.counters.tagonly.count;env=prod']);
    expect(leafPaths('stats.timers.api.latency.upper_99_9', ';az=b;env=prod')).toEqual([
      'stats.timers.api.latency.upper_99_9;az=b;env=prod',
    ]);
  });

  it('requires the whole suffix: a subset or superset of the tags does not match', () => {
    expect(leafPaths('stats.timers.api.latency.upper_99', ';env=prod')).toEqual([]);
    expect(leafPaths('stats.timers.api.latency.upper_99', ';az=b')).toEqual([]);
    expect(leafPaths('stats.counters.api.hits.count', ';env=prod;az=b')).toEqual([]);
    expect(leafPaths('stats.counters.api.hits.count', ';env=dev')).toEqual([]);
  });

  it('expects the canonical (sorted) order; callers canonicalise (evaluate-path splitTags)', () => {
    expect(leafPaths('stats.timers.api.latency.mean', ';env=prod;az=b')).toEqual([]);
    expect(leafPaths('stats.timers.api.latency.mean', ';az=b;env=prod')).toHaveLength(1);
  });

  it('sorts by path however the series were added', () => {
    const shuffled = indexOf([...KEYS].reverse());
    const paths = shuffled.leaves(compileGlob('stats.*.*.*.*')).map((l) => l.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths[0]).toBe('stats.counters.api.errors.count');
  });
});

describe('NameIndex.allLeafPaths', () => {
  it('lists every untagged leaf once, sorted', () => {
    const all = index.allLeafPaths();
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(
      [
        'stats.counters.api.errors.count',
        'stats.counters.api.errors.rate',
        'stats.counters.api.hits.count',
        'stats.counters.api.hits.rate',
        'stats.counters.statsd.bad_lines_seen.count',
        'stats.counters.statsd.bad_lines_seen.rate',
        'stats.gauges.api.queue',
        'stats.gauges.cpu',
        'stats.gauges.cpu.user',
        'stats.sets.api.users.count',
        ...TIMER_LEAVES.map((s) => `stats.timers.api.latency.${s}`),
      ].sort(),
    );
    expect(all.some((p) => p.includes('tagonly') || p.includes(';'))).toBe(false);
  });

  it('is empty for an empty or all-tagged index', () => {
    expect(new NameIndex(PERCENTILES).allLeafPaths()).toEqual([]);
    expect(indexOf(['stats.gauges.g;az=b']).allLeafPaths()).toEqual([]);
  });

  it('follows the configured percentiles', () => {
    const idx = new NameIndex([99.9, -10]);
    idx.add({ id: 1, name: 'stats.timers.t', tags: '', kind: SeriesKind.Timer });
    const all = idx.allLeafPaths();
    expect(all).toHaveLength(9 + 10);
    expect(all).toContain('stats.timers.t.upper_99_9');
    expect(all).toContain('stats.timers.t.lower_top10');
  });
});
