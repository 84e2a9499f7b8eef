/**
 * A new series' stored key (`stats.counters.` + its key) as one flat string, and its key for the
 * aggregator's map as a slice of that string. The parsed key is a slice of the packet it came in, which it
 * would keep alive (~1.4 KB) for as long as the series lives, and a concatenation is a rope over both
 * parts; taking a slice flattens the rope, so each series holds one copy of its name and no packet.
 */
export function storedKey(prefix: string, key: string): { stored: string; key: string } {
  const joined = prefix + key;
  const stored = joined.slice(0, joined.length);
  return { stored, key: stored.slice(prefix.length) };
}
