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
  /** Where to write (the caller's, moved here and back); a share that outgrows it gets a buffer of its own. */
  buffer: ArrayBuffer;
}

export interface Formatted {
  type: 'formatted';
  id: number;
  bytes: Uint8Array;
  ends: Uint32Array;
  /** The request's values' buffer, handed back for reuse. */
  values: ArrayBuffer;
}

const port = parentPort;
if (port === null) throw new Error('json-format-thread runs as a worker thread');

port.on('message', (m: FormatRequest) => {
  try {
    const { bytes, ends } = formatJsonObjects(m.series, m.noNullPoints, Buffer.from(m.buffer));
    // The bytes' buffer moves back instead of being copied, unless it is a slab of Buffer's shared pool.
    const own = bytes.buffer.byteLength > Buffer.poolSize;
    // The series' values are views into one buffer.
    const values = (m.series[0]?.values.buffer ?? new ArrayBuffer(0)) as ArrayBuffer;
    const reply: Formatted = { type: 'formatted', id: m.id, bytes, ends, values };
    const moved = [ends.buffer as ArrayBuffer, values];
    port.postMessage(reply, own ? [bytes.buffer as ArrayBuffer, ...moved] : moved);
  } catch (err) {
    port.postMessage({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ type: 'ready' });
