import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Helpers for the Nagios tests: the check_trendline plugin as Nagios runs it, and Debian's monitoring plugins. */

/** The built plugin (`npm test` builds before running vitest). */
export const CHECK_TRENDLINE = join(import.meta.dirname, '..', '..', 'collector', 'dist', 'cli', 'check-trendline.js');

export const PLUGINS_DIR = '/usr/lib/nagios/plugins';

/** Fails with what to run when a Debian package the test needs is missing (scripts/ensure-system-deps.sh). */
export function requireFile(path: string, pkg: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install ${pkg} (sh scripts/ensure-system-deps.sh, as root)`);
  }
  return path;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (killed after `timeoutMs`) and returns its exit code and output. */
export function run(file: string, args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `check_trendline ARGS` in a child process, as Nagios runs it. */
export function checkTrendline(args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  return run(process.execPath, [CHECK_TRENDLINE, ...args], timeoutMs);
}
