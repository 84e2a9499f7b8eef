import { parseArgs } from 'node:util';
import { ConfigError } from '../config-error.js';
import { parseDuration } from '../store/retention.js';

/**
 * `trendline deploy`: marks a deploy by POSTing Graphite's event JSON to the collector's /events, always
 * tagged `deploy`. Prints the stored event's id and exits 0; exits 1 with one line when the collector can't
 * be reached, doesn't answer in time or refuses the event, and 2 when the command line is wrong.
 */

export interface DeployOptions {
  url: string;
  what: string;
  tags: string[];
  data: string | undefined;
  when: number | undefined;
  token: string | null;
  timeoutSec: number;
}

interface FlagSpec {
  env: string;
  help: string;
  multiple?: boolean;
}

export const DEPLOY_FLAGS: Record<string, FlagSpec> = {
  url: { env: 'TRENDLINE_URL', help: "the collector's HTTP address, e.g. http://metrics:8080 (required)" },
  what: { env: 'TRENDLINE_WHAT', help: 'what was deployed, e.g. "api v1.4.2" (required)' },
  tags: {
    env: 'TRENDLINE_TAGS',
    help: 'more tags, comma- or space-separated, e.g. service:api,version:1.4.2; deploy is always added',
    multiple: true,
  },
  data: { env: 'TRENDLINE_DATA', help: 'free text, e.g. a commit message or changelog link' },
  when: { env: 'TRENDLINE_WHEN', help: 'epoch seconds of the deploy; default: when the collector receives it' },
  token: { env: 'TRENDLINE_TOKEN', help: 'bearer token, when the collector runs with --token' },
  timeout: { env: 'TRENDLINE_TIMEOUT', help: 'seconds to wait for the collector; default 10' },
};

const DEFAULT_TIMEOUT_SEC = 10;

export function deployHelp(): string {
  const lines = Object.entries(DEPLOY_FLAGS).map(([flag, spec]) => `  --${flag.padEnd(10)} ${spec.help} (${spec.env})`);
  return `usage: trendline deploy --url URL --what TEXT [--tags a,b] [--data TEXT] [--when EPOCH] [--token SECRET]

Marks a deploy: POST URL/events with {"what","tags","data","when"}, tagged deploy.
Prints the stored event id. Exit 0 stored; 1 the collector is unreachable, timed out or refused; 2 bad usage.

${lines.join('\n')}
`;
}

/** Reads argv (after `deploy`) and the environment; a flag wins over its twin. Throws ConfigError with one line. */
export function parseDeployOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DeployOptions {
  const options: Record<string, { type: 'string'; multiple?: boolean }> = {};
  for (const [flag, spec] of Object.entries(DEPLOY_FLAGS))
    options[flag] = { type: 'string', multiple: spec.multiple === true };
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: joinDashValues(argv, options), options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split('\n')[0]} (see trendline deploy --help)`);
  }
  const get = (flag: string): { source: string; value: string } | undefined => {
    const v = values[flag];
    if (v !== undefined) return { source: `--${flag}`, value: Array.isArray(v) ? v.join(',') : v };
    const e = env[DEPLOY_FLAGS[flag].env];
    return e !== undefined && e !== '' ? { source: DEPLOY_FLAGS[flag].env, value: e } : undefined;
  };
  const required = (flag: string) => {
    const v = get(flag);
    if (v === undefined || v.value.trim() === '') {
      throw new ConfigError(`missing --${flag} (or ${DEPLOY_FLAGS[flag].env}); see trendline deploy --help`);
    }
    return v;
  };

  const url = required('url');
  let parsed: URL;
  try {
    parsed = new URL(url.value.trim());
  } catch {
    throw new ConfigError(`${url.source} ${JSON.stringify(url.value)}: expected a URL such as http://metrics:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${url.source} ${JSON.stringify(url.value)}: expected an http:// or https:// URL`);
  }

  const tags = ['deploy'];
  for (const t of (get('tags')?.value ?? '').split(/[\s,]+/)) if (t !== '' && !tags.includes(t)) tags.push(t);

  let when: number | undefined;
  const whenText = get('when');
  if (whenText !== undefined) {
    if (!/^\d{1,12}(\.\d+)?$/.test(whenText.value.trim())) {
      throw new ConfigError(
        `${whenText.source} ${JSON.stringify(whenText.value)}: expected epoch seconds, e.g. 1700000000`,
      );
    }
    when = Number(whenText.value.trim());
  }

  let timeoutSec = DEFAULT_TIMEOUT_SEC;
  const timeoutText = get('timeout');
  if (timeoutText !== undefined) {
    const raw = timeoutText.value.trim();
    timeoutSec = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : parseDuration(raw, timeoutText.source);
    if (!(timeoutSec > 0) || timeoutSec > 3600) {
      throw new ConfigError(
        `${timeoutText.source} ${JSON.stringify(raw)}: expected seconds, more than 0 and at most 3600`,
      );
    }
  }

  const token = get('token');
  if (token !== undefined && /\s/.test(token.value.trim())) {
    throw new ConfigError(`${token.source}: a token contains no whitespace`);
  }
  return {
    url: parsed.href.replace(/\/+$/, ''),
    what: required('what').value.trim(),
    tags,
    data: get('data')?.value,
    when,
    token: token === undefined ? null : token.value.trim(),
    timeoutSec,
  };
}

export type DeployResult = { ok: true; id: number | null } | { ok: false; message: string };

/** POSTs the event once. Never throws: the outcome, with one line to show when it failed. */
export async function postDeploy(o: DeployOptions, fetchImpl: typeof fetch = fetch): Promise<DeployResult> {
  const endpoint = `${o.url}/events`;
  const body: Record<string, unknown> = { what: o.what, tags: o.tags };
  if (o.data !== undefined) body.data = o.data;
  if (o.when !== undefined) body.when = o.when;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.token !== null) headers.authorization = `Bearer ${o.token}`;
  const signal = AbortSignal.timeout(Math.round(o.timeoutSec * 1000));
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
    text = await res.text();
  } catch (err) {
    return { ok: false, message: unreachable(err, endpoint, o.timeoutSec) };
  }
  if (!res.ok) {
    const reason = firstLine(text);
    return {
      ok: false,
      message: `the collector at ${endpoint} refused the deploy: HTTP ${res.status}${reason ? `: ${reason}` : ''}`,
    };
  }
  try {
    const stored = JSON.parse(text) as { id?: unknown };
    if (typeof stored.id === 'number') return { ok: true, id: stored.id };
  } catch {
    // graphite-web answers 200 with an empty body: stored, but without an id to print.
  }
  return { ok: true, id: null };
}

function unreachable(err: unknown, endpoint: string, timeoutSec: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return `the collector at ${endpoint} did not answer within ${timeoutSec}s`;
  }
  const code = e?.cause?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
          ? 'the connection was closed'
          : firstLine(e?.cause?.message ?? e?.message ?? String(err));
  return `cannot reach the collector at ${endpoint}: ${why}${code ? ` (${code})` : ''}`;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** `--data -x` is one flag and its value; parseArgs would call the value ambiguous. */
function joinDashValues(argv: readonly string[], options: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && arg.slice(2) in options && next?.startsWith('-')) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export async function runDeploy(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(deployHelp());
    return;
  }
  let options: DeployOptions;
  try {
    options = parseDeployOptions(args, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`trendline deploy: ${err.message}\n`);
    process.exit(2);
  }
  const result = await postDeploy(options);
  if (!result.ok) {
    process.stderr.write(`trendline deploy: ${result.message}\n`);
    process.exit(1);
  }
  if (result.id === null) process.stderr.write('trendline deploy: stored, but the server returned no event id\n');
  else process.stdout.write(`${result.id}\n`);
  // Don't wait for the keep-alive connection to time out.
  process.exit(0);
}
