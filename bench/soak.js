import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AS_NPM_START } from './lib/receivers.js';
import { soak } from './lib/soak.js';

/**
 * `node bench/soak.js [--minutes 10] [--rate 600000] [--names 10000] [--cpu-prof DIR]`: the long soak of
 * the reliability issue; --cpu-prof writes the collector's CPU profiles (one per thread) to DIR. The default rate is half the zero-loss mixed-ingest rate measured by bench/ingest.js; pass the
 * figure from your own machine's run. Prints the figures as JSON for docs/reliability.md.
 */

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '400000' },
    names: { type: 'string', default: '10000' },
    'cpu-prof': { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const names = Number(values.names);
for (const [flag, v] of Object.entries({ minutes, rate, names })) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`soak: --${flag} must be a positive number`);
    process.exit(2);
  }
}

const dir = mkdtempSync(join(os.tmpdir(), 'trendline-soak-'));
try {
  const cpuProf = values['cpu-prof'];
  // The collector runs as `npm start` runs it (package.json), so its memory is what a user's would be.
  const nodeArgs = [...AS_NPM_START.nodeArgs, ...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : [])];
  const result = await soak({
    dir,
    durationMs: minutes * 60_000,
    rate,
    names,
    nodeArgs,
    env: AS_NPM_START.env,
    log: (line) => console.log(line),
  });
  const verdict = {
    lossless: result.lostLines === 0 && result.badLines === 0 && result.flushErrors === 0,
    renderP99Under200ms: result.renderP99Ms < 200,
  };
  console.log(JSON.stringify({ date: new Date().toISOString(), loadavg: os.loadavg(), ...result, verdict }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
