import { SeriesKind, type SeriesRow, splitKey } from '../series-kind.js';
import type { RowBinaryWriter } from './row-binary.js';
import { seriesIdOf } from './series-id.js';
import { grown } from './typed-arrays.js';

/**
 * The series this collector has seen (of the kinds given to this instance), each under a slot: a small
 * integer that indexes typed arrays here and in the rollups, so a flush of 100k series costs one Map
 * lookup per series and no object. A slot
 * keeps the series' id (hashed once) and whether its row in `series` is stored; the batches in flight
 * list the rows still missing, each row once per batch.
 */
export class SeriesSlots {
  private readonly byKey = new Map<SeriesKind, Map<string, number>>([
    [SeriesKind.Counter, new Map()],
    [SeriesKind.Gauge, new Map()],
    [SeriesKind.Set, new Map()],
    [SeriesKind.Timer, new Map()],
  ]);
  private count = 0;
  /** By slot: the id, kind and key; whether the series row is stored; the last batch that listed it. */
  private ids = new Float64Array(1024);
  private kinds = new Uint8Array(1024);
  private readonly keys: string[] = [];
  private stored = new Uint8Array(1024);
  private listedBy = new Int32Array(1024);
  private lastList = 0;

  /** The slot of a series, new or not. */
  slotOf(kind: SeriesKind, key: string): number {
    const byKey = this.byKey.get(kind) as Map<string, number>;
    const known = byKey.get(key);
    if (known !== undefined) return known;
    const slot = this.count++;
    if (slot === this.ids.length) this.grow();
    this.ids[slot] = seriesIdOf(kind, key);
    this.kinds[slot] = kind;
    this.keys.push(key);
    byKey.set(key, slot);
    return slot;
  }

  id(slot: number): number {
    return this.ids[slot];
  }

  /** A new list of series rows for one batch (see list). */
  newList(): number {
    return ++this.lastList;
  }

  /** Whether `list` must carry the slot's series row (not stored, not listed yet); marks it listed. */
  list(slot: number, list: number): boolean {
    if (this.stored[slot] === 1 || this.listedBy[slot] === list) return false;
    this.listedBy[slot] = list;
    return true;
  }

  /** The series rows of `slots` are stored: no batch lists them again. */
  markStored(slots: ArrayLike<number>): void {
    for (let i = 0; i < slots.length; i++) this.stored[slots[i]] = 1;
  }

  /** The rows of `slots` in `series` (id, name, tags, kind, first seen), and as SeriesRows. */
  writeRows(slots: ArrayLike<number>, firstSeen: number, w: RowBinaryWriter): SeriesRow[] {
    const rows: SeriesRow[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const id = this.ids[slot];
      const kind = this.kinds[slot] as SeriesKind;
      const { name, tags } = splitKey(this.keys[slot]);
      w.u64(id);
      w.string(name);
      w.string(tags);
      w.u8(kind);
      w.u32(firstSeen);
      rows[i] = { id, name, tags, kind };
    }
    return rows;
  }

  /** Bytes writeRows needs at most for `slots`. */
  rowBytes(slots: ArrayLike<number>): number {
    let n = 0;
    // 8 id + 2 × (up to 3 varint bytes) + 1 kind + 4 time, and up to 3 UTF-8 bytes per UTF-16 unit.
    for (let i = 0; i < slots.length; i++) n += 19 + this.keys[slots[i]].length * 3;
    return n;
  }

  private grow(): void {
    const size = this.ids.length * 2;
    this.ids = grown(this.ids, size);
    this.kinds = grown(this.kinds, size);
    this.stored = grown(this.stored, size);
    this.listedBy = grown(this.listedBy, size);
  }
}
