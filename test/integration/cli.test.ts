import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, serveArgs, spawnServe, tempDir } from '../support/collector.js';

/** `trendline serve` refuses bad settings and unusable resources with one clear line and a non-zero exit. */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const local = ['--http-host', '127.0.0.1', '--statsd-host', '127.0.0.1'];

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('trendline serve: settings', () => {
  it.each([
    [['--http-port', '70000'], /--http-port "70000": expected a port number/],
    [['--flush-interval', 'soon'], /--flush-interval "soon"/],
    [['--flush-interval', '7s'], /--flush-interval 7s must divide the finest --retention step \(10s\)/],
    [['--retention', '10s:6h,7s:7d'], /--retention "10s:6h,7s:7d": step 7s is not a multiple of 10s/],
    [['--percentiles', '50,0'], /--percentiles "50,0"/],
    [['--prefix-stats', 'statsd..host-a'], /--prefix-stats "statsd\.\.host-a": expected dot-separated names/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--store', 'clickhouse'], /--store clickhouse needs --clickhouse-url/],
    [
      ['--store', 'clickhouse', '--clickhouse-url', 'ch1:8123'],
      /--clickhouse-url "ch1:8123": expected an http:\/\/ or https:\/\/ URL/,
    ],
  ])('rejects %j', async (args, message) => {
    const { code, stderr } = await runCli(['serve', ...local, ...args]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(message);
  });

  it('reads environment twins and names them in errors', async () => {
    const { code, stderr } = await runCli(['serve', ...local], { TRENDLINE_STATSD_PORT: 'x' });
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(/TRENDLINE_STATSD_PORT "x": expected a port number/);
    const prefix = await runCli(['serve', ...local], { TRENDLINE_PREFIX_STATS: 'host a' });
    expect(prefix.code).toBe(2);
    expect(oneLine(prefix.stderr)).toMatch(/TRENDLINE_PREFIX_STATS "host a": expected dot-separated names/);
  });

  it('reads a JSON config file and rejects unknown keys in it', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ httpPort: 0, flushInterval: '5s' }));
    const { code, stderr } = await runCli(['serve', ...local, '--config', file]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(/unknown setting "flushInterval"/);
  });

  it('prints help with every flag and its environment twin', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--flush-interval');
    expect(stdout).toContain('TRENDLINE_RETENTION');
  });

  it('rejects an unknown command', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
  });
});

describe('trendline serve: resources', () => {
  it('exits 1 with one line when the StatsD port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const args = ['serve', ...local, '--http-port', '0', '--statsd-port', String(port), '--db', join(dir, 'a.db')];
      const { code, stderr } = await runCli(args);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toBe(`trendline serve: StatsD TCP port 127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('exits 1 with one line when the HTTP port is taken', async () => {
    const running = await spawnServe(serveArgs(join(dir, 'b.db')));
    try {
      const args = [
        'serve',
        ...local,
        '--http-port',
        String(running.httpPort),
        '--statsd-port',
        '0',
        '--db',
        join(dir, 'c.db'),
      ];
      const { code, stderr } = await runCli(args);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toBe(`trendline serve: HTTP port 127.0.0.1:${running.httpPort} is already in use`);
    } finally {
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    }
  });

  it('exits 1 with one line when the database cannot be opened', async () => {
    const notAFile = join(dir, 'a-directory.db');
    mkdirSync(notAFile);
    const { code, stderr } = await runCli([
      'serve',
      ...local,
      '--http-port',
      '0',
      '--statsd-port',
      '0',
      '--db',
      notAFile,
    ]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(new RegExp(`^trendline serve: cannot open database ${notAFile}: `));
  });

  it('exits 1 with one line when ClickHouse cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    const url = `http://127.0.0.1:${closed}`;
    const { code, stderr } = await runCli(
      ['serve', ...local, '--http-port', '0', '--statsd-port', '0', '--store', 'clickhouse'],
      { TRENDLINE_CLICKHOUSE_URL: url },
    );
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(
      new RegExp(`^trendline serve: cannot open ClickHouse store at ${url}: .*cannot be reached \\(ECONNREFUSED\\)`),
    );
  });

  it('exits 1 with one line when the file is not a database', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not SQLite'.repeat(100));
    const { code, stderr } = await runCli(['serve', ...local, '--http-port', '0', '--statsd-port', '0', '--db', junk]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(/cannot open database .*junk\.db: file is not a database/);
  });
});
