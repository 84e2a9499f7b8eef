import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Importing `trendline` must stay light: a fresh Node process imports it while a loader hook logs every ES
 * module resolved and the CommonJS cache shows every required file. Neither may contain fastify, SQLite,
 * pino or the collector.
 */

const ROOT = join(import.meta.dirname, '..', '..');

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.TRENDLINE_LOAD_LOG, result.url + '\\n');
  return result;
}
`;

interface Loaded {
  ms: number;
  modules: string[];
}

function importInFreshProcess(specifier: string): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'trendline-light-'));
  try {
    const hooks = join(dir, 'hooks.mjs');
    const register = join(dir, 'register.mjs');
    const log = join(dir, 'loaded.log');
    writeFileSync(hooks, HOOKS);
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    writeFileSync(log, '');
    const script = `
      const t0 = performance.now();
      await import(${JSON.stringify(specifier)});
      const ms = performance.now() - t0;
      const { createRequire } = await import('node:module');
      const cjs = Object.keys(createRequire(process.cwd() + '/').cache);
      console.log(JSON.stringify({ ms, cjs }));
    `;
    const run = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(register).href, '--input-type=module', '-e', script],
      {
        cwd: ROOT,
        env: { ...process.env, TRENDLINE_LOAD_LOG: log },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
    const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { ms: number; cjs: string[] };
    const esm = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    return { ms: out.ms, modules: [...esm, ...out.cjs] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEAVY = /fastify|better-sqlite3|sqlite|pino|trendline-collector|[\\/]collector[\\/]|unix-dgram|undici/;
/** The heavy modules among those loaded (the library's own files, fastify.js included, don't count). */
const heavy = (modules: string[]) => modules.filter((m) => HEAVY.test(m) && !m.includes('/lib/dist/'));

describe('importing trendline stays light', () => {
  it('loads hot-shots and node built-ins, never fastify, SQLite, pino or the collector', () => {
    const { modules } = importInFreshProcess('trendline');
    expect(modules.some((m) => m.includes('/lib/dist/index.js'))).toBe(true);
    expect(modules.some((m) => m.includes('/hot-shots/'))).toBe(true);
    expect(heavy(modules)).toEqual([]);
    const packages = new Set(
      modules.filter((m) => m.includes('node_modules/')).map((m) => m.split('node_modules/').pop()?.split('/')[0]),
    );
    expect([...packages]).toEqual(['hot-shots']);
  });

  it('trendline/fastify needs only fastify types: importing it does not load fastify either', () => {
    const { modules } = importInFreshProcess('trendline/fastify');
    expect(modules.some((m) => m.includes('/lib/dist/fastify.js'))).toBe(true);
    expect(heavy(modules)).toEqual([]);
  });

  it('imports cold in well under a second', () => {
    const times = [0, 1, 2].map(() => importInFreshProcess('trendline').ms);
    expect(Math.min(...times)).toBeLessThan(500);
  });
});
