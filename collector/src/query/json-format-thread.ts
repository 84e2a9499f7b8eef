import { parentPort } from 'node:worker_threads';
import { formatJsonObjects, type JsonSeries } from './render-format.js';

/**
 * A thread that formats part of a large /render JSON body (json-format-pool.ts): its share of the series
 * in, their objects' bytes out. It holds nothing between requests.
 */

export interface FormatRequest {
  type: 'format';
  id: number;
  series: JsonSeries[];
  noNullPoints: boolean;
  /** Where to write (shared with the caller); a share that outgrows it gets a buffer of its own. */
  buffer: SharedArrayBuffer;
}

export interface Formatted {
  type: 'formatted';
  id: number;
  bytes: Uint8Array;
  ends: Uint32Array;
}

const port = parentPort;
if (port === null) throw new Error('json-format-thread runs as a worker thread');

port.on('message', (m: FormatRequest) => {
  try {
    const { bytes, ends } = formatJsonObjects(m.series, m.noNullPoints, Buffer.from(m.buffer));
    // Bytes in the shared buffer are the caller's already. A share that outgrew it has a buffer of its own,
    // which moves instead of being copied, unless it is a slab of Buffer's shared pool.
    const own = !(bytes.buffer instanceof SharedArrayBuffer) && bytes.buffer.byteLength > Buffer.poolSize;
    const reply: Formatted = { type: 'formatted', id: m.id, bytes, ends };
    port.postMessage(
      reply,
      own ? [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer] : [ends.buffer as ArrayBuffer],
    );
  } catch (err) {
    port.postMessage({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ type: 'ready' });
