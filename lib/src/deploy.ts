import { MetricsError } from './errors.js';
import type { EventBody } from './sink.js';

/**
 * Deploy marks over HTTP: POST {url}/events with Graphite's event JSON. Retries connection errors,
 * timeouts, 429 and 5xx with a short back-off; a 4xx is final. Never rejects: the result is a boolean and
 * failures go to `report`.
 */

export interface EventsEndpoint {
  /** The collector's base URL, without a trailing slash. */
  url: string;
  token: string | null;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
}

const BACKOFF_MS = [250, 500, 1000, 2000];

export async function postEvent(
  target: EventsEndpoint,
  event: EventBody,
  report: (error: MetricsError) => void,
): Promise<boolean> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.token !== null) headers.authorization = `Bearer ${target.token}`;
  const body = JSON.stringify(event);
  let last = '';
  for (let attempt = 0; attempt <= target.retries; attempt++) {
    if (attempt > 0) await sleep(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]);
    try {
      const res = await fetch(`${target.url}/events`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(target.timeoutMs),
      });
      if (res.ok) {
        await res.body?.cancel();
        return true;
      }
      last = `HTTP ${res.status}${await excerpt(res)}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (error) {
      last = describe(error, target.timeoutMs);
    }
  }
  report(
    new MetricsError(
      'TRENDLINE_DEPLOY_FAILED',
      `deploy mark "${event.what}" was not stored at ${target.url}/events: ${last}`,
      0,
    ),
  );
  return false;
}

/** Whether a deploy with all these tags was already marked since `fromSec`, per GET /events/get_data. */
export async function alreadyMarked(
  target: EventsEndpoint,
  tags: readonly string[],
  fromSec: number,
): Promise<boolean> {
  const q = new URLSearchParams({ from: String(fromSec), until: 'now', tags: tags.join(' '), set: 'intersection' });
  try {
    const res = await fetch(`${target.url}/events/get_data?${q}`, { signal: AbortSignal.timeout(target.timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const events = (await res.json()) as unknown;
    if (!Array.isArray(events)) return false;
    // Checked here too, in case the server read the tags as a union.
    return events.some((e: { tags?: unknown }) => {
      const have = Array.isArray(e?.tags) ? e.tags.map(String) : typeof e?.tags === 'string' ? e.tags.split(' ') : [];
      return tags.every((t) => have.includes(t));
    });
  } catch {
    return false;
  }
}

async function excerpt(res: Response): Promise<string> {
  try {
    const text = (await res.text()).trim();
    return text === '' ? '' : `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
  } catch {
    return '';
  }
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  if (cause?.message) return cause.message;
  return e?.message ?? String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
