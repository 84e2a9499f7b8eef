import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCollector } from '../collector.js';
import { DEFAULT_CONFIG } from '../config.js';
import { ConfigError } from '../config-error.js';
import { envName, parseServeOptions, SERVE_FLAGS } from './serve-options.js';

/** `trendline serve`: validates settings, starts the collector, and stops it cleanly on SIGTERM/SIGINT. */
export async function runServe(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(serveHelp());
    return;
  }
  let config: ReturnType<typeof parseServeOptions>;
  try {
    config = parseServeOptions(args, process.env, (path) => readFileSync(path, 'utf8'));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`trendline serve: ${err.message}\n`);
    process.exit(2);
  }
  config.uiDir = fileURLToPath(new URL('../../../ui/dist', import.meta.url));
  const log = pino({ level: config.logLevel, base: { service: 'trendline' } });

  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector(config, log);
  } catch (err) {
    process.stderr.write(`trendline serve: ${(err as Error).message}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: flushing the current interval');
    collector.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function serveHelp(): string {
  // The column after the flags fits the longest one.
  const width = Math.max(22, ...Object.keys(SERVE_FLAGS).map((flag) => flag.length));
  const lines = Object.entries(SERVE_FLAGS).map(
    ([flag, spec]) =>
      `  --${flag.padEnd(width)} ${spec.help}; default ${showDefault(DEFAULT_CONFIG[spec.key], spec.kind)} (${envName(flag)})`,
  );
  return `usage: trendline serve [options]\n\n${lines.join('\n')}\n  --${'config FILE'.padEnd(width)} JSON file of settings, keys as in the docs (TRENDLINE_CONFIG)\n`;
}

/** A default as the flag takes it: durations with their unit (`10s`), as a bare number is refused. */
function showDefault(value: unknown, kind: string): string {
  if (value === null) return 'none';
  if (kind === 'duration' && typeof value === 'number') return seconds(value);
  if (Array.isArray(value)) {
    return value
      .map((v) => (typeof v === 'object' ? `${seconds(v.stepSec)}:${seconds(v.retentionSec)}` : String(v)))
      .join(',');
  }
  return String(value);
}

/** 600 → 10m, 21600 → 6h: the largest unit that divides evenly, as retention specs are written. */
function seconds(s: number): string {
  const units: Array<[string, number]> = [
    ['y', 365 * 86400],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ];
  for (const [unit, size] of units) if (s % size === 0) return `${s / size}${unit}`;
  return `${s}s`;
}
