import type { SeriesKind } from '../series-kind.js';
import { sha256 } from './sha256.js';

/**
 * A series' id in a shared store: a hash of its kind and key (name and tags), so collectors agree on ids
 * without talking to each other. 53 bits, so ids stay exact JavaScript numbers (and in JSON); with a
 * million series the chance that any two collide is about 1 in 18,000. Stored ids depend on these exact
 * bytes: SHA-256 of `${kind}\0${name}${tags}` in UTF-8, its first 8 bytes read little-endian.
 */

let text = Buffer.alloc(256);
const digest = new Uint8Array(32);

/** The id of the series whose batch key (`name` followed by its tag suffix, see splitKey) is `key`. */
export function seriesIdOf(kind: SeriesKind, key: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (text.length < key.length * 3 + 2) text = Buffer.alloc(key.length * 3 + 2);
  text[0] = 0x30 + kind; // kinds are 1..4: one decimal digit
  text[1] = 0;
  const length = 2 + text.write(key, 2, 'utf8');
  sha256(text, length, digest);
  // 21 bits from the high word and 32 from the low: 53 in all; 0 is never an id.
  const lo = (digest[0] | (digest[1] << 8) | (digest[2] << 16) | (digest[3] << 24)) >>> 0;
  const hi = (digest[4] | (digest[5] << 8) | (digest[6] << 16)) & 0x1f_ffff;
  const id = hi * 0x1_0000_0000 + lo;
  return id === 0 ? 1 : id;
}
