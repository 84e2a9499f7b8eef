import type { FlushSlots } from './flush-batch.js';

/**
 * Numbers the aggregator's series for the thread its flushes go to (store/slot-batch.ts): each series
 * keeps its number in its cell, so a flush needs no map from 100k keys to numbers. A number is named
 * (sent with its key) in the first flush after it is taken, and taken again once its series is deleted.
 */
export class SeriesSlots {
  private next = 0;
  private readonly free: number[] = [];
  private named: FlushSlots['named'] = { slots: [], keys: [] };

  /** A number for a new series, named in the next flush with `key`. */
  take(key: string): number {
    const slot = this.free.pop() ?? this.next++;
    this.named.slots.push(slot);
    this.named.keys.push(key);
    return slot;
  }

  /** A deleted series gives its number back; a later series gets it, with its own key. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /** The numbers taken since the last call, with their keys. */
  takeNamed(): FlushSlots['named'] {
    const named = this.named;
    this.named = { slots: [], keys: [] };
    return named;
  }
}
