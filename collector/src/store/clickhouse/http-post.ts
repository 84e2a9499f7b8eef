import http from 'node:http';

/**
 * One HTTP POST over pooled keep-alive connections (node:http). Not fetch: fetch copies every request
 * body (the Fetch standard's body extraction), and a flush sends ~10 MB of RowBinary; here the bytes go
 * from the encoder's buffer to the socket as they are.
 */

/** Idle connections are unreferenced by the agent: they do not keep the process alive. */
const agent = new http.Agent({ keepAlive: true });

export interface Answer {
  status: number;
  body: Buffer;
}

/** The request took longer than its deadline (connecting, sending and the whole answer). */
export class PostTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/** A request failure; `stale` when it failed on a reused connection the server had already closed. */
export interface PostError extends Error {
  code?: string;
  stale?: boolean;
}

export function post(url: string, body: string | Uint8Array, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: PostError) => {
      clearTimeout(timer);
      err.stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(err);
    };
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Length': length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete)
          return fail(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }));
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
      });
    });
    req.on('error', fail);
    timer = setTimeout(() => req.destroy(new PostTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
    // Like AbortSignal.timeout: a pending request's deadline does not keep the process alive.
    timer.unref();
    req.end(body);
  });
}
