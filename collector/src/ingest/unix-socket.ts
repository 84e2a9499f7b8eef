import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

/**
 * A DogStatsD-style Unix datagram socket (`--statsd-socket PATH`): each datagram is one packet, as on UDP.
 * Node's dgram has no AF_UNIX datagrams, so this uses the native `unix-dgram`, loaded only when a socket
 * path is configured. A stale socket file left by a previous run is replaced; the file is removed on close.
 * unix-dgram is not context-aware, so it runs on the main thread (a worker may load it once per process
 * only); the collector hands its packets to the ingest thread.
 */

export interface UnixSocketOptions {
  path: string;
}

export interface UnixSocketServer {
  readonly path: string;
  close(): Promise<void>;
}

/** The part of unix-dgram used here (it ships no types). */
interface UnixDgramSocket {
  on(event: 'message', listener: (msg: Buffer) => void): void;
  on(event: 'error', listener: (err: Error & { code?: number | string }) => void): void;
  once(event: 'error', listener: (err: Error & { code?: number | string }) => void): void;
  once(event: 'listening', listener: () => void): void;
  removeAllListeners(event: string): void;
  bind(path: string): void;
  close(): void;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

export async function startUnixSocketServer(
  options: UnixSocketOptions,
  onPacket: (text: string) => void,
): Promise<UnixSocketServer> {
  const { path } = options;
  let unix: UnixDgram;
  try {
    unix = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
  } catch (err) {
    throw new Error(`StatsD socket ${path} cannot be opened (unix-dgram is not available: ${(err as Error).message})`);
  }
  removeStaleSocket(path);

  const socket = unix.createSocket('unix_dgram');
  socket.on('message', (msg) => onPacket(msg.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    // unix-dgram emits these synchronously from bind().
    socket.once('error', (err) => reject(new Error(`StatsD socket ${path} cannot be opened (${errnoName(err.code)})`)));
    socket.once('listening', () => resolve());
    socket.bind(path);
  }).catch((err: Error) => {
    closeQuietly(socket);
    throw err;
  });
  socket.removeAllListeners('error');
  // As with the UDP port, any local process may send: the socket is writable by all.
  try {
    chmodSync(path, 0o666);
  } catch {
    // Keep the umask's mode.
  }
  // After startup a socket error must not crash the collector.
  socket.on('error', () => undefined);

  let closed = false;
  return {
    path,
    close: async () => {
      if (closed) return;
      closed = true;
      closeQuietly(socket);
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}

/** A leftover socket file (a crash, kill -9) would make bind fail with EADDRINUSE; anything else is kept. */
function removeStaleSocket(path: string): void {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new Error(`StatsD socket ${path} cannot be opened (the path exists and is not a socket)`);
  unlinkSync(path);
}

function closeQuietly(socket: UnixDgramSocket): void {
  try {
    socket.close();
  } catch {
    // Closing a socket that failed to bind.
  }
}

/** unix-dgram reports -errno; name it (EACCES, ENOENT, …). */
function errnoName(code: number | string | undefined): string {
  if (typeof code === 'string') return code;
  if (typeof code !== 'number') return 'unknown error';
  const name = Object.entries(constants.errno).find(([, n]) => n === -code)?.[0];
  return name ?? `errno ${code}`;
}
