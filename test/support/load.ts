import type { TestCollector } from './collector.js';

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
