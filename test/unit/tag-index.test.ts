import { describe, expect, it } from 'vitest';
import { timerStatNames } from '../../collector/src/aggregate/timer-stats.js';
import { QueryError } from '../../collector/src/query/query-error.js';
import { parseTagExpression, TagIndex } from '../../collector/src/query/tag-index.js';
import { SeriesKind, type SeriesRow, splitKey } from '../../collector/src/store/series-kind.js';

const PERCENTILES = [50, 90, 95, 99];
const TIMER_LEAVES = timerStatNames(PERCENTILES);

const KIND_BY_PREFIX: Record<string, SeriesKind> = {
  counters: SeriesKind.Counter,
  gauges: SeriesKind.Gauge,
  sets: SeriesKind.Set,
  timers: SeriesKind.Timer,
};

/** Series as the store keeps them: base path plus canonical (sorted) tag suffix. */
const KEYS = [
  'stats.counters.api.hits',
  'stats.counters.api.hits;env=prod',
  'stats.counters.api.hits;az=b;env=dev',
  'stats.counters.api.errors;env=prod',
  'stats.timers.api.lat;env=prod',
  'stats.gauges.api.queue;env=prod;host=web1',
  'stats.gauges.cpu',
  'stats.sets.api.users;env=staging',
];

function row(key: string, id: number): SeriesRow {
  const { name, tags } = splitKey(key);
  return { id, name, tags, kind: KIND_BY_PREFIX[name.split('.')[1]] };
}

function build(keys: readonly string[] = KEYS): TagIndex {
  const index = new TagIndex(PERCENTILES);
  keys.forEach((k, i) => {
    index.add(row(k, i + 1));
  });
  return index;
}

const paths = (index: TagIndex, exprs: string[]) => index.find(exprs).map((l) => l.path);

describe('parseTagExpression', () => {
  it.each([
    ['env=prod', 'env', '=', 'prod'],
    ['env!=prod', 'env', '!=', 'prod'],
    ['env=~pr.*', 'env', '=~', 'pr.*'],
    ['env!=~pr.*', 'env', '!=~', 'pr.*'],
    ['env=', 'env', '=', ''],
    ['env==x', 'env', '=', '=x'],
  ])('%s → tag %s, operator %s, spec %s', (expr, tag, op, spec) => {
    expect(parseTagExpression(expr)).toMatchObject({ tag, op, spec });
  });

  it('anchors regexes at the start only, as Python re.match does', () => {
    const m = parseTagExpression('env=~pro');
    expect(m.test('prod')).toBe(true);
    expect(m.test('preprod')).toBe(false);
    expect(parseTagExpression('env=~rod').test('prod')).toBe(false);
    expect(parseTagExpression('env=~^p.*d$').test('prod')).toBe(true);
    // An alternation is anchored as a whole.
    expect(parseTagExpression('env=~dev|prod').test('xprod')).toBe(false);
  });

  it("speaks graphite's (Python's) regex dialect", () => {
    expect(parseTagExpression('env=~(?P<stage>pr)od').test('prod')).toBe(true);
  });

  it('knows which expressions match a missing tag', () => {
    expect(parseTagExpression('env=').matchesEmpty).toBe(true);
    expect(parseTagExpression('env!=prod').matchesEmpty).toBe(true);
    expect(parseTagExpression('env=~.*').matchesEmpty).toBe(true);
    expect(parseTagExpression('env!=~.+').matchesEmpty).toBe(true);
    expect(parseTagExpression('env!=').matchesEmpty).toBe(false);
    expect(parseTagExpression('env=~.+').matchesEmpty).toBe(false);
    expect(parseTagExpression('env!=~.*').matchesEmpty).toBe(false);
  });

  it.each(['env', '=prod', 'a;b=c', 'env!prod', 'env=~(', 'env!=~[a-'])('rejects %s with a QueryError', (expr) => {
    expect(() => parseTagExpression(expr)).toThrow(QueryError);
  });
});

describe('TagIndex.find', () => {
  const index = build();

  it('finds leaves by name, tagged and untagged, sorted by path', () => {
    expect(paths(index, ['name=stats.counters.api.hits.count'])).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.count;az=b;env=dev',
      'stats.counters.api.hits.count;env=prod',
    ]);
    expect(paths(index, ['name=stats.gauges.cpu'])).toEqual(['stats.gauges.cpu']);
    expect(paths(index, ['name=stats.counters.api.hits'])).toEqual([]);
  });

  it('returns the leaf with its series and stat, ready to fetch', () => {
    const [leaf] = index.find(['name=stats.counters.api.hits.rate', 'env=prod']);
    expect(leaf).toMatchObject({
      path: 'stats.counters.api.hits.rate;env=prod',
      stat: 'rate',
      series: { id: 2, name: 'stats.counters.api.hits', tags: ';env=prod' },
    });
  });

  it('combines name and tag expressions', () => {
    expect(paths(index, ['name=stats.counters.api.hits.count', 'env=prod'])).toEqual([
      'stats.counters.api.hits.count;env=prod',
    ]);
  });

  it('finds every leaf of the series carrying a tag value', () => {
    const found = paths(index, ['env=prod']);
    expect(found).toHaveLength(2 + 2 + TIMER_LEAVES.length + 1);
    expect(found).toContain('stats.timers.api.lat.upper_99;env=prod');
    expect(found).toContain('stats.gauges.api.queue;env=prod;host=web1');
    expect(found.every((p) => p.includes('env=prod'))).toBe(true);
    expect([...found].sort()).toEqual(found);
  });

  it('treats a missing tag as the empty value', () => {
    // env!=prod matches series without env, so the untagged counter is in.
    expect(paths(index, ['name=~stats\\.counters\\.api\\.hits', 'env!=prod'])).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.count;az=b;env=dev',
      'stats.counters.api.hits.rate',
      'stats.counters.api.hits.rate;az=b;env=dev',
    ]);
    // az= means "no az tag".
    expect(paths(index, ['name=stats.counters.api.hits.count', 'az='])).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.count;env=prod',
    ]);
    // env!= means "has an env tag", so untagged series are out.
    expect(paths(index, ['name=~stats\\.gauges', 'env!='])).toEqual(['stats.gauges.api.queue;env=prod;host=web1']);
  });

  it('never matches untagged series on a positive expression about another tag', () => {
    expect(paths(index, ['env=~.+']).some((p) => !p.includes(';'))).toBe(false);
  });

  it('matches regexes and their negations', () => {
    expect(paths(index, ['env=~pro'])).toEqual(paths(index, ['env=prod']));
    expect(paths(index, ['env=~rod'])).toEqual([]);
    expect(paths(index, ['name=~stats\\.', 'env!=~prod|dev'])).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.rate',
      'stats.gauges.cpu',
      'stats.sets.api.users.count;env=staging',
    ]);
    expect(paths(index, ['name=~stats\\.sets\\.', 'name!=~.*\\.rate$'])).toEqual([
      'stats.sets.api.users.count;env=staging',
    ]);
  });

  it('answers any timer percentile by exact name, as /render does', () => {
    expect(paths(index, ['name=stats.timers.api.lat.upper_99_9', 'env=prod'])).toEqual([
      'stats.timers.api.lat.upper_99_9;env=prod',
    ]);
    expect(paths(index, ['name=stats.timers.api.lat.bogus'])).toEqual([]);
    // A regex walks the configured leaves only.
    expect(paths(index, ['name=~stats\\.timers\\.api\\.lat\\.upper_99'])).toEqual([
      'stats.timers.api.lat.upper_99;env=prod',
    ]);
  });

  it('requires one expression that does not match the empty string', () => {
    expect(() => index.find(['env!=prod'])).toThrow(/at least one tag expression must not match the empty string/);
    expect(() => index.find(['env=', 'az=~.*'])).toThrow(QueryError);
    expect(() => index.find([])).toThrow(QueryError);
  });

  it('is empty before any series arrives', () => {
    const empty = new TagIndex(PERCENTILES);
    expect(empty.find(['name=a.b'])).toEqual([]);
    expect(empty.listTags()).toEqual([]);
    expect(empty.tagValues('name')).toBeNull();
    expect(empty.autoCompleteValues([], 'name')).toEqual([]);
  });
});

describe('TagIndex listing', () => {
  const index = build();

  it('lists tag names with name, sorted, filtered by an anchored regex', () => {
    expect(index.listTags()).toEqual(['az', 'env', 'host', 'name']);
    expect(index.listTags('e')).toEqual(['env']);
    expect(index.listTags('n|h')).toEqual(['host', 'name']);
    expect(index.listTags(undefined, 2)).toEqual(['az', 'env']);
  });

  it('lists values with the number of Graphite series carrying each', () => {
    expect(index.tagValues('env')).toEqual([
      { count: 2, value: 'dev' },
      { count: 2 + 2 + TIMER_LEAVES.length + 1, value: 'prod' },
      { count: 1, value: 'staging' },
    ]);
    expect(index.tagValues('env', 'p|s', 1)).toEqual([{ count: 34, value: 'prod' }]);
    expect(index.tagValues('nope')).toBeNull();
    expect(index.tagValues('name', 'stats\\.(gauges|counters\\.api\\.hits\\.c)')).toEqual([
      { count: 3, value: 'stats.counters.api.hits.count' },
      { count: 1, value: 'stats.gauges.api.queue' },
      { count: 1, value: 'stats.gauges.cpu' },
    ]);
  });
});

describe('TagIndex autocomplete', () => {
  const index = build();

  it('completes tag names, without and with expressions', () => {
    expect(index.autoCompleteTags([])).toEqual(['az', 'env', 'host', 'name']);
    expect(index.autoCompleteTags([], 'h')).toEqual(['host']);
    // Tags named in the expressions are left out.
    expect(index.autoCompleteTags(['env=prod'])).toEqual(['host', 'name']);
    expect(index.autoCompleteTags(['name=stats.counters.api.hits.count'])).toEqual(['az', 'env']);
    expect(index.autoCompleteTags(['name=stats.counters.api.hits.count'], 'e')).toEqual(['env']);
    expect(index.autoCompleteTags([], '', 1)).toEqual(['az']);
  });

  it('completes tag values, without and with expressions', () => {
    expect(index.autoCompleteValues([], 'env')).toEqual(['dev', 'prod', 'staging']);
    expect(index.autoCompleteValues([], 'env', 'p')).toEqual(['prod']);
    expect(index.autoCompleteValues([], 'nope')).toEqual([]);
    expect(index.autoCompleteValues(['name=stats.counters.api.hits.count'], 'env')).toEqual(['dev', 'prod']);
    // An expression that matches empty is fine here: the tag itself must be present.
    expect(index.autoCompleteValues(['env!=prod'], 'env')).toEqual(['dev', 'staging']);
    expect(index.autoCompleteValues(['env=prod'], 'name', 'stats.counters')).toEqual([
      'stats.counters.api.errors.count',
      'stats.counters.api.errors.rate',
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.rate',
    ]);
  });

  it('completes names across tagged and untagged series', () => {
    expect(index.autoCompleteValues([], 'name', 'stats.counters.api.h')).toEqual([
      'stats.counters.api.hits.count',
      'stats.counters.api.hits.rate',
    ]);
    expect(index.autoCompleteValues([], 'name', 'stats.g')).toEqual(['stats.gauges.api.queue', 'stats.gauges.cpu']);
    expect(index.autoCompleteValues([], 'name', '', 3)).toEqual([
      'stats.counters.api.errors.count',
      'stats.counters.api.errors.rate',
      'stats.counters.api.hits.count',
    ]);
  });

  it('lists the first names in order without enumerating every leaf, same as the full sort', () => {
    // Bases chosen so that leaf order differs from base order ('-' sorts before '.').
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const parts = ['a', 'b', 'a-b', 'a.b', 'c', 'aa', 'b-'];
    const kinds = ['counters', 'gauges', 'sets', 'timers'];
    const keys = new Set<string>();
    while (keys.size < 400) {
      const depth = 1 + Math.floor(random() * 3);
      const path = Array.from({ length: depth }, () => parts[Math.floor(random() * parts.length)]).join('.');
      const tag = random() < 0.3 ? `;env=e${Math.floor(random() * 3)}` : '';
      keys.add(`stats.${kinds[Math.floor(random() * kinds.length)]}.${path}${tag}`);
    }
    const big = build([...keys]);
    const all = [...new Set(big.find(['name!=']).map((l) => l.path.split(';')[0]))].sort((a, b) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    for (const prefix of ['', 'stats.', 'stats.counters.a', 'stats.timers.a-b', 'stats.gauges.a.b', 'stats.sets.b-']) {
      for (const limit of [1, 5, 17, 100, 100_000]) {
        expect(big.autoCompleteValues([], 'name', prefix, limit)).toEqual(
          all.filter((n) => n.startsWith(prefix)).slice(0, limit),
        );
      }
    }
  });
});
