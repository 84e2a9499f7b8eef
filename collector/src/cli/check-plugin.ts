import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parseRange, type ThresholdError } from '../check/range.js';
import { parseReducer, type ReducerError } from '../check/reduce.js';
import { CRITICAL, parseState, STATE_NAMES, type State, stateName, UNKNOWN } from '../check/state.js';

/**
 * `check_trendline`, the Nagios plugin (its entry point is check-trendline.ts). It asks a collector's `GET /check` (or `/check/deploy` with --deploy),
 * prints the answer verbatim and exits with the state the answer carries in X-Nagios-Status.
 *
 * It follows the Monitoring Plugins guidelines: reserved options (-H -p -u -w -c -t -v -V -h), bad arguments,
 * -h and -V exit 3 (UNKNOWN); a collector that cannot be reached is UNKNOWN and one that does not answer in
 * time is the --timeout-result state (CRITICAL by default, as the plugins' socket timeout), with the reason on
 * the first line.
 *
 * Loads nothing but node:http(s) and the pure check modules, so Nagios pays little for each run.
 */

const PROG = 'check_trendline';
const DEFAULT_PORT = 8080;
const DEFAULT_TIMEOUT_SEC = 10;

interface OptSpec {
  long: string;
  short?: string;
  /** Takes a value. */
  value: boolean;
  /** May be given more than once (values collect; flags count). */
  repeat?: boolean;
  arg?: string;
  help: string;
}

const OPTIONS: OptSpec[] = [
  { long: 'hostname', short: 'H', value: true, arg: 'HOST', help: 'collector host (with -p; or use --url)' },
  { long: 'port', short: 'p', value: true, arg: 'PORT', help: `collector HTTP port (default ${DEFAULT_PORT})` },
  { long: 'ssl', short: 'S', value: false, help: 'use https with -H' },
  { long: 'url', short: 'u', value: true, arg: 'URL', help: 'collector base URL, e.g. http://trendline:8080' },
  {
    long: 'target',
    value: true,
    repeat: true,
    arg: 'TARGET',
    help: 'Graphite target (series or expression); repeatable',
  },
  {
    long: 'warning',
    short: 'w',
    value: true,
    arg: 'RANGE',
    help: 'warning threshold range (10, 10:, ~:10, 10:20, @10:20)',
  },
  { long: 'critical', short: 'c', value: true, arg: 'RANGE', help: 'critical threshold range' },
  { long: 'from', value: true, arg: 'TIME', help: 'start of the range, Graphite syntax (default -5min)' },
  { long: 'until', value: true, arg: 'TIME', help: 'end of the range (default now)' },
  {
    long: 'agg',
    value: true,
    arg: 'REDUCER',
    help: 'last|avg|min|max|sum|median|pNN|count|nullcnt|nullpct (default avg)',
  },
  { long: 'skip-partial', value: false, help: 'leave out the last, unfinished interval' },
  {
    long: 'on-missing',
    value: true,
    arg: 'STATE',
    help: 'state when data is missing or stale: unknown|ok|warning|critical (default unknown)',
  },
  {
    long: 'min-points',
    value: true,
    arg: 'N',
    help: 'fewer non-null points is missing data (default 1; 0 for count, nullcnt, nullpct)',
  },
  { long: 'max-age', value: true, arg: 'AGE', help: 'newest point older than this is missing data (seconds, or 5min)' },
  { long: 'any', value: false, help: 'several series: alert when any series alerts; series without data do not count' },
  { long: 'all', value: false, help: 'several series: alert only when every series alerts' },
  { long: 'uom', value: true, arg: 'UOM', help: 'perfdata unit: s, ms, us, %, B, KB, MB, TB or c' },
  { long: 'deploy', value: false, help: 'deploy check: did the latest deploy of --service make the target worse?' },
  { long: 'service', value: true, arg: 'NAME', help: 'with --deploy: the service whose latest deploy is judged' },
  {
    long: 'worse',
    value: true,
    arg: 'STATE',
    help: 'with --deploy: state when it got worse, critical|warning (default critical)',
  },
  {
    long: 'window',
    value: true,
    arg: 'AGE',
    help: 'with --deploy: the window before and after the deploy (default 30min)',
  },
  { long: 'better', value: true, arg: 'lower|higher', help: 'with --deploy: which way is good (default lower)' },
  {
    long: 'timeout',
    short: 't',
    value: true,
    arg: 'SEC[:STATE]',
    help: `seconds before giving up (default ${DEFAULT_TIMEOUT_SEC})`,
  },
  {
    long: 'timeout-result',
    value: true,
    arg: 'STATE',
    help: 'state on timeout: ok|warning|critical|unknown (default critical)',
  },
  {
    long: 'verbose',
    short: 'v',
    value: false,
    repeat: true,
    help: 'show the request and the answer on stderr (-vv: headers)',
  },
  { long: 'version', short: 'V', value: false, help: 'print the version and exit' },
  { long: 'help', short: 'h', value: false, help: 'print this help and exit' },
];

class UsageError extends Error {}

type Parsed = Map<string, string[]>;

/** getopt-style: `-w 10`, `-w10`, `--warning 10`, `--warning=10`, `-vvv`; a value may start with `-` (`-w -5:5`). */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const out: Parsed = new Map();
  const put = (spec: OptSpec, value: string) => {
    const prev = out.get(spec.long);
    if (prev && !spec.repeat) throw new UsageError(`--${spec.long} given more than once`);
    out.set(spec.long, [...(prev ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const needValue = (spec: OptSpec, name: string): string => {
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value (${spec.arg ?? 'VALUE'})`);
      i++;
      return argv[i] as string;
    };
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = OPTIONS.find((o) => o.long === name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (!spec.value) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        put(spec, '');
      } else {
        put(spec, eq >= 0 ? arg.slice(eq + 1) : needValue(spec, `--${name}`));
      }
    } else if (arg.startsWith('-') && arg.length > 1 && arg !== '--') {
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j] as string;
        const spec = OPTIONS.find((o) => o.short === ch);
        if (!spec) throw new UsageError(`unknown option -${ch}`);
        if (!spec.value) {
          put(spec, '');
          continue;
        }
        const rest = arg.slice(j + 1);
        put(spec, rest !== '' ? rest : needValue(spec, `-${ch}`));
        break;
      }
    } else {
      throw new UsageError(`unexpected argument "${arg}" (options only; see --help)`);
    }
  }
  return out;
}

export interface PluginRequest {
  url: string;
  timeoutMs: number;
  timeoutState: State;
  verbose: number;
}

function one(opts: Parsed, name: string): string | undefined {
  return opts.get(name)?.[0];
}

function stateOption(opts: Parsed, name: string, fallback: State, allowed: readonly string[] = STATE_NAMES): State {
  const text = one(opts, name);
  if (text === undefined) return fallback;
  const s = parseState(text);
  if (s === undefined || !allowed.includes(stateName(s))) {
    throw new UsageError(`--${name} "${text}": use ${allowed.map((a) => a.toLowerCase()).join(', ')}`);
  }
  return s;
}

function baseUrl(opts: Parsed): string {
  const url = one(opts, 'url');
  const host = one(opts, 'hostname');
  if (url !== undefined && host !== undefined) throw new UsageError('give either --url or -H, not both');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new UsageError(`--url "${url}": use http or https`);
    if (one(opts, 'port') !== undefined) throw new UsageError('-p goes with -H; put the port in --url');
    // The base URL, also when given as the check's own URL (`…/check`).
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '').replace(/\/check(?:\/deploy)?$/, '')}`;
  }
  if (host === undefined || host === '') throw new UsageError('no collector given: use -H HOST [-p PORT] or --url URL');
  const portText = one(opts, 'port') ?? String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new UsageError(`-p "${portText}": expected a port number`);
  }
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${opts.has('ssl') ? 'https' : 'http'}://${hostPart}:${portText}`;
}

/** Turns the command line into the request to make; throws UsageError for bad arguments. */
export function buildRequest(opts: Parsed): PluginRequest {
  const base = baseUrl(opts);
  const targets = opts.get('target') ?? [];
  if (targets.length === 0 || targets.some((t) => t.trim() === '')) throw new UsageError('--target is required');
  const q = new URLSearchParams();
  for (const t of targets) q.append('target', t);
  const deploy = opts.has('deploy');
  const checkOnly = [
    'warning',
    'critical',
    'agg',
    'skip-partial',
    'min-points',
    'max-age',
    'any',
    'all',
    'uom',
    'from',
    'until',
  ];
  const deployOnly = ['service', 'worse', 'window', 'better'];
  for (const name of deploy ? checkOnly : deployOnly) {
    if (opts.has(name)) throw new UsageError(`--${name} ${deploy ? 'does not apply to --deploy' : 'needs --deploy'}`);
  }
  if (deploy) {
    const service = one(opts, 'service');
    if (service === undefined || service.trim() === '') throw new UsageError('--deploy needs --service NAME');
    q.set('service', service);
    const worse = one(opts, 'worse');
    if (worse !== undefined) {
      stateOption(opts, 'worse', CRITICAL, ['WARNING', 'CRITICAL']);
      q.set('worse', worse.toLowerCase());
    }
    const window = one(opts, 'window');
    if (window !== undefined) q.set('window', window);
    const better = one(opts, 'better');
    if (better !== undefined) {
      if (better !== 'lower' && better !== 'higher') throw new UsageError(`--better "${better}": use lower or higher`);
      q.set('better', better);
    }
  } else {
    for (const [opt, param] of [
      ['warning', 'warning'],
      ['critical', 'critical'],
    ] as const) {
      const text = one(opts, opt);
      if (text === undefined || text.trim() === '') continue;
      try {
        parseRange(text);
      } catch (err) {
        throw new UsageError(`-${opt[0]}: ${(err as ThresholdError).message}`);
      }
      q.set(param, text);
    }
    const agg = one(opts, 'agg');
    if (agg !== undefined) {
      try {
        parseReducer(agg);
      } catch (err) {
        throw new UsageError(`--agg: ${(err as ReducerError).message}`);
      }
      q.set('agg', agg);
    }
    if (opts.has('skip-partial')) q.set('skipPartial', 'true');
    const minPoints = one(opts, 'min-points');
    if (minPoints !== undefined) {
      if (!/^\d{1,9}$/.test(minPoints)) throw new UsageError(`--min-points "${minPoints}": expected a whole number`);
      q.set('minPoints', minPoints);
    }
    const maxAge = one(opts, 'max-age');
    if (maxAge !== undefined) q.set('maxAge', maxAge);
    if (opts.has('any') && opts.has('all')) throw new UsageError('--any and --all exclude each other');
    if (opts.has('any')) q.set('any', 'true');
    if (opts.has('all')) q.set('all', 'true');
    for (const name of ['from', 'until', 'uom'] as const) {
      const v = one(opts, name);
      if (v !== undefined) q.set(name, v);
    }
  }
  if (opts.has('on-missing')) q.set('onMissing', stateName(stateOption(opts, 'on-missing', UNKNOWN)).toLowerCase());

  let timeoutSec = DEFAULT_TIMEOUT_SEC;
  let timeoutState = stateOption(opts, 'timeout-result', CRITICAL);
  const t = one(opts, 'timeout');
  if (t !== undefined) {
    // The newer plugins' `-t 10:UNKNOWN` form sets the timeout state too.
    const m = /^(\d+(?:\.\d+)?)(?::([A-Za-z]+))?$/.exec(t);
    if (!m || Number(m[1]) <= 0) throw new UsageError(`-t "${t}": expected seconds, optionally :STATE`);
    timeoutSec = Number(m[1]);
    if (m[2] !== undefined) {
      const s = parseState(m[2]);
      if (s === undefined) throw new UsageError(`-t "${t}": unknown state "${m[2]}"`);
      timeoutState = s;
    }
  }
  return {
    url: `${base}${deploy ? '/check/deploy' : '/check'}?${q}`,
    timeoutMs: Math.round(timeoutSec * 1000),
    timeoutState,
    verbose: opts.get('verbose')?.length ?? 0,
  };
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function usage(): string {
  const lines = OPTIONS.map((o) => {
    const names = `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.value ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    return `  ${names.padEnd(34)} ${o.help}`;
  });
  return `${PROG} ${version()}: Nagios plugin that checks a Trendline series or Graphite expression.

Usage:
  ${PROG} -H HOST [-p PORT] | -u URL --target TARGET [-w RANGE] [-c RANGE] [--from -5min] [--agg avg]
                  [--skip-partial] [--on-missing STATE] [--min-points N] [--max-age AGE] [--any|--all]
                  [-t SECONDS] [--timeout-result STATE] [-v]
  ${PROG} -H HOST [-p PORT] | -u URL --deploy --service NAME --target TARGET [--worse critical|warning]

Options:
${lines.join('\n')}

Ranges follow the Monitoring Plugins guidelines: N alerts outside 0..N, N: below N, ~:N above N,
N:M outside N..M, @N:M inside N..M (ends inclusive). CRITICAL is checked before WARNING.

Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for --help and --version).
Example:
  ${PROG} -H trendline -p 8080 --target 'stats.timers.api.request.upper_95' -w 250 -c 500 --from -10min
`;
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One GET with a deadline covering connect, headers and body. */
async function get(url: string, timeoutMs: number): Promise<Answer> {
  const mod = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers: { 'User-Agent': `${PROG}/${version()}`, Accept: 'text/plain' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs);
    req.on('timeout', () => req.destroy(new TimeoutError()));
  });
}

class TimeoutError extends Error {}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').trim();
}

/** The plugin's answer: what to print and the exit code. */
export async function runPlugin(
  argv: readonly string[],
  log: (line: string) => void,
): Promise<{ output: string; code: State }> {
  const fail = (state: State, reason: string) => ({
    output: `TRENDLINE ${stateName(state)} - ${reason.replace(/[\r\n|]+/g, ' ')}\n`,
    code: state,
  });
  let request: PluginRequest;
  try {
    const opts = parseCommandLine(argv);
    if (opts.has('help')) return { output: usage(), code: UNKNOWN };
    if (opts.has('version')) return { output: `${PROG} ${version()}\n`, code: UNKNOWN };
    request = buildRequest(opts);
  } catch (err) {
    if (err instanceof UsageError) {
      return {
        output: `TRENDLINE UNKNOWN - ${err.message}\nUsage: ${PROG} -H HOST | -u URL --target TARGET [-w RANGE] [-c RANGE] (see --help)\n`,
        code: UNKNOWN,
      };
    }
    throw err;
  }
  const { url, timeoutMs, timeoutState, verbose } = request;
  if (verbose > 0) log(`${PROG}: GET ${url} (timeout ${timeoutMs / 1000} s)`);
  const started = Date.now();
  let answer: Answer;
  // A deadline for the whole exchange, whatever the socket does.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
  });
  try {
    answer = await Promise.race([get(url, timeoutMs), deadline]);
  } catch (err) {
    if (err instanceof TimeoutError) {
      return fail(timeoutState, `timeout after ${timeoutMs / 1000} s: no answer from the collector at ${url}`);
    }
    const e = err as NodeJS.ErrnoException;
    const why = e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
    return fail(UNKNOWN, `cannot reach the collector at ${url}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
  const header = answer.headers['x-nagios-status'];
  if (verbose > 0) {
    log(`${PROG}: HTTP ${answer.status}, X-Nagios-Status ${header ?? '(none)'}, ${Date.now() - started} ms`);
    if (verbose > 1) for (const [k, v] of Object.entries(answer.headers)) log(`${PROG}:   ${k}: ${v}`);
  }
  const code = typeof header === 'string' && /^[0-3]$/.test(header) ? (Number(header) as State) : undefined;
  if (code !== undefined && answer.body !== '') {
    return { output: answer.body.endsWith('\n') ? answer.body : `${answer.body}\n`, code };
  }
  if (answer.status === 404 && code === undefined) {
    return fail(UNKNOWN, `no Trendline check at ${url} (HTTP 404): is the URL the collector's?`);
  }
  if (answer.status >= 400 && answer.status < 500) {
    return fail(UNKNOWN, `the collector refused the check (HTTP ${answer.status}): ${firstLine(answer.body)}`);
  }
  return fail(UNKNOWN, `unexpected answer from ${url}: HTTP ${answer.status} ${firstLine(answer.body).slice(0, 200)}`);
}
