import { randomInt } from 'node:crypto';

/**
 * Ids and versions for rows several collectors write without a shared counter: wall-clock milliseconds
 * times 1024 plus a per-process sequence started at a random point. Below 2^53 until the year 2248;
 * increasing within one process, and unlikely to meet another collector's in the same millisecond.
 */
let seq = randomInt(1024);
let lastMs = 0;

export function nextId(): number {
  let ms = Date.now();
  if (ms < lastMs) ms = lastMs;
  if (ms === lastMs && seq % 1024 === 1023) ms++;
  lastMs = ms;
  seq = (seq + 1) % 1024;
  return ms * 1024 + seq;
}
