import dgram from 'node:dgram';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../lib/support.js';
import { type GraphiteSeries, type RunningCli, serveArgs, spawnServe, total } from '../support/collector.js';

/**
 * kill -9 and SIGTERM under load on the real CLI (issue 9, faults), for any backend: each test file calls
 * `killAndTermRounds` with its own, so the backends run as separate files (in parallel).
 */

export const FLUSH_SEC = 1;

/** The rounds' collector: 1 s flushes, a 1 s tier, and the backend's `--store …` flags. */
export function roundArgs(db: string, statsdPort = 0, store: string[] = []): string[] {
  return serveArgs(db, ['--flush-interval', `${FLUSH_SEC}s`, '--retention', '1s:1h,1m:1d', ...store], statsdPort);
}

/** How a backend is started (`--store …` flags for a database name) and how its storage is checked after a kill. */
export interface Backend {
  name: string;
  store(database: string): string[];
  check(db: string): void;
}

export const SQLITE: Backend = { name: 'SQLite', store: () => [], check: (db) => expect(integrity(db)).toBe('ok') };

export async function health(cli: RunningCli): Promise<Record<string, number | string | null>> {
  const res = await fetch(`http://127.0.0.1:${cli.httpPort}/health`);
  return (await res.json()) as Record<string, number | string | null>;
}

export async function stored(cli: RunningCli, name: string): Promise<number> {
  const q = new URLSearchParams({ target: `stats.counters.${name}.count`, from: '-30min', format: 'json' });
  const res = await fetch(`http://127.0.0.1:${cli.httpPort}/render?${q}`);
  const series = (await res.json()) as GraphiteSeries[];
  return total(series[0]);
}

export function integrity(db: string): string {
  const check = new Database(db, { readonly: true });
  try {
    return String(check.pragma('integrity_check', { simple: true }));
  } finally {
    check.close();
  }
}

/** Sends `name:1|c` every `everyMs` and remembers when each went out. */
export function load(port: number, name: string, everyMs = 4) {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  const sentAt: number[] = [];
  const timer = setInterval(() => {
    sentAt.push(Date.now());
    socket.send(`${name}:1|c`, port, '127.0.0.1');
  }, everyMs);
  return {
    sentAt,
    stop() {
      clearInterval(timer);
      socket.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The two tests, registered in the caller's file; `dir` holds the SQLite files (unused on other backends). */
export function killAndTermRounds(backend: Backend, dir: string, skip = false): void {
  // Skipped only where the backend's server is not installed (`npm test` installs it: scripts/ensure-system-deps.sh).
  describe.skipIf(skip)(`faults (${backend.name})`, () => {
    it('kill -9 at random moments under load, 20 times: each restart opens cleanly and loses at most the last interval', async () => {
      const db = join(dir, `kill9-${backend.name}.db`);
      const store = backend.store('faults_kill9');
      const random = mulberry32(0x9e11);
      const rounds: Array<{ sent: number; safe: number; stored: number; killAfterMs: number }> = [];
      let cli = await spawnServe(roundArgs(db, 0, store));
      for (let round = 0; round < 20; round++) {
        const name = `fault.k${round}`;
        const killAfterMs = 200 + Math.floor(random() * 2300);
        const l = load(cli.statsdPort, name);
        await sleep(killAfterMs);
        // The last flush that finished: everything that arrived an interval before it is on disk.
        const lastFlushAt = Number((await health(cli)).lastFlushAt ?? 0);
        cli.child.kill('SIGKILL');
        await cli.exited;
        l.stop();
        const safeBefore = (lastFlushAt - FLUSH_SEC) * 1000;

        backend.check(db);
        cli = await spawnServe(roundArgs(db, 0, store));
        const got = await stored(cli, name);
        const sent = l.sentAt.length;
        const safe = l.sentAt.filter((t) => t < safeBefore).length;
        rounds.push({ sent, safe, stored: got, killAfterMs });
        // Nothing before the last finished flush is lost, and nothing is counted twice.
        expect(got, `round ${round}: ${JSON.stringify(rounds.at(-1))}`).toBeGreaterThanOrEqual(safe);
        expect(got, `round ${round}`).toBeLessThanOrEqual(sent);
      }
      // Every earlier round still reads back the same after all the kills.
      for (const [round, r] of rounds.entries()) expect(await stored(cli, `fault.k${round}`)).toBe(r.stored);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      backend.check(db);

      const sent = rounds.reduce((a, r) => a + r.sent, 0);
      const lost = rounds.reduce((a, r) => a + r.sent - r.stored, 0);
      const worst = Math.max(...rounds.map((r) => r.sent - r.stored));
      const perInterval = (sent / rounds.reduce((a, r) => a + r.killAfterMs, 0)) * 1000 * FLUSH_SEC;
      console.log(
        `faults: ${backend.name}: kill -9 x${rounds.length}: ${sent} counts sent, ${lost} lost in total (worst round ${worst}, ` +
          `one ${FLUSH_SEC}s interval is ~${Math.round(perInterval)} counts), reopened cleanly every time`,
      );
    }, 300_000);

    it('SIGTERM under load loses nothing the collector had received', async () => {
      const db = join(dir, `sigterm-${backend.name}.db`);
      const store = backend.store('faults_sigterm');
      const random = mulberry32(0x7e12);
      let cli = await spawnServe(roundArgs(db, 0, store));
      const results: Array<{ received: number; stored: number; sent: number }> = [];
      for (let round = 0; round < 5; round++) {
        const name = `fault.t${round}`;
        const l = load(cli.statsdPort, name);
        await sleep(300 + Math.floor(random() * 1500));
        // What it has read so far (this round's lines only: metrics_received is cumulative per process).
        const received = Number((await health(cli)).metrics_received);
        cli.child.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
        l.stop();
        backend.check(db);
        cli = await spawnServe(roundArgs(db, 0, store));
        const got = await stored(cli, name);
        results.push({ received, stored: got, sent: l.sentAt.length });
        expect(got, JSON.stringify(results.at(-1))).toBeGreaterThanOrEqual(received);
        expect(got).toBeLessThanOrEqual(l.sentAt.length);
      }
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      const received = results.reduce((a, r) => a + r.received, 0);
      const storedTotal = results.reduce((a, r) => a + r.stored, 0);
      console.log(
        `faults: ${backend.name}: SIGTERM x${results.length} under load: ${received} counts received before the signal, ${storedTotal} stored (0 lost)`,
      );
    }, 120_000);
  });
}
