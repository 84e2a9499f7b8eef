#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runDeploy } from './deploy.js';
import { runServe } from './serve.js';

/** `trendline <command>`: dispatches to the subcommands. */
const USAGE = `usage: trendline <command> [options]

commands:
  serve     run the collector: StatsD on UDP and TCP, HTTP API and UI, SQLite store
            (trendline serve --help lists its options)
  deploy    mark a deploy: POST an event tagged deploy to a collector, print its id
            (trendline deploy --help lists its options)

  --version print the version
`;

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'serve':
    await runServe(args);
    break;
  case 'deploy':
    await runDeploy(args);
    break;
  case '--version':
  case '-V': {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`trendline ${pkg.version}\n`);
    break;
  }
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(command === undefined ? USAGE : `trendline: unknown command "${command}"\n${USAGE}`);
    process.exit(2);
}
