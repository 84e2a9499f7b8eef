import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCollector } from '../collector.js';
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
  const lines = Object.entries(SERVE_FLAGS).map(
    ([flag, spec]) => `  --${flag.padEnd(22)} ${spec.help} (${envName(flag)})`,
  );
  return `usage: trendline serve [options]\n\n${lines.join('\n')}\n  --${'config FILE'.padEnd(22)} JSON file of settings, keys as in the docs (TRENDLINE_CONFIG)\n`;
}
