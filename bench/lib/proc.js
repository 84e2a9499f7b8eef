import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { sleep } from './stats.js';

/** Child-process plumbing: free ports, start/stop, and what /proc says about a child (CPU, RSS). */

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A port free for both TCP and UDP on 127.0.0.1 (StatsD listens on both). */
export async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const { port } = udp.address();
    const ok = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    udp.close();
    if (ok) return port;
  }
  throw new Error('no free port found');
}

/** Children still running, so an interrupted benchmark doesn't leave receivers behind. */
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Spawns a child, keeping the tail of its stderr to explain a failed start. */
export function startChild(command, args, options = {}) {
  const child = track(spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options }));
  let tail = '';
  child.stderr.on('data', (chunk) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  child.stderrTail = () => tail;
  return child;
}

/** Polls `check` until it returns a truthy value; bounded so a broken child can't hang the run. */
export async function waitFor(check, { timeoutMs = 15000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves with the exit code. */
export async function stopChild(child, graceMs = 15000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** CPU seconds used so far by a whole process (all threads), or by one thread when tid is given. */
export function cpuSeconds(pid, tid) {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  try {
    const text = readFileSync(path, 'utf8');
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes (VmRSS), or NaN once the process is gone. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Machine-wide UDP counters: RcvbufErrors are datagrams the kernel dropped because a socket buffer was full. */
export function udpKernelCounters() {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp: '));
  const names = lines[0].split(/\s+/).slice(1);
  const values = lines[1].split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}
