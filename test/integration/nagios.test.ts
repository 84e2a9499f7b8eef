import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TRENDLINE, PLUGINS_DIR, requireFile, run } from '../support/check.js';
import { startTestCollector, type TestCollector, tempDir, waitFor } from '../support/collector.js';

/**
 * A real Nagios 4 (Debian's nagios4) runs check_trendline, and plain check_http against /check, as service
 * checks against a running collector; the test reads the states Nagios records in status.dat.
 *
 * Nagios runs in the foreground with a generated configuration in a temporary directory. It drops privileges
 * to nagios_user, so when the test runs as root the directory belongs to the `nagios` user; otherwise Nagios
 * runs as the current user.
 */

const NAGIOS = '/usr/sbin/nagios4';

interface Service {
  name: string;
  command: string;
  want: number;
}

let tc: TestCollector;
let dir = '';
let nagios: ChildProcess | undefined;
let nagiosExit: Promise<number | null> | undefined;

function services(): Service[] {
  const plugin = (target: string, extra = '') => `check_trendline!${target}!5!10${extra ? `!${extra}` : ''}`;
  return [
    { name: 'trendline-ok', command: plugin('stats.gauges.nagios.ok'), want: 0 },
    { name: 'trendline-warning', command: plugin('stats.gauges.nagios.warn'), want: 1 },
    { name: 'trendline-critical', command: plugin('stats.gauges.nagios.crit'), want: 2 },
    { name: 'trendline-missing', command: plugin('stats.gauges.nagios.none'), want: 3 },
    { name: 'trendline-several', command: plugin('stats.gauges.nagios.*', '--agg last'), want: 2 },
    { name: 'trendline-expression', command: plugin('sumSeries(stats.gauges.nagios.{ok,warn})'), want: 2 },
    { name: 'http-ok', command: 'check_trendline_http!stats.gauges.nagios.ok!5!10', want: 0 },
    { name: 'http-warning', command: 'check_trendline_http!stats.gauges.nagios.warn!5!10', want: 1 },
    { name: 'http-critical', command: 'check_trendline_http!stats.gauges.nagios.crit!5!10', want: 2 },
  ];
}

function writeConfig(d: string, httpPort: number, user: string, group: string): string {
  const cfg = join(d, 'nagios.cfg');
  writeFileSync(
    cfg,
    `${[
      `log_file=${d}/nagios.log`,
      `cfg_file=${d}/objects.cfg`,
      `resource_file=${d}/resource.cfg`,
      `status_file=${d}/status.dat`,
      'status_update_interval=1',
      `object_cache_file=${d}/objects.cache`,
      `precached_object_file=${d}/objects.precache`,
      `temp_file=${d}/nagios.tmp`,
      `temp_path=${d}`,
      `lock_file=${d}/nagios.lock`,
      `state_retention_file=${d}/retention.dat`,
      'retain_state_information=0',
      `check_result_path=${d}/checkresults`,
      'check_result_reaper_frequency=1',
      'check_external_commands=0',
      `query_socket=${d}/nagios.qh`,
      'interval_length=1',
      `nagios_user=${user}`,
      `nagios_group=${group}`,
      'enable_notifications=0',
      'max_service_check_spread=1',
      'max_host_check_spread=1',
      'service_check_timeout=60',
      'use_syslog=0',
      'log_rotation_method=n',
    ].join('\n')}\n`,
  );
  // $USER1$ is where Debian puts the plugins; $USER2$ is check_trendline (node + the built entry file).
  writeFileSync(join(d, 'resource.cfg'), `$USER1$=${PLUGINS_DIR}\n$USER2$=${process.execPath} ${CHECK_TRENDLINE}\n`);
  const svc = services()
    .map(
      (s) => `define service {
  use                 test-service
  host_name           trendline
  service_description ${s.name}
  check_command       ${s.command}
}`,
    )
    .join('\n');
  // The same command and service definitions docs/nagios.md shows, with the plugin path from $USER2$.
  writeFileSync(
    join(d, 'objects.cfg'),
    `define timeperiod {
  timeperiod_name 24x7
  alias           always
  sunday          00:00-24:00
  monday          00:00-24:00
  tuesday         00:00-24:00
  wednesday       00:00-24:00
  thursday        00:00-24:00
  friday          00:00-24:00
  saturday        00:00-24:00
}
define contact {
  contact_name                  nobody
  host_notifications_enabled    0
  service_notifications_enabled 0
  host_notification_period      24x7
  service_notification_period   24x7
  host_notification_options     n
  service_notification_options  n
  host_notification_commands    notify-none
  service_notification_commands notify-none
}
define command {
  command_name notify-none
  command_line $USER1$/check_dummy 0
}
define command {
  command_name check-host-alive
  command_line $USER1$/check_dummy 0 up
}
# check_trendline: $ARG1$ target, $ARG2$ warning, $ARG3$ critical, $ARG4$ more options
define command {
  command_name check_trendline
  command_line $USER2$ -H $HOSTADDRESS$ -p ${httpPort} --target '$ARG1$' -w '$ARG2$' -c '$ARG3$' $ARG4$
}
# plain check_http against /check: 200 OK, 429 WARNING, 503 CRITICAL
define command {
  command_name check_trendline_http
  command_line $USER1$/check_http -I $HOSTADDRESS$ -p ${httpPort} -u '/check?target=$ARG1$&warning=$ARG2$&critical=$ARG3$'
}
define host {
  host_name             trendline
  address               127.0.0.1
  check_command         check-host-alive
  max_check_attempts    1
  check_interval        1
  check_period          24x7
  contacts              nobody
  notification_period   24x7
}
define service {
  name                  test-service
  register              0
  check_interval        1
  retry_interval        1
  max_check_attempts    1
  check_period          24x7
  contacts              nobody
  notification_period   24x7
}
${svc}
`,
  );
  return cfg;
}

/** The servicestatus blocks of status.dat, by service description. */
function readServiceStatus(d: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let text = '';
  try {
    text = readFileSync(join(d, 'status.dat'), 'utf8');
  } catch {
    return out;
  }
  for (const block of text.matchAll(/servicestatus \{\n([\s\S]*?)\n\s*\}/g)) {
    const fields: Record<string, string> = {};
    for (const line of (block[1] as string).split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fields[line.slice(0, eq).trim()] = line.slice(eq + 1);
    }
    if (fields.service_description) out.set(fields.service_description, fields);
  }
  return out;
}

function logTail(d: string): string {
  try {
    return readFileSync(join(d, 'nagios.log'), 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no nagios.log)';
  }
}

beforeAll(async () => {
  requireFile(NAGIOS, 'nagios4-core');
  requireFile(join(PLUGINS_DIR, 'check_http'), 'monitoring-plugins-basic');
  tc = await startTestCollector();
  await tc.udp('nagios.ok:3.2|g\nnagios.warn:7|g\nnagios.crit:12|g');
  await tc.collector.flushNow();
  await waitFor(async () => (await tc.render('stats.gauges.nagios.*')).length === 3, 'the gauges');

  dir = tempDir();
  mkdirSync(join(dir, 'checkresults'));
  const root = process.getuid?.() === 0;
  const user = root ? 'nagios' : userInfo().username;
  const group = root ? 'nagios' : (await run('id', ['-gn'])).stdout.trim();
  const cfg = writeConfig(dir, tc.collector.httpPort, user, group);
  if (root) {
    const { uid, gid } = await nagiosIds();
    for (const f of ['', 'checkresults', 'nagios.cfg', 'objects.cfg', 'resource.cfg'])
      chownSync(join(dir, f), uid, gid);
  }
  const verify = await run(NAGIOS, ['-v', cfg]);
  expect(verify.code, verify.stdout).toBe(0);

  nagios = spawn(NAGIOS, [cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  nagios.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  nagios.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  nagiosExit = new Promise((resolve) => nagios?.once('exit', (code) => resolve(code)));
  void nagiosExit.then((code) => {
    if (nagios) output += `\n(nagios exited ${code})`;
  });
  // Nagios is up once it has written status.dat.
  await waitFor(async () => readServiceStatus(dir).size > 0 || output.includes('exited'), 'Nagios to start', 30_000);
  expect(readServiceStatus(dir).size, `${output}\n${logTail(dir)}`).toBe(services().length);
}, 90_000);

afterAll(async () => {
  if (nagios?.pid !== undefined && nagios.exitCode === null) {
    const child = nagios;
    nagios = undefined;
    child.kill('SIGTERM');
    const stopped = await Promise.race([nagiosExit, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (stopped === 'timeout') child.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await tc?.stop();
}, 60_000);

async function nagiosIds(): Promise<{ uid: number; gid: number }> {
  const uid = await run('id', ['-u', 'nagios']);
  const gid = await run('id', ['-g', 'nagios']);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

describe('Nagios 4 running check_trendline and check_http against /check', () => {
  it('records the state of every service', async () => {
    const want = services();
    let status = new Map<string, Record<string, string>>();
    try {
      await waitFor(
        async () => {
          status = readServiceStatus(dir);
          return want.every((s) => {
            const st = status.get(s.name);
            return st?.has_been_checked === '1' && Number(st.current_state) === s.want;
          });
        },
        'Nagios to check every service',
        90_000,
      );
    } catch (err) {
      const seen = want.map(
        (s) => `${s.name}: ${status.get(s.name)?.current_state} ${status.get(s.name)?.plugin_output}`,
      );
      throw new Error(`${(err as Error).message}\n${seen.join('\n')}\n${logTail(dir)}`);
    }
    const get = (name: string) => status.get(name) as Record<string, string>;
    expect(get('trendline-ok').plugin_output).toBe('TRENDLINE OK - stats.gauges.nagios.ok = 3.2');
    expect(get('trendline-ok').performance_data).toBe("'stats.gauges.nagios.ok'=3.2;5;10;;");
    expect(get('trendline-warning').plugin_output).toBe('TRENDLINE WARNING - stats.gauges.nagios.warn = 7');
    expect(get('trendline-critical').plugin_output).toBe('TRENDLINE CRITICAL - stats.gauges.nagios.crit = 12');
    expect(get('trendline-missing').plugin_output).toBe(
      'TRENDLINE UNKNOWN - no series matched "stats.gauges.nagios.none"',
    );
    expect(get('trendline-expression').plugin_output).toBe(
      'TRENDLINE CRITICAL - sumSeries(stats.gauges.nagios.{ok,warn}) = 10.2',
    );
    expect(get('http-ok').plugin_output).toMatch(/^HTTP OK: HTTP\/1\.1 200 OK/);
    expect(get('http-warning').plugin_output).toMatch(/^HTTP WARNING: HTTP\/1\.1 429/);
    expect(get('http-critical').plugin_output).toMatch(/^HTTP CRITICAL: HTTP\/1\.1 503/);
  });

  it('keeps one long-output line and one perfdata pair per series', () => {
    const several = readServiceStatus(dir).get('trendline-several') as Record<string, string>;
    expect(several.plugin_output).toBe(
      'TRENDLINE CRITICAL - stats.gauges.nagios.crit = 12 (3 series: 1 critical, 1 warning, 1 ok)',
    );
    // status.dat escapes the line breaks of the long output.
    expect(several.long_plugin_output?.split('\\n')).toEqual([
      'CRITICAL: stats.gauges.nagios.crit = 12',
      'OK: stats.gauges.nagios.ok = 3.2',
      'WARNING: stats.gauges.nagios.warn = 7 ',
    ]);
    expect(several.performance_data?.split(/\s+/).filter((p) => p !== '')).toEqual([
      "'stats.gauges.nagios.crit'=12;5;10;;",
      "'stats.gauges.nagios.ok'=3.2;5;10;;",
      "'stats.gauges.nagios.warn'=7;5;10;;",
    ]);
  });
});
