import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import type { RetentionTier } from '../../collector/src/store/retention.js';
import { SqliteWriter } from '../../collector/src/store/sqlite-writer.js';
import { toWriteBatch } from '../../collector/src/store/write-batch.js';
import { startTestCollector, type TestCollector, tempDir, waitFor } from '../support/collector.js';

/**
 * Deploy markers end to end over real HTTP, UDP and SQLite: POST /events (token, validation), DELETE
 * /events/:id, DogStatsD events, GET /deploys, and GET /deploys/:id/impact on series where a deploy really
 * shifts the latency and on ones where it does not.
 */

interface GraphiteEvent {
  when: number;
  what: string;
  data: string;
  tags: string[];
  id: number;
}

const TOKEN = 's3cret';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const nowSec = () => Math.floor(Date.now() / 1000);

function oneLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

/** A DogStatsD event line, lengths in UTF-8 bytes. */
function dogEvent(title: string, text: string, tags: string[], ts?: number): string {
  const len = (s: string) => Buffer.byteLength(s);
  return `_e{${len(title)},${len(text)}}:${title}|${text}${ts === undefined ? '' : `|d:${ts}`}${tags.length ? `|#${tags.join(',')}` : ''}`;
}

describe('GET /deploys/:id/impact', () => {
  const tiers: RetentionTier[] = [
    { stepSec: 1, retentionSec: 3600 },
    { stepSec: 60, retentionSec: 86400 },
  ];
  const dir = tempDir();
  const db = join(dir, 'impact.db');
  const NOW = nowSec();
  const BASE = NOW - 900;
  const DEPLOY = BASE + 300; // 10 minutes ago; 5 minutes of data on each side
  let t: TestCollector;
  let deployId: number;
  let seed = 42;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };

  /** One second of traffic: 10 requests per service; api gets 50% slower, errors and 40% less traffic after the deploy. */
  function second(ts: number) {
    const after = ts >= DEPLOY;
    const api = emptySummary();
    const web = emptySummary();
    for (let j = 0; j < 10; j++) {
      addSample(api, (after ? 150 : 100) + (rand() - 0.5) * 60, 1);
      addSample(web, 80 + (rand() - 0.5) * 40, 1);
    }
    return toWriteBatch({
      ts,
      intervalSec: 1,
      counters: {
        keys: ['stats.counters.api.errors', 'stats.counters.api.requests'],
        values: [after ? Math.floor(rand() * 4) + 1 : 0, (after ? 60 : 100) + Math.floor((rand() - 0.5) * 10)],
      },
      gauges: { keys: [], values: [] },
      sets: { keys: [], values: [] },
      timers: { keys: ['stats.timers.api.lat', 'stats.timers.web.lat'], summaries: [api, web] },
      timed: [],
      events: [],
    });
  }

  const impact = async (target: string, params = '', id = deployId) => {
    const res = await t.get(`/deploys/${id}/impact?target=${encodeURIComponent(target)}${params}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as {
      deploy: GraphiteEvent;
      window: number;
      before: { from: number; until: number };
      after: { from: number; until: number };
      test: { name: string; alpha: number; minChange: number; minPoints: number; better: string };
      series: Array<{
        target: string;
        step: number;
        before: { count: number; mean: number; p50: number; p99: number };
        after: { count: number; mean: number; p50: number; p99: number };
        change: { mean: number | null; p50: number | null; p99: number | null };
        test: { u: number; p: number; method: string; effect: number } | null;
        verdict: string;
        reason: string;
      }>;
    };
  };

  beforeAll(async () => {
    // Ten minutes of past intervals, written through the store as flushes would have written them.
    const writer = SqliteWriter.open(db, tiers);
    for (let ts = BASE; ts < BASE + 600; ts++) writer.write(second(ts));
    writer.close();
    t = await startTestCollector({ db, retention: tiers });
    const res = await fetch(`${t.url}/events`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ what: 'api 1.5.0', tags: ['deploy', 'service:api', 'version:1.5.0'], when: DEPLOY }),
    });
    deployId = ((await res.json()) as GraphiteEvent).id;
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dbg', async () => {
    for (let w = 0; w < 8; w++) {
      const out = await impact('stats.timers.{api,web}.lat.mean', '&window=5m');
      console.log(w, out.series.map((s) => `${s.target} ${s.before.count}/${s.after.count} ${s.verdict}`).join(' | '));
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
});
