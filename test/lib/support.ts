import dgram from 'node:dgram';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** A bare UDP socket that keeps every datagram the library sends. */
export interface UdpReceiver {
  port: number;
  datagrams: Buffer[];
  /** All lines received so far, in order. */
  lines(): string[];
  /** Waits until `n` lines have arrived. */
  waitForLines(n: number, ms?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function udpReceiver(): Promise<UdpReceiver> {
  const socket = dgram.createSocket('udp4');
  const datagrams: Buffer[] = [];
  socket.on('message', (msg) => datagrams.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const lines = () => datagrams.flatMap((d) => d.toString('utf8').split('\n'));
  return {
    port: (socket.address() as AddressInfo).port,
    datagrams,
    lines,
    async waitForLines(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (lines().length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} lines, got ${lines().length}: ${lines().join(' ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return lines();
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A small HTTP server that records requests and answers from a script (default 200). */
export interface EventServer {
  url: string;
  requests: RecordedRequest[];
  /** Each request takes the next answer; the last one repeats. */
  answers: Array<{ status: number; body?: string; delayMs?: number } | 'hang-up'>;
  close(): Promise<void>;
}

export async function eventServer(answers: EventServer['answers'] = [{ status: 200 }]): Promise<EventServer> {
  const requests: RecordedRequest[] = [];
  const state = { answers };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const list = state.answers;
      const answer = list[Math.min(requests.length - 1, list.length - 1)];
      if (answer === 'hang-up') {
        req.socket.destroy();
        return;
      }
      const reply = () => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get answers() {
      return state.answers;
    },
    set answers(a) {
      state.answers = a;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A small seeded PRNG, so sampling tests are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A TCP port that nothing listens on (it was free a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
