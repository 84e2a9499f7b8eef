import type { SeriesKind, SeriesRow } from '../store/series-kind.js';

/**
 * The stored series the query indexes know, each under a number (its place here), with its id, name, tag
 * suffix and kind in columns. The name and tag indexes refer to series by that number, so the main
 * thread holds each name once and no object per series (at 100k series, rows and the two indexes' own
 * copies took ~50 MB); a query's leaves get rows made on demand.
 */
export class SeriesCatalog {
  private readonly ids: number[] = [];
  private readonly names: string[] = [];
  private readonly suffixes: string[] = [];
  private kinds = new Uint8Array(1024);
  /** Number by id: an array for ids that can index one (SQLite's rowids), a Map for others (hashed ids). */
  private readonly byDenseId: number[] = [];
  private readonly bySparseId = new Map<number, number>();
  /** One string per distinct tag suffix: tagged series mostly share a few. */
  private readonly suffixOf = new Map<string, string>();

  get size(): number {
    return this.ids.length;
  }

  /**
   * Adds a series; its number, or -1 when a series with this id is here already. `heldKey`, when the
   * caller holds the series' key (`name` + `tags`) as a string anyway, is where the name is taken from,
   * so it is not a second copy.
   */
  add(row: SeriesRow, heldKey?: string): number {
    if (this.numberOf(row.id) !== undefined) return -1;
    const n = this.ids.length;
    if (isDense(row.id)) this.byDenseId[row.id] = n;
    else this.bySparseId.set(row.id, n);
    this.ids.push(row.id);
    const shared = heldKey !== undefined && heldKey.length === row.name.length + row.tags.length;
    this.names.push(shared ? (row.tags === '' ? heldKey : heldKey.slice(0, row.name.length)) : row.name);
    this.suffixes.push(this.suffix(row.tags));
    if (n === this.kinds.length) {
      const grown = new Uint8Array(n * 2);
      grown.set(this.kinds);
      this.kinds = grown;
    }
    this.kinds[n] = row.kind;
    return n;
  }

  /** The number of the series with this id, if it is here. */
  numberOf(id: number): number | undefined {
    return isDense(id) ? this.byDenseId[id] : this.bySparseId.get(id);
  }

  id(n: number): number {
    return this.ids[n];
  }

  /** Base path without tags. */
  name(n: number): string {
    return this.names[n];
  }

  /** Canonical tag suffix, or ''. */
  tags(n: number): string {
    return this.suffixes[n];
  }

  kind(n: number): SeriesKind {
    return this.kinds[n] as SeriesKind;
  }

  /** The series as a row (a new object). */
  row(n: number): SeriesRow {
    return { id: this.ids[n], name: this.names[n], tags: this.suffixes[n], kind: this.kinds[n] as SeriesKind };
  }

  private suffix(tags: string): string {
    if (tags === '') return '';
    const known = this.suffixOf.get(tags);
    if (known !== undefined) return known;
    this.suffixOf.set(tags, tags);
    return tags;
  }
}

/** Ids a plain array can be indexed by without turning into a dictionary of doubles. */
const isDense = (id: number) => Number.isInteger(id) && id >= 0 && id < 2 ** 30;
