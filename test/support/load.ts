import { type TestCollector, total, waitFor } from './collector.js';

/**
 * Sends one counter (`name:1|c`) per datagram, each waited for (t.udp reads /health until the collector has it),
 * every 40 ms until stopped; counts what it sent and the slowest datagram + /health round trip.
 */
export function steadySender(t: TestCollector, name: string) {
  let sent = 0;
  let slowestHealthMs = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      await t.udp(`${name}:1|c`);
      sent++;
      slowestHealthMs = Math.max(slowestHealthMs, Date.now() - started);
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  return {
    get sent() {
      return sent;
    },
    get slowestMs() {
      return slowestHealthMs;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

export interface ReadBack {
  name: string;
  through: string;
  got: number;
  sent: number;
}

/**
 * Reads each counter's count over the last 30 minutes through each collector, waiting (up to 20 s) until all
 * that was sent shows: what it read, for the test to expect exactly what was sent (nothing lost, nothing
 * counted twice). `through` names the collectors, `sent` maps counter names to what was sent.
 */
export async function readCounts(
  through: Record<string, TestCollector>,
  sent: Record<string, number>,
): Promise<ReadBack[]> {
  const out: ReadBack[] = [];
  for (const [label, t] of Object.entries(through)) {
    for (const [name, n] of Object.entries(sent)) {
      const got = await waitFor(
        async () => {
          const c = total((await t.render(`stats.counters.${name}.count`, { from: '-30min' }))[0]);
          return c >= n ? c : null;
        },
        `${name}'s ${n} counts read through ${label}`,
        20_000,
      );
      out.push({ name, through: label, got, sent: n });
    }
  }
  return out;
}
