import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GraphiteSeries,
  type RunningCli,
  sendUdp,
  serveArgs,
  spawnServe,
  tempDir,
  total,
  waitFor,
} from '../support/collector.js';
import { type LogLine, logLines } from '../support/log.js';

/**
 * A worker thread that keeps dying is given up on (issue 9, faults), end to end on `trendline serve` in a
 * child process: the test hook (TRENDLINE_TEST_HOOKS=1, `POST /debug/crash/:thread`) kills the ingest thread,
 * then the writer thread, each time as soon as it is back, until the restart policy gives up. The policy is
 * the default one (restarted 10 times in a row, given up at the 11th death) with its delays shortened by
 * TRENDLINE_TEST_RESTART_POLICY (test only; the default waits 0.5 s doubling to 30 s, about 2.5 minutes).
 * Proven: /health answers 503 `down` with a one-line reason naming the thread and saying it was given up
 * (and never a 500, polled all along); the log's fatal line says the same; the gauges
 * stats.statsd.threads.<name>.{given_up,up,restarts} record it; the process stays up and serves reads of
 * what was stored before; a write that needs the dead writer is a 503 naming it.
 */

const FIRST_DELAY_MS = 20;
const MAX_DELAY_MS = 160;
const DEATHS = 11;

interface ThreadHealth {
  state: string;
  restarts: number;
  deathsInARow: number;
  lastError: string | null;
}
type Health = { status: string; reason?: string; threads: Record<string, ThreadHealth> };

let dir: string;
let cli: RunningCli;
let url: string;
/** Every /health status code seen, in order of first sight, and how often. */
const healthCodes = new Map<number, number>();
let polling = true;
let poller: Promise<void>;

const get = (path: string) => fetch(`${url}${path}`);
const health = async () => (await (await get('/health')).json()) as Health;
const log = (msg: RegExp): LogLine[] => logLines(cli.output()).filter((l) => msg.test(l.msg));
async function render(target: string): Promise<GraphiteSeries[]> {
  const res = await get(`/render?target=${target}&from=-30min&format=json`);
  expect(res.status).toBe(200);
  return (await res.json()) as GraphiteSeries[];
}
const lastValue = (s: GraphiteSeries | undefined) => s?.datapoints.filter(([v]) => v !== null).at(-1)?.[0];

/** Kills `thread` each time it is back up, until the policy gives up; returns how long that took. */
async function killUntilGivenUp(thread: string): Promise<number> {
  const started = Date.now();
  for (let death = 1; death <= DEATHS; death++) {
    await waitFor(
      async () => {
        const t = (await health()).threads[thread];
        return t.state === 'up' && t.restarts === death - 1;
      },
      `the ${thread} thread to be up after ${death - 1} restarts`,
      15_000,
    );
    const res = await fetch(`${url}/debug/crash/${thread}?how=${death % 2 ? 'throw' : 'exit'}`, { method: 'POST' });
    expect(res.status).toBe(202);
    await waitFor(
      async () => (await health()).threads[thread].state !== 'up',
      `death ${death} of the ${thread} thread`,
    );
  }
  return Date.now() - started;
}

/** /health once the thread is given up: a 503 `down` whose reason names it, and it stays that way. */
async function expectGivenUp(thread: string, lastError: RegExp): Promise<Health> {
  const res = await waitFor(async () => {
    const r = await get('/health');
    const h = (await r.json()) as Health;
    return h.threads[thread].state === 'given-up' ? { code: r.status, h } : null;
  }, `the ${thread} thread to be given up`);
  expect(res.code).toBe(503);
  expect(res.h.status).toBe('down');
  expect(res.h.threads[thread]).toMatchObject({ restarts: DEATHS - 1, deathsInARow: DEATHS });
  expect(res.h.threads[thread].lastError).toMatch(lastError);
  expect(res.h.reason).toMatch(
    new RegExp(
      `${thread} thread given up after ${DEATHS} deaths in a row \\(last: [^)]+\\): not restarted again; restart the collector`,
    ),
  );
  // The log: a death per restart, with the back-off, then one fatal line with the same reason.
  const died = log(new RegExp(`^${thread} thread died`));
  expect(died.map((l) => l.retryInMs)).toEqual(
    Array.from({ length: DEATHS - 1 }, (_, i) => Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** i)),
  );
  expect(log(new RegExp(`^${thread} thread restarted$`))).toHaveLength(DEATHS - 1);
  const fatal = log(new RegExp(`^${thread} thread given up`));
  expect(fatal).toHaveLength(1);
  expect(fatal[0].level).toBe(60);
  expect(fatal[0].msg).toContain(' (/health: 503 down)');
  return res.h;
}

/** Reads are still served: the counts stored before, and the tree. */
async function expectReads(): Promise<void> {
  expect(total((await render('stats.counters.gu.before.count'))[0])).toBe(40);
  const find = await get('/metrics/find?query=stats.counters.gu.*');
  expect(find.status).toBe(200);
  expect(await find.json()).toEqual([expect.objectContaining({ text: 'before' })]);
}

beforeAll(async () => {
  dir = tempDir();
  cli = await spawnServe(
    serveArgs(join(dir, 'trendline.db'), ['--flush-interval', '1s', '--retention', '1s:1h,1m:1d']),
    {
      TRENDLINE_TEST_HOOKS: '1',
      TRENDLINE_TEST_RESTART_POLICY: `firstDelayMs=${FIRST_DELAY_MS},maxDelayMs=${MAX_DELAY_MS}`,
    },
  );
  url = `http://127.0.0.1:${cli.httpPort}`;
  poller = (async () => {
    while (polling) {
      const res = await get('/health').catch(() => null);
      await res?.arrayBuffer();
      if (res) healthCodes.set(res.status, (healthCodes.get(res.status) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  for (let i = 0; i < 4; i++) await sendUdp(cli.statsdPort, Array(10).fill('gu.before:1|c').join('\n'));
  await waitFor(
    async () => total((await render('stats.counters.gu.before.count'))[0]) === 40,
    'the counts sent before to be stored',
  );
}, 30_000);

afterAll(async () => {
  polling = false;
  await poller;
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a thread that keeps dying is given up on (trendline serve, real process)', () => {
  it('the ingest thread: /health 503 names it, the log says so at fatal, the self-metrics record it, reads go on', async () => {
    const tookMs = await killUntilGivenUp('ingest');
    const h = await expectGivenUp('ingest', /crash requested by the test hook|code 70/);
    // Before the give-up /health was 200 throughout (degraded while restarting), never 503 or 500; the
    // poller polls every 50 ms, so it may see the 503 a moment after expectGivenUp did.
    await waitFor(async () => healthCodes.has(503), 'the /health poller to see the 503');
    expect([...healthCodes.keys()]).toEqual([200, 503]);
    // The writer is alive, so the collector's own series are still written at each flush.
    const gauges = async () => {
      const [givenUp, up, restarts] = await Promise.all(
        ['given_up', 'up', 'restarts'].map(async (g) => (await render(`stats.statsd.threads.ingest.${g}`))[0]),
      );
      return lastValue(givenUp) === 1 ? { up: lastValue(up), restarts: lastValue(restarts) } : null;
    };
    const recorded = await waitFor(gauges, 'stats.statsd.threads.ingest.given_up to be 1');
    expect(recorded).toEqual({ up: 0, restarts: DEATHS - 1 });
    // The interval in progress is lost at each flush while it is down, and said so.
    expect(log(/^ingest thread is down at the flush: this interval is lost$/).length).toBeGreaterThanOrEqual(1);
    await expectReads();
    console.log(
      `faults: ingest thread killed ${DEATHS} times in a row (${tookMs} ms with the shortened back-off): ` +
        `given up, /health 503: ${JSON.stringify(h.reason)}`,
    );
  }, 60_000);

  it('the writer thread too: both named on /health, writes that need it are 503s, reads go on', async () => {
    const tookMs = await killUntilGivenUp('writer');
    const h = await expectGivenUp('writer', /crash requested by the test hook|code 70/);
    // One line naming both.
    expect(h.reason?.split('; ').map((r) => r.split(' ')[0])).toEqual(expect.arrayContaining(['ingest', 'writer']));
    const event = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ what: 'while the writer is given up', tags: ['x'] }),
    });
    expect(event.status).toBe(503);
    expect(await event.text()).toMatch(/writer thread/);
    await expectReads();
    console.log(`faults: writer thread killed ${DEATHS} times in a row (${tookMs} ms): given up, reads still served`);
  }, 60_000);

  it('the process stays up, keeps answering 503 down, and never answered /health with a 500', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    expect(cli.child.exitCode).toBeNull();
    const res = await get('/health');
    expect(res.status).toBe(503);
    await expectReads();
    expect([...healthCodes.keys()].sort()).toEqual([200, 503]);
    // SIGTERM still stops it (a process manager restarting the collector).
    const stoppedAt = Date.now();
    cli.child.kill('SIGTERM');
    const code = await cli.exited;
    // The flushes held for the dead writer (the collector's own series since) cannot be written: it says so.
    const lost = log(/^stopping with flushes the store refused: their points are lost$/);
    expect(lost).toHaveLength(1);
    console.log(
      `faults: /health polled ${healthCodes.get(200)} times 200 and ${healthCodes.get(503)} times 503 (no 500); ` +
        `SIGTERM with both threads given up: exit ${code} in ${Date.now() - stoppedAt} ms, ` +
        `${JSON.stringify((lost[0].store as { pendingPoints: number }).pendingPoints)} held points logged as lost`,
    );
  }, 30_000);
});
