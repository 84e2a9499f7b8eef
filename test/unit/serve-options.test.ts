import { describe, expect, it } from 'vitest';
import { envName, parseServeOptions, SERVE_FLAGS } from '../../collector/src/cli/serve-options.js';
import { type CollectorConfig, DEFAULT_CONFIG } from '../../collector/src/config.js';
import { ConfigError } from '../../collector/src/config-error.js';

type Env = Record<string, string | undefined>;

const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
};

/** A readFile that serves the given files by path. */
function files(map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path];
    if (text === undefined) return noFile(path);
    return text;
  };
}

function parse(argv: string[], env: Env = {}, readFile: (path: string) => string = noFile): CollectorConfig {
  return parseServeOptions(argv, env, readFile);
}

function configError(argv: string[], env: Env = {}, readFile: (path: string) => string = noFile): string {
  try {
    parseServeOptions(argv, env, readFile);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const message = (e as Error).message;
    expect(message, 'one line').not.toMatch(/\n/);
    return message;
  }
  throw new Error(`expected ${JSON.stringify(argv)} ${JSON.stringify(env)} to throw a ConfigError`);
}

describe('defaults', () => {
  it('no flags, no env, no file → DEFAULT_CONFIG', () => {
    expect(parse([])).toEqual(DEFAULT_CONFIG);
  });

  it('DEFAULT_CONFIG is what DESIGN.md §3 promises', () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      httpHost: '0.0.0.0',
      httpPort: 8080,
      statsdHost: '0.0.0.0',
      statsdPort: 8125,
      db: './data/trendline.db',
      flushIntervalSec: 10,
      retention: [
        { stepSec: 10, retentionSec: 6 * 3600 },
        { stepSec: 60, retentionSec: 7 * 86_400 },
        { stepSec: 600, retentionSec: 5 * 31_536_000 },
      ],
      percentiles: [50, 90, 95, 99],
      token: null,
      deleteIdleStats: false,
      deleteCounters: false,
      deleteTimers: false,
      deleteGauges: false,
      deleteSets: false,
      gaugesMaxTtl: 1,
    });
  });

  it('ignores unrelated and empty environment variables', () => {
    expect(parse([], { PATH: '/usr/bin', TRENDLINE_HTTP_PORT: '', HOME: '/root' })).toEqual(DEFAULT_CONFIG);
  });

  it('does not share arrays with DEFAULT_CONFIG', () => {
    const a = parse(['--percentiles', '75']);
    expect(a.percentiles).toEqual([75]);
    expect(DEFAULT_CONFIG.percentiles).toEqual([50, 90, 95, 99]);
  });
});

/** [flag, raw value, config key, parsed value] for every value flag. */
const VALUE_FLAGS: Array<[string, string, keyof CollectorConfig, unknown]> = [
  ['http-host', '127.0.0.1', 'httpHost', '127.0.0.1'],
  ['http-port', '9090', 'httpPort', 9090],
  ['statsd-host', '::1', 'statsdHost', '::1'],
  ['statsd-port', '18125', 'statsdPort', 18125],
  ['statsd-socket', '/tmp/trendline-statsd.sock', 'statsdSocket', '/tmp/trendline-statsd.sock'],
  ['db', '/tmp/x.db', 'db', '/tmp/x.db'],
  ['flush-interval', '5s', 'flushIntervalSec', 5],
  [
    'retention',
    '10s:1d,5m:30d',
    'retention',
    [
      { stepSec: 10, retentionSec: 86_400 },
      { stepSec: 300, retentionSec: 2_592_000 },
    ],
  ],
  ['percentiles', '50,99.9,-10', 'percentiles', [50, 99.9, -10]],
  ['token', 's3cret', 'token', 's3cret'],
  ['max-series', '1000', 'maxSeries', 1000],
  ['max-set-members', '77', 'maxSetMembers', 77],
  ['max-timed-points', '500', 'maxTimedPoints', 500],
  ['max-line-length', '1432', 'maxLineLength', 1432],
  ['max-tcp-connections', '16', 'maxTcpConnections', 16],
  ['udp-receive-buffer', '16mb', 'udpReceiveBufferBytes', 16 * 1024 * 1024],
  ['max-query-series', '250', 'maxQuerySeries', 250],
  ['max-query-points', '5000', 'maxQueryPoints', 5000],
  ['query-timeout', '30s', 'queryTimeoutSec', 30],
  ['gauges-max-ttl', '3', 'gaugesMaxTtl', 3],
  ['log-level', 'debug', 'logLevel', 'debug'],
  ['store', 'sqlite', 'store', 'sqlite'],
  ['clickhouse-url', 'http://ch1:8123/', 'clickhouseUrl', 'http://ch1:8123'],
  ['clickhouse-cluster', 'two_shards', 'clickhouseCluster', 'two_shards'],
  ['clickhouse-database', 'metrics', 'clickhouseDatabase', 'metrics'],
  ['clickhouse-read-timeout', '2500ms', 'clickhouseReadTimeoutSec', 2.5],
  ['prefix-stats', 'statsd.host-a', 'prefixStats', 'statsd.host-a'],
];
const BOOL_FLAGS: Array<[string, keyof CollectorConfig]> = [
  ['delete-counters', 'deleteCounters'],
  ['delete-timers', 'deleteTimers'],
  ['delete-gauges', 'deleteGauges'],
  ['delete-sets', 'deleteSets'],
  ['clickhouse-replicated', 'clickhouseReplicated'],
];

describe('flags', () => {
  it('the tables below cover every flag', () => {
    const covered = [...VALUE_FLAGS.map(([f]) => f), ...BOOL_FLAGS.map(([f]) => f), 'delete-idle-stats'];
    expect(covered.sort()).toEqual(Object.keys(SERVE_FLAGS).sort());
  });

  for (const [flag, raw, key, value] of VALUE_FLAGS) {
    it(`--${flag} ${raw} sets ${key}`, () => {
      expect(parse([`--${flag}`, raw])[key]).toEqual(value);
      expect(parse([`--${flag}=${raw}`])[key]).toEqual(value);
    });
  }

  for (const [flag, key] of BOOL_FLAGS) {
    it(`--${flag} sets ${key} (and nothing else)`, () => {
      expect(parse([`--${flag}`])).toEqual({ ...DEFAULT_CONFIG, [key]: true });
    });
  }

  it('--clickhouse-url takes replicas after commas, each checked', () => {
    expect(parse(['--clickhouse-url', 'http://ch1:8123/, http://ch2:8123']).clickhouseUrl).toBe(
      'http://ch1:8123,http://ch2:8123',
    );
    expect(configError(['--clickhouse-url', 'http://ch1:8123,ch2:8123'])).toContain('http://');
  });

  it('takes all flags at once', () => {
    const argv = VALUE_FLAGS.flatMap(([flag, raw]) => [`--${flag}`, raw]);
    const c = parse([...argv, ...BOOL_FLAGS.map(([f]) => `--${f}`)]);
    for (const [, , key, value] of VALUE_FLAGS) expect(c[key], key).toEqual(value);
    for (const [, key] of BOOL_FLAGS) expect(c[key], key).toBe(true);
  });

  it('--percentiles takes a list that starts with a top (negative) percentile as a separate argument', () => {
    // node:util parseArgs calls a value starting with '-' ambiguous; the collector's own help says
    // "negative = top", so `--percentiles -10,90` is the natural spelling.
    expect(parse(['--percentiles', '-10,90']).percentiles).toEqual([-10, 90]);
  });

  it('parses sizes, durations and percentiles in their usual spellings', () => {
    expect(parse(['--udp-receive-buffer', '8388608']).udpReceiveBufferBytes).toBe(8_388_608);
    expect(parse(['--udp-receive-buffer', '512kb']).udpReceiveBufferBytes).toBe(524_288);
    expect(parse(['--udp-receive-buffer', '1g']).udpReceiveBufferBytes).toBe(1024 ** 3);
    expect(parse(['--flush-interval', '10s']).flushIntervalSec).toBe(10);
    expect(parse(['--flush-interval', '1m', '--retention', '1m:1d']).flushIntervalSec).toBe(60);
    expect(parse(['--flush-interval', '2s']).flushIntervalSec).toBe(2);
    expect(parse(['--percentiles', ' 90 , 99 ']).percentiles).toEqual([90, 99]);
    expect(parse(['--percentiles=-100,100']).percentiles).toEqual([-100, 100]);
    expect(parse(['--http-port', '0']).httpPort).toBe(0);
  });
});

describe('environment twins', () => {
  it('are TRENDLINE_ + the flag in upper snake case', () => {
    expect(envName('http-port')).toBe('TRENDLINE_HTTP_PORT');
    expect(envName('db')).toBe('TRENDLINE_DB');
    expect(envName('udp-receive-buffer')).toBe('TRENDLINE_UDP_RECEIVE_BUFFER');
  });

  for (const [flag, raw, key, value] of VALUE_FLAGS) {
    it(`${envName(flag)}=${raw} sets ${key}`, () => {
      expect(parse([], { [envName(flag)]: raw })[key]).toEqual(value);
    });
  }

  for (const [flag, key] of BOOL_FLAGS) {
    it(`${envName(flag)} reads true/1 and false/0`, () => {
      expect(parse([], { [envName(flag)]: 'true' })[key]).toBe(true);
      expect(parse([], { [envName(flag)]: '1' })[key]).toBe(true);
      expect(parse([], { [envName(flag)]: 'false' })[key]).toBe(false);
      expect(parse([], { [envName(flag)]: '0' })[key]).toBe(false);
      expect(configError([], { [envName(flag)]: 'yes' })).toContain(envName(flag));
    });
  }

  it('TRENDLINE_CONFIG names the config file', () => {
    const c = parse([], { TRENDLINE_CONFIG: '/etc/t.json' }, files({ '/etc/t.json': '{"httpPort": 9999}' }));
    expect(c.httpPort).toBe(9999);
  });

  it('TRENDLINE_STORE and TRENDLINE_CLICKHOUSE_URL select the ClickHouse backend', () => {
    const c = parse([], { TRENDLINE_STORE: 'clickhouse', TRENDLINE_CLICKHOUSE_URL: 'http://127.0.0.1:8123' });
    expect(c).toMatchObject({
      store: 'clickhouse',
      clickhouseUrl: 'http://127.0.0.1:8123',
      clickhouseDatabase: 'trendline',
    });
  });

  it('a bad value names the variable', () => {
    const msg = configError([], { TRENDLINE_HTTP_PORT: 'eighty' });
    expect(msg).toContain('TRENDLINE_HTTP_PORT');
    expect(msg).toContain('eighty');
  });
});

describe('precedence: flag > env > config file > default', () => {
  const file = files({ 'c.json': JSON.stringify({ httpPort: 3000, statsdPort: 3001, db: 'file.db', httpHost: 'h' }) });
  const env = { TRENDLINE_HTTP_PORT: '4000', TRENDLINE_STATSD_PORT: '4001' };

  it('resolves each setting from the highest source that sets it', () => {
    const c = parse(['--config', 'c.json', '--http-port', '5000'], env, file);
    expect(c.httpPort).toBe(5000); // flag
    expect(c.statsdPort).toBe(4001); // env
    expect(c.db).toBe('file.db'); // file
    expect(c.httpHost).toBe('h'); // file
    expect(c.flushIntervalSec).toBe(DEFAULT_CONFIG.flushIntervalSec); // default
  });

  it('--config beats TRENDLINE_CONFIG', () => {
    const both = files({ 'a.json': '{"db":"a.db"}', 'b.json': '{"db":"b.db"}' });
    expect(parse(['--config', 'a.json'], { TRENDLINE_CONFIG: 'b.json' }, both).db).toBe('a.db');
  });
});

describe('--config JSON file', () => {
  it('reads every setting by its config key, with JSON types', () => {
    const json = {
      httpHost: '127.0.0.1',
      httpPort: 9000,
      statsdPort: 9125,
      db: 'x.db',
      flushIntervalSec: '5s',
      retention: '5s:1h,1m:1d',
      percentiles: [50, 99.9, -5],
      token: 'abc',
      maxSeries: 10,
      udpReceiveBufferBytes: 4096,
      deleteCounters: true,
      deleteSets: false,
      gaugesMaxTtl: 2,
      logLevel: 'warn',
      prefixStats: 'statsd.zone_b',
    };
    const c = parse(['--config', 'cfg.json'], {}, files({ 'cfg.json': JSON.stringify(json) }));
    expect(c).toMatchObject({
      ...json,
      flushIntervalSec: 5,
      retention: [
        { stepSec: 5, retentionSec: 3600 },
        { stepSec: 60, retentionSec: 86_400 },
      ],
    });
  });

  it('accepts flushIntervalSec as a plain number of seconds, as its name says', () => {
    const c = parse(['--config', 'cfg.json'], {}, files({ 'cfg.json': '{"flushIntervalSec": 5}' }));
    expect(c.flushIntervalSec).toBe(5);
  });

  it('bad JSON → one-line ConfigError naming the file', () => {
    const msg = configError(['--config', 'bad.json'], {}, files({ 'bad.json': '{"httpPort": 80,,}' }));
    expect(msg).toMatch(/^--config bad\.json: not valid JSON/);
  });

  it('a JSON value that is not an object is refused', () => {
    for (const text of ['[1,2]', '"x"', 'null', '42']) {
      expect(configError(['--config', 'c.json'], {}, files({ 'c.json': text }))).toContain('expected a JSON object');
    }
  });

  it('an unknown key → ConfigError naming it', () => {
    const msg = configError(['--config', 'c.json'], {}, files({ 'c.json': '{"httpPort": 80, "flushInterval": 5}' }));
    expect(msg).toBe('--config c.json: unknown setting "flushInterval"');
    // uiDir is set by the CLI, not by users
    expect(configError(['--config', 'c.json'], {}, files({ 'c.json': '{"uiDir": "/x"}' }))).toContain('"uiDir"');
  });

  it('an unreadable file → ConfigError with the reason', () => {
    const msg = configError(['--config', '/nope/t.json']);
    expect(msg).toBe('--config /nope/t.json: cannot read it (ENOENT)');
  });

  it('a bad value names the key and the file', () => {
    const msg = configError(['--config', 'c.json'], {}, files({ 'c.json': '{"httpPort": 70000}' }));
    expect(msg).toContain('"httpPort" in c.json');
    expect(msg).toContain('70000');
    expect(configError(['--config', 'c.json'], {}, files({ 'c.json': '{"deleteSets": "maybe"}' }))).toContain(
      'deleteSets',
    );
    expect(configError(['--config', 'c.json'], {}, files({ 'c.json': '{"db": {"path": "x"}}' }))).toContain('"db"');
  });

  it('is not read when no --config is given', () => {
    expect(() => parse([], {}, noFile)).not.toThrow();
  });
});

describe('bad values throw a one-line ConfigError naming the flag', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['port out of range', ['--http-port', '70000'], /--http-port.*70000/],
    ['port not a number', ['--statsd-port', '81a'], /--statsd-port/],
    ['negative port', ['--statsd-port', '-1'], /--statsd-port/],
    ['duration junk', ['--flush-interval', 'abc'], /--flush-interval.*abc/],
    ['bare-number duration', ['--flush-interval', '10'], /--flush-interval.*unit/],
    ['interval that does not divide the finest retention step', ['--flush-interval', '7s'], /--flush-interval.*7s/],
    ['interval longer than the finest step', ['--flush-interval', '20s'], /--flush-interval.*--retention/],
    ['sub-second interval', ['--flush-interval', '500ms'], /--flush-interval.*whole number/],
    ['percentile 0', ['--percentiles', '0'], /--percentiles/],
    ['percentile 101', ['--percentiles', '101'], /--percentiles.*101/],
    ['percentile -101', ['--percentiles', '50,-101'], /--percentiles/],
    ['empty percentile item', ['--percentiles', '50,,90'], /--percentiles/],
    ['non-numeric percentile', ['--percentiles', 'p99'], /--percentiles/],
    ['unknown flag', ['--bogus', '1'], /--bogus/],
    ['positional argument', ['extra'], /extra/],
    ['missing value', ['--http-port'], /--http-port/],
    ['retention junk', ['--retention', 'junk'], /--retention.*junk/],
    ['empty db', ['--db', ' '], /--db/],
    ['zero count', ['--max-series', '0'], /--max-series/],
    ['fractional count', ['--max-set-members', '1.5'], /--max-set-members/],
    ['bad size', ['--udp-receive-buffer', 'lots'], /--udp-receive-buffer/],
    ['bad log level', ['--log-level', 'verbose'], /--log-level.*verbose/],
    ['token with whitespace', ['--token', 'a b'], /--token/],
    ['host with a slash', ['--http-host', 'http://x'], /--http-host/],
    ['bool flag given a value', ['--delete-counters=false'], /--delete-counters/],
    ['unknown store', ['--store', 'postgres'], /--store.*postgres.*sqlite or clickhouse/],
    ['clickhouse store without a URL', ['--store', 'clickhouse'], /--store clickhouse needs --clickhouse-url/],
    ['clickhouse URL junk', ['--clickhouse-url', 'ch1:8123'], /--clickhouse-url.*http/],
    ['clickhouse URL not http', ['--clickhouse-url', 'ftp://ch1'], /--clickhouse-url.*http/],
    ['cluster name with SQL in it', ['--clickhouse-cluster', 'a`; DROP'], /--clickhouse-cluster/],
    ['database name starting with a digit', ['--clickhouse-database', '1db'], /--clickhouse-database/],
    [
      'read timeout of 0',
      ['--clickhouse-read-timeout', '0s'],
      /--clickhouse-read-timeout 0s must be between 100ms and 1h/,
    ],
    ['read timeout without a unit', ['--clickhouse-read-timeout', '5'], /--clickhouse-read-timeout.*missing unit/],
    ['read timeout over an hour', ['--clickhouse-read-timeout', '2h'], /--clickhouse-read-timeout 7200s must be/],
    ['stats prefix with an empty node', ['--prefix-stats', 'statsd..a'], /^--prefix-stats "statsd\.\.a": expected dot/],
    ['stats prefix ending in a dot', ['--prefix-stats', 'statsd.'], /--prefix-stats "statsd\.": expected dot/],
    ['stats prefix with a space', ['--prefix-stats', 'host a'], /--prefix-stats "host a": expected dot/],
    ['stats prefix with a glob', ['--prefix-stats', 'statsd.*'], /--prefix-stats/],
    ['stats prefix with a slash', ['--prefix-stats', 'a/b'], /--prefix-stats/],
    ['stats prefix too long', ['--prefix-stats', 'a'.repeat(201)], /--prefix-stats.*longer than 200/],
  ];
  for (const [label, argv, pattern] of cases) {
    it(`${label}: ${argv.join(' ')}`, () => {
      expect(configError(argv)).toMatch(pattern);
    });
  }

  it('a flush interval valid for a custom retention', () => {
    expect(parse(['--flush-interval', '7s', '--retention', '7s:1h,70s:1d']).flushIntervalSec).toBe(7);
    expect(configError(['--flush-interval', '7s', '--retention', '10s:1h'])).toContain('(10s)');
  });
});

describe('--delete-idle-stats', () => {
  const ALL = { deleteCounters: true, deleteTimers: true, deleteGauges: true, deleteSets: true };

  it('turns on the four delete flags', () => {
    expect(parse(['--delete-idle-stats'])).toEqual({ ...DEFAULT_CONFIG, deleteIdleStats: true, ...ALL });
    expect(parse([], { TRENDLINE_DELETE_IDLE_STATS: 'true' })).toMatchObject({ deleteIdleStats: true, ...ALL });
    expect(parse(['--config', 'c.json'], {}, files({ 'c.json': '{"deleteIdleStats": true}' }))).toMatchObject(ALL);
  });

  it('leaves alone a delete flag that is set explicitly (env or file)', () => {
    const c = parse(
      ['--delete-idle-stats', '--config', 'c.json'],
      { TRENDLINE_DELETE_GAUGES: 'false' },
      files({ 'c.json': '{"deleteSets": false}' }),
    );
    expect(c).toMatchObject({ deleteCounters: true, deleteTimers: true, deleteGauges: false, deleteSets: false });
  });

  it('false turns nothing on', () => {
    expect(parse([], { TRENDLINE_DELETE_IDLE_STATS: 'false' })).toEqual(DEFAULT_CONFIG);
  });

  it('an empty environment variable does not count as setting a delete flag', () => {
    // Empty env values are ignored as values (see "ignores ... empty environment variables"), so they must
    // not block deleteIdleStats either.
    const c = parse(['--delete-idle-stats'], { TRENDLINE_DELETE_COUNTERS: '' });
    expect(c.deleteCounters).toBe(true);
  });
});
