import { randomInt } from 'node:crypto';

/**
 * Ids and versions for rows several collectors write without a shared counter: wall-clock milliseconds
 * times 2^k plus a per-process sequence started at a random point, so ids increase within one process
 * and two collectors meet only in the same millisecond with the same sequence number.
 */
class MillisecondIds {
  private seq: number;
  private lastMs = 0;

  constructor(private readonly perMs: number) {
    this.seq = randomInt(perMs);
  }

  next(): number {
    let ms = Date.now();
    if (ms < this.lastMs) ms = this.lastMs;
    // The sequence wraps: move on to the next millisecond so ids keep increasing.
    if (ms === this.lastMs && this.seq === this.perMs - 1) ms++;
    this.lastMs = ms;
    this.seq = (this.seq + 1) % this.perMs;
    return ms * this.perMs + this.seq;
  }
}

/** Event ids: at most 15 digits (what the HTTP routes accept) until the year 2465. */
const eventIds = new MillisecondIds(64);
/** Row versions: latest write wins; below 2^53 until the year 2248. */
const versions = new MillisecondIds(1024);

export const nextEventId = (): number => eventIds.next();
export const nextVersion = (): number => versions.next();
