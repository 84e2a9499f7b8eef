import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sendUdp, startTestCollector, type TestCollector, tempDir, total, waitFor } from '../support/collector.js';
import { fillDevice } from '../support/disk.js';
import { capturingLog } from '../support/log.js';

/**
 * The SQLite file stops taking writes (issue 9, faults): held locked by another process, made read-only, or
 * on a full disk. The collector keeps ingesting into memory, says so on /health and in its own series, writes
 * everything once the file takes writes again, loses nothing and never corrupts the file.
 *
 * The read-only and full-disk cases use `chattr +i` and a tmpfs mount: they need root, as the project's
 * machines and CI run (see docs/reliability.md).
 */

const REPO = join(import.meta.dirname, '..', '..');

interface Fault {
  inject(db: string): Promise<void>;
  release(db: string): Promise<void>;
  /** What /health's lastFlushError says while the fault lasts. */
  error: RegExp;
  /** Failed flushes to wait for before the fault is lifted, so several batches queue up. */
  failures: number;
}

type Health = Record<string, unknown> & {
  status: string;
  store: { pendingBatches: number; failedWrites: number; recoveredBatches: number };
};

async function faultCycle(t: TestCollector, lines: Array<Record<string, unknown>>, fault: Fault, label: string) {
  const port = t.collector.statsdPort;
  await t.udp(`sf.${label}.before:1|c`);
  await t.collector.flushNow();

  await fault.inject(t.config.db);
  let sent = 0;
  const send = async () => {
    await sendUdp(port, `sf.${label}.during:1|c\nsf.${label}.lat:${sent}|ms`);
    sent++;
  };
  // Ingest goes on while the file refuses writes, and /health says the store is failing.
  const degraded = await waitFor(
    async () => {
      await send();
      const h = (await t.health()) as unknown as Health;
      return h.status === 'degraded' && h.store.pendingBatches > 0 ? h : null;
    },
    'the store to report the failure',
    60_000,
  );
  expect(String(degraded.lastFlushError)).toMatch(fault.error);
  // The log says it, once per failed flush, with the reason and what is held.
  const failure = lines.find((l) => l.msg === 'flush failed: kept in memory and retried at the next flush');
  expect(failure?.level).toBe(50);
  expect(String((failure?.err as { message?: string } | undefined)?.message)).toMatch(fault.error);
  expect(failure).toHaveProperty('pendingBatches');
  const receivedBefore = Number(degraded.metrics_received);
  const queued = await waitFor(
    async () => {
      await send();
      const h = (await t.health()) as unknown as Health;
      return h.store.failedWrites >= fault.failures && h.status === 'degraded' ? h : null;
    },
    'more flushes to fail',
    60_000,
  );
  // Ingest went on while the store was failing.
  expect(Number(queued.metrics_received)).toBeGreaterThan(receivedBefore);
  // Reads still answer from what is on disk.
  expect((await t.get(`/render?target=stats.counters.sf.${label}.before.count&from=-10min`)).status).toBe(200);

  await fault.release(t.config.db);
  const healed = (await waitFor(
    async () => {
      const h = (await t.health()) as unknown as Health;
      return h.status === 'ok' && h.store.pendingBatches === 0 ? h : null;
    },
    'the store to recover',
    60_000,
  )) as Health;
  await t.collector.flushNow();
  expect(lines.some((l) => l.msg === 'store takes writes again: the flushes held in memory are written')).toBe(true);

  const [during, lat, before] = await t.render(
    [
      `stats.counters.sf.${label}.during.count`,
      `stats.timers.sf.${label}.lat.count`,
      `stats.counters.sf.${label}.before.count`,
    ],
    { from: '-30min' },
  );
  // Nothing lost: every count sent during the fault is on disk after it.
  expect(total(during)).toBe(sent);
  expect(total(lat)).toBe(sent);
  expect(total(before)).toBe(1);
  // The failure is in the collector's own series too.
  const [failed] = await t.render('stats.statsd.store.failed_writes', { from: '-30min' });
  expect(Math.max(...(failed?.datapoints ?? []).map(([v]) => v ?? 0))).toBeGreaterThan(0);

  const check = new Database(t.config.db, { readonly: true });
  try {
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    check.close();
  }
  console.log(
    `faults: ${label}: ${sent} counts and ${sent} timings sent during the fault, all stored; ` +
      `${healed.store.failedWrites} failed writes, up to ${queued.store.pendingBatches} flushes held in memory, ` +
      `${healed.store.recoveredBatches} written late; integrity ok; /health said ${JSON.stringify(degraded.lastFlushError)}`,
  );
}

describe('the SQLite file stops taking writes', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('held locked by another process: kept in memory, retried, nothing lost', async () => {
    const { log, lines } = capturingLog();
    const t = await startTestCollector({}, log);
    let holder: ChildProcess | null = null;
    try {
      await faultCycle(
        t,
        lines,
        {
          async inject(db) {
            // Another process takes the write lock and keeps it until told to let go.
            const code = `
              const Database = require('better-sqlite3');
              const db = new Database(${JSON.stringify(db)});
              db.exec('BEGIN EXCLUSIVE');
              process.stdout.write('locked\\n');
              process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`;
            const child = spawn(process.execPath, ['-e', code], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
            holder = child;
            await new Promise<void>((resolve, reject) => {
              child.stdout?.once('data', () => resolve());
              child.once('exit', (c) => reject(new Error(`lock holder exited ${c}`)));
            });
          },
          async release() {
            const child = holder as ChildProcess | null;
            if (!child) return;
            const exited = new Promise((r) => child.once('exit', r));
            child.stdin?.write('go\n');
            await exited;
            holder = null;
          },
          error: /locked|busy/i,
          failures: 2,
        },
        'locked',
      );
    } finally {
      (holder as ChildProcess | null)?.kill('SIGKILL');
      await t.stop();
    }
  }, 180_000);

  it('made read-only (immutable) under the running collector: kept in memory, written once writable again', async () => {
    const { log, lines } = capturingLog();
    const t = await startTestCollector({}, log);
    const files = (db: string) => [db, `${db}-wal`].filter((f) => existsSync(f));
    try {
      await faultCycle(
        t,
        lines,
        {
          async inject(db) {
            execFileSync('chattr', ['+i', ...files(db)]);
          },
          async release(db) {
            execFileSync('chattr', ['-i', ...files(db)]);
          },
          error: /disk I\/O error|readonly|read-only|permission|not permitted/i,
          failures: 3,
        },
        'readonly',
      );
    } finally {
      try {
        execFileSync('chattr', ['-i', ...files(t.config.db)]);
      } catch {
        // Already writable.
      }
      await t.stop();
    }
  }, 180_000);

  it('on a full disk (a 16 MB tmpfs): kept in memory, written once space returns', async () => {
    const mount = tempDir();
    dirs.push(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]);
    const filler = join(mount, 'filler');
    let t: TestCollector | null = null;
    try {
      mkdirSync(join(mount, 'data'));
      const { log, lines } = capturingLog();
      t = await startTestCollector({ db: join(mount, 'data', 'trendline.db') }, log);
      await faultCycle(
        t,
        lines,
        {
          async inject() {
            fillDevice(filler);
          },
          async release() {
            rmSync(filler);
          },
          error: /full|disk|I\/O/i,
          failures: 3,
        },
        'fulldisk',
      );
    } finally {
      await t?.stop();
      execFileSync('umount', [mount]);
    }
  }, 180_000);
});
