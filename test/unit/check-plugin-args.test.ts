import { describe, expect, it } from 'vitest';
import { buildRequest, parseCommandLine, runPlugin } from '../../collector/src/cli/check-plugin.js';
import { parseCheckQuery } from '../../collector/src/http/routes/check.js';

/** check_trendline's command line, and /check's query string, without any network. */

const request = (argv: string[]) => buildRequest(parseCommandLine(argv));
const query = (argv: string[]) => Object.fromEntries(new URL(request(argv).url).searchParams);

describe('check_trendline command line', () => {
  it('reads the guidelines example forms -w10 -c20, -w 10, --warning=10', () => {
    expect(query(['-H', 'h', '--target', 'x', '-w10', '-c20'])).toEqual({ target: 'x', warning: '10', critical: '20' });
    expect(query(['-H', 'h', '--target', 'x', '-w', '~:10', '-c', '~:20'])).toMatchObject({
      warning: '~:10',
      critical: '~:20',
    });
    expect(query(['-H', 'h', '--target=x', '--warning=10:', '--critical=@10:20'])).toMatchObject({
      warning: '10:',
      critical: '@10:20',
    });
  });

  it('takes a value that starts with a dash', () => {
    expect(query(['-H', 'h', '--target', 'x', '-w', '-5:5', '-c', '-10:10', '--from', '-10min'])).toMatchObject({
      warning: '-5:5',
      critical: '-10:10',
      from: '-10min',
    });
  });

  it('builds the URL from -H/-p or --url, and repeats --target', () => {
    expect(request(['-H', 'mon.example', '--target', 'a']).url).toBe('http://mon.example:8080/check?target=a');
    expect(request(['-H', 'mon', '-p', '9000', '-S', '--target', 'a']).url).toBe('https://mon:9000/check?target=a');
    expect(request(['-H', '::1', '--target', 'a']).url).toBe('http://[::1]:8080/check?target=a');
    expect(request(['-u', 'http://proxy/trendline/', '--target', 'a', '--target', 'b']).url).toBe(
      'http://proxy/trendline/check?target=a&target=b',
    );
    expect(request(['-u', 'http://h:8080/check', '--target', 'a']).url).toBe('http://h:8080/check?target=a');
  });

  it('passes the policy options', () => {
    expect(
      query([
        '-u',
        'http://h:1',
        '--target',
        'sumSeries(a.*)',
        '--agg',
        'p95',
        '--skip-partial',
        '--on-missing',
        'CRITICAL',
        '--min-points',
        '3',
        '--max-age',
        '5min',
        '--any',
        '--uom',
        'ms',
        '--until',
        '-1min',
      ]),
    ).toEqual({
      target: 'sumSeries(a.*)',
      agg: 'p95',
      skipPartial: 'true',
      onMissing: 'critical',
      minPoints: '3',
      maxAge: '5min',
      any: 'true',
      uom: 'ms',
      until: '-1min',
    });
  });

  it('reads -t SECONDS[:STATE] and --timeout-result', () => {
    expect(request(['-H', 'h', '--target', 'x'])).toMatchObject({ timeoutMs: 10_000, timeoutState: 2, verbose: 0 });
    expect(request(['-H', 'h', '--target', 'x', '-t', '3', '--timeout-result', 'unknown'])).toMatchObject({
      timeoutMs: 3000,
      timeoutState: 3,
    });
    expect(request(['-H', 'h', '--target', 'x', '-t', '2.5:WARNING', '-vv'])).toMatchObject({
      timeoutMs: 2500,
      timeoutState: 1,
      verbose: 2,
    });
  });

  it('builds the deploy check', () => {
    expect(
      request(['-H', 'h', '--deploy', '--service', 'api', '--target', 'stats.timers.api.mean', '--worse', 'warning'])
        .url,
    ).toBe('http://h:8080/check/deploy?target=stats.timers.api.mean&service=api&worse=warning');
  });

  it.each([
    [['--target', 'x'], 'no collector given'],
    [['-H', 'h'], '--target is required'],
    [['-H', 'h', '-u', 'http://h', '--target', 'x'], 'either --url or -H'],
    [['-H', 'h', '--target', 'x', '-w', 'abc'], '-w: invalid range "abc": "abc" is not a number'],
    [['-H', 'h', '--target', 'x', '-c', '2:1'], '-c: invalid range "2:1"'],
    [['-H', 'h', '--target', 'x', '-c', '1:12%'], '"12%" is not a number'],
    [['-H', 'h', '--target', 'x', '--agg', 'mode'], '--agg: invalid reducer "mode"'],
    [['-H', 'h', '--target', 'x', '--on-missing', 'maybe'], '--on-missing "maybe"'],
    [['-H', 'h', '--target', 'x', '--any', '--all'], 'exclude each other'],
    [['-H', 'h', '--target', 'x', '-t', '0'], '-t "0"'],
    [['-H', 'h', '--target', 'x', '-p', '99999'], '-p "99999"'],
    [['-H', 'h', '--target', 'x', '--bogus'], 'unknown option --bogus'],
    [['-H', 'h', '--target', 'x', '-x'], 'unknown option -x'],
    [['-H', 'h', '--target', 'x', 'extra'], 'unexpected argument "extra"'],
    [['-H', 'h', '--target', 'x', '-w'], '-w needs a value'],
    [['-H', 'h', '--target', 'x', '-w', '1', '-w', '2'], '--warning given more than once'],
    [['-H', 'h', '--target', 'x', '--service', 's'], '--service needs --deploy'],
    [['-H', 'h', '--target', 'x', '--deploy'], '--deploy needs --service'],
    [['-H', 'h', '--target', 'x', '--deploy', '--service', 's', '-w', '1'], '--warning does not apply to --deploy'],
  ])('%j is a usage error: UNKNOWN, exit 3', async (argv, message) => {
    const { output, code } = await runPlugin(argv, () => {});
    expect(code).toBe(3);
    expect(output.split('\n')[0]).toContain('TRENDLINE UNKNOWN - ');
    expect(output.split('\n')[0]).toContain(message);
  });

  it('-h and -V exit 3', async () => {
    const help = await runPlugin(['-h'], () => {});
    expect(help.code).toBe(3);
    expect(help.output).toContain('--timeout-result');
    const version = await runPlugin(['-V'], () => {});
    expect(version).toEqual({ output: expect.stringMatching(/^check_trendline \d+\.\d+\.\d+\n$/), code: 3 });
  });
});

describe('/check query string', () => {
  const now = 1_000_000;
  it('has defaults: the last 5 minutes, avg, UNKNOWN on missing data, worst state', () => {
    const q = parseCheckQuery({ target: 'a.b' }, now);
    expect(q).toMatchObject({ targets: ['a.b'], from: now - 300, until: now, now, format: 'text' });
    expect(q.policy).toMatchObject({ skipPartial: false, onMissing: 3, combine: 'worst', thresholds: {} });
    expect(q.policy.reducer.text).toBe('avg');
    expect(q.policy.minPoints).toBeUndefined();
  });

  it('reads every option', () => {
    const q = parseCheckQuery(
      {
        target: ['a', 'b'],
        warning: '5',
        critical: '@1:2',
        from: '-1h',
        until: '-10min',
        agg: 'p99',
        skipPartial: '',
        onMissing: 'Critical',
        minPoints: '4',
        maxAge: '2min',
        all: 'true',
        uom: 'ms',
        format: 'json',
      },
      now,
    );
    expect(q).toMatchObject({ targets: ['a', 'b'], from: now - 3600, until: now - 600, uom: 'ms', format: 'json' });
    expect(q.policy).toMatchObject({ skipPartial: true, onMissing: 2, minPoints: 4, maxAgeSec: 120, combine: 'all' });
    expect(q.policy.thresholds.critical).toMatchObject({ start: 1, end: 2, inside: true });
    expect(parseCheckQuery({ target: 'a', maxAge: '90' }, now).policy.maxAgeSec).toBe(90);
    expect(parseCheckQuery({ target: 'a', skipPartial: 'false' }, now).policy.skipPartial).toBe(false);
  });

  it.each([
    [{}, 'target is required'],
    [{ target: ' ' }, 'target is required'],
    [{ target: 'a', warning: 'abc' }, 'warning: invalid range "abc"'],
    [{ target: 'a', critical: '2:1' }, 'critical: invalid range "2:1"'],
    [{ target: 'a', agg: 'avg2' }, 'agg: invalid reducer "avg2"'],
    [{ target: 'a', onMissing: 'maybe' }, 'onMissing "maybe"'],
    [{ target: 'a', minPoints: '-1' }, 'minPoints "-1"'],
    [{ target: 'a', maxAge: 'soon' }, 'maxAge: invalid interval "soon"'],
    [{ target: 'a', any: '1', all: '1' }, 'any and all exclude each other'],
    [{ target: 'a', any: 'perhaps' }, 'any "perhaps"'],
    [{ target: 'a', uom: 'parsecs' }, 'uom "parsecs"'],
    [{ target: 'a', format: 'csv' }, 'format "csv"'],
    [{ target: 'a', onmissing: 'ok' }, 'unknown parameter "onmissing"'],
    [{ target: 'a', warning: ['1', '2'] }, 'warning given 2 times'],
    [{ target: 'a', from: '-5min', until: '-5min' }, 'Invalid empty time range'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseCheckQuery(raw, now)).toThrow(message);
  });

  it('rejects a bad time as graphite-web words it', () => {
    expect(() => parseCheckQuery({ target: 'a', from: 'soon' }, now)).toThrow('invalid time "soon"');
  });
});
