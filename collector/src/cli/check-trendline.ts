#!/usr/bin/env node
import { runPlugin } from './check-plugin.js';

/** The `check_trendline` bin: prints the check's output verbatim and exits with its state (see check-plugin.ts). */
const { output, code } = await runPlugin(process.argv.slice(2), (line) => process.stderr.write(`${line}\n`));
process.stdout.write(output, () => process.exit(code));
