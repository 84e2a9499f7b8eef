import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestCollector, type TestCollector } from '../support/collector.js';

/** `trendline deploy` as CI runs it: a real child process against a real collector with a token. */

interface GraphiteEvent {
  when: number;
  what: string;
  data: string;
  tags: string[];
  id: number;
}

const TOKEN = 's3cret';
/** The environment twins, blanked so the runner's own environment can't leak in. */
const CLEAN = {
  TRENDLINE_URL: '',
  TRENDLINE_WHAT: '',
  TRENDLINE_TAGS: '',
  TRENDLINE_DATA: '',
  TRENDLINE_WHEN: '',
  TRENDLINE_TOKEN: '',
  TRENDLINE_TIMEOUT: '',
};

function oneLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

function listen(server: Server | net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}

describe('trendline deploy', () => {
  let t: TestCollector;
  const deploy = (args: string[], env: Record<string, string> = {}) =>
    runCli(['deploy', ...args], { ...CLEAN, ...env });
  const count = async () => ((await (await t.get('/events/get_data?from=0')).json()) as GraphiteEvent[]).length;

  beforeAll(async () => {
    t = await startTestCollector({ token: TOKEN });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('posts a deploy, always tagged deploy, and prints its id', async () => {
    const { code, stdout, stderr } = await deploy([
      '--url',
      `${t.url}/`,
      '--what',
      'api v1.4.2',
      '--tags',
      'service:api,version:1.4.2',
      '--data',
      '-commit abc',
      '--when',
      '1700000000',
      '--token',
      TOKEN,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\n$/);
    const stored = (await (await t.get(`/events/${stdout.trim()}`)).json()) as GraphiteEvent;
    expect(stored).toEqual({
      id: Number(stdout),
      when: 1_700_000_000,
      what: 'api v1.4.2',
      data: '-commit abc',
      tags: ['deploy', 'service:api', 'version:1.4.2'],
    });
    const listed = (await (await t.get('/deploys?tags=service:api')).json()) as GraphiteEvent[];
    expect(listed.map((d) => d.id)).toContain(Number(stdout));
  });

  it('reads the environment twins; the collector stamps the time when --when is absent', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { code, stdout } = await deploy([], {
      TRENDLINE_URL: t.url,
      TRENDLINE_WHAT: 'web 2.0',
      TRENDLINE_TAGS: 'service:web deploy',
      TRENDLINE_TOKEN: TOKEN,
    });
    expect(code).toBe(0);
    const stored = (await (await t.get(`/events/${stdout.trim()}`)).json()) as GraphiteEvent;
    expect(stored.tags).toEqual(['deploy', 'service:web']);
    expect(stored.data).toBe('');
    expect(stored.when).toBeGreaterThanOrEqual(before);
    // A flag wins over its twin; repeated --tags add up.
    const flagged = await deploy(['--what', 'web 2.1', '--tags', 'a', '--tags', 'b'], {
      TRENDLINE_URL: t.url,
      TRENDLINE_WHAT: 'ignored',
      TRENDLINE_TOKEN: TOKEN,
    });
    const second = (await (await t.get(`/events/${flagged.stdout.trim()}`)).json()) as GraphiteEvent;
    expect([second.what, second.tags]).toEqual(['web 2.1', ['deploy', 'a', 'b']]);
  });

  it.each([
    ['a wrong token', ['--token', 'nope'], /refused the deploy: HTTP 401: wrong bearer token$/],
    ['no token', [], /refused the deploy: HTTP 401: missing bearer token/],
  ])('exits 1 with one line on %s, and nothing is stored', async (_name, extra, message) => {
    const before = await count();
    const { code, stdout, stderr } = await deploy(['--url', t.url, '--what', 'x', ...extra]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(oneLine(stderr)).toMatch(
      new RegExp(`^trendline deploy: the collector at ${t.url}/events ${message.source}`),
    );
    expect(await count()).toBe(before);
  });

  it("exits 1 with the collector's reason for a 400", async () => {
    const when = String(Math.floor(Date.now() / 1000) + 3 * 86_400);
    const { code, stderr } = await deploy(['--url', t.url, '--what', 'x', '--when', when, '--token', TOKEN]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(/refused the deploy: HTTP 400: "when" \d+ is more than a day in the future/);
  });

  it('exits 1 with one line when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await deploy(['--url', url, '--what', 'x']);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toBe(
      `trendline deploy: cannot reach the collector at ${url}/events: connection refused (ECONNREFUSED)`,
    );
  });

  it('exits 1 with one line when the collector does not answer in time', async () => {
    const silent = net.createServer(() => undefined);
    const port = await listen(silent);
    try {
      const started = Date.now();
      const { code, stderr } = await deploy(['--url', `http://127.0.0.1:${port}`, '--what', 'x', '--timeout', '0.5']);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toBe(
        `trendline deploy: the collector at http://127.0.0.1:${port}/events did not answer within 0.5s`,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('exits 0 against graphite-web, which answers 200 with an empty body, saying there is no id', async () => {
    const bodies: string[] = [];
    const graphite = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${body}`);
        res.end();
      });
    });
    const port = await listen(graphite);
    try {
      const { code, stdout, stderr } = await deploy(['--url', `http://127.0.0.1:${port}`, '--what', 'x']);
      expect(code).toBe(0);
      expect(stdout).toBe('');
      expect(oneLine(stderr)).toBe('trendline deploy: stored, but the server returned no event id');
      expect(bodies).toEqual(['POST /events {"what":"x","tags":["deploy"]}']);
    } finally {
      graphite.close();
    }
  });

  it.each([
    [['--what', 'x'], /^trendline deploy: missing --url \(or TRENDLINE_URL\)/],
    [['--url', 'http://127.0.0.1:1'], /^trendline deploy: missing --what \(or TRENDLINE_WHAT\)/],
    [['--url', 'metrics:8080', '--what', 'x'], /^trendline deploy: --url "metrics:8080": expected an http/],
    [['--url', 'http://h', '--what', 'x', '--when', 'yesterday'], /--when "yesterday": expected epoch seconds/],
    [['--url', 'http://h', '--what', 'x', '--timeout', '0'], /--timeout "0": expected seconds/],
    [['--url', 'http://h', '--what', 'x', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with one line for bad usage %j', async (args, message) => {
    const { code, stderr } = await deploy(args);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(message);
  });

  it('prints help naming every flag and its environment twin', async () => {
    const { code, stdout } = await deploy(['--help']);
    expect(code).toBe(0);
    for (const twin of Object.keys(CLEAN)) expect(stdout).toContain(twin);
    expect((await runCli(['--help'])).stdout).toContain('deploy');
  });
});
