import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

/**
 * `npm run bench [-- ingest flush render query disk lib-client clickhouse] [--runs N] [--quick] [--keep] [--tmp DIR]`: runs the benchmarks, prints
 * a table of median figures and writes the raw results to bench/results/<time>.json.
 */

const ALL = ['ingest', 'flush', 'render', 'query', 'disk', 'lib-client', 'ui-render', 'clickhouse'];

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  const rmem = (name) => readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpu ? cpu[1] : 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    rmem_default: rmem('rmem_default'),
    rmem_max: rmem('rmem_max'),
    date: new Date().toISOString(),
  };
}

function formatValue(value, unit) {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'lines/s') return value >= 1e6 ? `${(value / 1e6).toFixed(2)}M/s` : `${Math.round(value / 1e3)}k/s`;
  if (unit === '×') return `${value.toFixed(1)}×`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'B') return `${value.toFixed(1)} B`;
  if (unit === 'µs') return `${value.toFixed(2)} µs`;
  if (unit === '% slower') return `${value.toFixed(1)}% slower`;
  return `${value} ${unit}`;
}

function printTable(result) {
  const rows = result.rows.map((r) => [
    r.what,
    formatValue(r.value, r.unit),
    String(r.runs),
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
    r.note ?? '',
  ]);
  const head = ['measure', 'median', 'runs', 'target', '', 'notes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\n${result.title}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  for (const n of result.notes ?? []) console.log(`  ${n}`);
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `  ${result.seconds} s; load average before ${load(result.loadavg.before)}, after ${load(result.loadavg.after)}`,
  );
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '3' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      // Reuse a kept directory: render and query then skip building their datasets (minutes on a busy machine).
      tmp: { type: 'string' },
    },
  });
  const selected = positionals.length ? positionals : ALL;
  for (const name of selected)
    if (!ALL.includes(name)) throw new Error(`unknown benchmark ${name} (${ALL.join(', ')})`);
  const runs = Number(values.runs);
  if (!(runs >= 1)) throw new Error('--runs must be at least 1');

  const tmp = values.tmp ?? mkdtempSync(`${os.tmpdir()}/trendline-bench-`);
  if (values.tmp) mkdirSync(tmp, { recursive: true });
  const ctx = { runs, quick: values.quick, tmp, log: (msg) => process.stderr.write(`${msg}\n`) };
  const report = { machine: machine(), runs, quick: values.quick, results: {} };
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const file = new URL(`${report.machine.date.replace(/[:.]/g, '-')}-${selected.join('-')}.json`, resultsDir);
  try {
    for (const name of selected) {
      const started = Date.now();
      const mod = await import(`./${name}.js`);
      const loadBefore = os.loadavg();
      const result = await mod.run(ctx);
      // The machine is shared: the load average says how much others competed for the 2 cores.
      result.loadavg = { before: loadBefore, after: os.loadavg() };
      result.seconds = Math.round((Date.now() - started) / 1000);
      report.results[name] = result;
      printTable(result);
      // Written after every benchmark, so a later failure doesn't lose what was measured.
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    }
  } finally {
    if (!values.keep && !values.tmp) rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\nraw results: ${file.pathname}`);
}

// Ctrl-C still runs the 'exit' handlers that stop the child processes.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
