import type { FlushSlots, NamedValues } from '../aggregate/flush-batch.js';
import type { WriteBatch } from './write-batch.js';

/**
 * How a WriteBatch crosses between threads (ingest → main → writer): each series as a number (its slot)
 * in typed arrays, and its key sent once, in the first batch that uses the slot; the receiver turns it
 * back into a WriteBatch whose keys are the strings it already holds. Cloning 100k keys every flush cost
 * the ingest thread ~60–100 ms of serializing, with the socket unread meanwhile, and each receiver 100k
 * new strings per flush.
 */

export interface SlotValues {
  slots: Int32Array;
  values: Float64Array;
}

export interface SlotBatch extends Omit<WriteBatch, 'counters' | 'gauges' | 'sets' | 'timers'> {
  /** Slots first used (or used again for another series) in this flush, and their keys. */
  named: { slots: number[]; keys: string[] };
  counters: SlotValues;
  gauges: SlotValues;
  sets: SlotValues;
  timers: Omit<WriteBatch['timers'], 'keys'> & { slots: Int32Array };
}

/**
 * The sending side: numbers the series, and frees the slots of series a batch no longer has. One encoder
 * per receiving thread, replaced when that thread is: the receiver must have seen every batch encoded.
 */
export class SlotEncoder {
  private readonly slotOf = new Map<string, number>();
  private readonly keyOf: Array<string | null> = [];
  /** The flush that last used each slot. */
  private readonly usedIn: number[] = [];
  private readonly free: number[] = [];
  private flushes = 0;

  encode(batch: WriteBatch): SlotBatch {
    const flush = ++this.flushes;
    const named: SlotBatch['named'] = { slots: [], keys: [] };
    const slotsOf = (keys: readonly string[]) => {
      const slots = new Int32Array(keys.length);
      for (let i = 0; i < keys.length; i++) slots[i] = this.slot(keys[i], flush, named);
      return slots;
    };
    const values = (nv: NamedValues): SlotValues => ({ slots: slotsOf(nv.keys), values: Float64Array.from(nv.values) });
    const { keys, ...timers } = batch.timers;
    const out: SlotBatch = {
      ...batch,
      named,
      counters: values(batch.counters),
      gauges: values(batch.gauges),
      sets: values(batch.sets),
      timers: { ...timers, slots: slotsOf(keys) },
    };
    this.freeUnused(flush);
    return out;
  }

  /** The string held for a key of a batch encoded (the very one the batch had), if its slot is in use. */
  held(key: string): string | undefined {
    const slot = this.slotOf.get(key);
    return slot === undefined ? undefined : (this.keyOf[slot] ?? undefined);
  }

  private slot(key: string, flush: number, named: SlotBatch['named']): number {
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.keyOf.length;
      this.slotOf.set(key, slot);
      this.keyOf[slot] = key;
      named.slots.push(slot);
      named.keys.push(key);
    }
    this.usedIn[slot] = flush;
    return slot;
  }

  /** Series a batch no longer has (dropped by the delete* options) give their slots back. */
  private freeUnused(flush: number): void {
    for (let slot = 0; slot < this.keyOf.length; slot++) {
      const key = this.keyOf[slot];
      if (key === null || this.usedIn[slot] === flush) continue;
      this.slotOf.delete(key);
      this.keyOf[slot] = null;
      this.free.push(slot);
    }
  }
}

/**
 * The sending side when the series are numbered already (the aggregator's cells carry their numbers,
 * aggregate/series-slots.ts): `batch` as `slots` numbers it, with no map from keys to numbers.
 */
export function slotBatchOf(batch: WriteBatch, slots: FlushSlots): SlotBatch {
  const values = (nv: NamedValues, numbers: Int32Array): SlotValues => {
    if (numbers.length !== nv.keys.length) throw new Error('slot numbers do not match the batch');
    return { slots: numbers, values: Float64Array.from(nv.values) };
  };
  const { keys, ...timers } = batch.timers;
  if (slots.timers.length !== keys.length) throw new Error('slot numbers do not match the batch');
  return {
    ...batch,
    named: slots.named,
    counters: values(batch.counters, slots.counters),
    gauges: values(batch.gauges, slots.gauges),
    sets: values(batch.sets, slots.sets),
    timers: { ...timers, slots: slots.timers },
  };
}

/** The receiving side: the key of every slot, as the batches named them; batches back in WriteBatch form. */
export class SlotDecoder {
  private keys: string[] = [];

  decode(batch: SlotBatch): WriteBatch {
    const { named, counters, gauges, sets, timers, ...rest } = batch;
    for (let i = 0; i < named.slots.length; i++) this.keys[named.slots[i]] = named.keys[i];
    const keysOf = (slots: Int32Array) => Array.from(slots, (slot) => this.keys[slot]);
    const values = (v: SlotValues): NamedValues => ({ keys: keysOf(v.slots), values: Array.from(v.values) });
    const { slots, ...timerRest } = timers;
    return {
      ...rest,
      counters: values(counters),
      gauges: values(gauges),
      sets: values(sets),
      timers: { ...timerRest, keys: keysOf(slots) },
    };
  }

  /** A new sending thread numbers its series afresh. */
  reset(): void {
    this.keys = [];
  }
}

/**
 * The buffers a SlotBatch can hand over instead of copying (the sender can't use them after): the slot and
 * value arrays encode() made, and with `timerData` the timer stats and sketches, which belong to the
 * WriteBatch it was made from (the main thread keeps those for a retry).
 */
export function slotBatchTransferables(batch: SlotBatch, timerData: boolean): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const v of [batch.counters, batch.gauges, batch.sets]) {
    buffers.add(v.slots.buffer as ArrayBuffer);
    buffers.add(v.values.buffer as ArrayBuffer);
  }
  buffers.add(batch.timers.slots.buffer as ArrayBuffer);
  if (timerData) {
    buffers.add(batch.timers.stats.buffer as ArrayBuffer);
    for (const s of batch.timers.sketches) if (s !== null) buffers.add(s.buffer as ArrayBuffer);
  }
  return [...buffers];
}
