import dgram from 'node:dgram';
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { Aggregator } from '../aggregate/aggregator.js';
import { type ParseOptions, parsePacket } from './statsd-line.js';

/**
 * The StatsD sockets: UDP datagrams and TCP streams on one port, both feeding the aggregator.
 * A datagram is one packet; a TCP stream is cut at newlines, carrying a partial line across chunks.
 */

export interface StatsdServerOptions {
  host: string;
  port: number;
  /** Requested SO_RCVBUF; the kernel caps it at net.core.rmem_max. */
  udpReceiveBufferBytes: number;
  maxTcpConnections: number;
  parse: ParseOptions;
}

export interface StatsdServer {
  readonly port: number;
  /** The receive buffer the kernel actually granted (Linux reports double the usable size). */
  readonly udpReceiveBufferBytes: number;
  close(): Promise<void>;
}

/** What every transport does with one packet: count it, and parse its lines into the aggregator. */
export function packetHandler(aggregator: Aggregator, parse: ParseOptions): (text: string) => void {
  const { self } = aggregator;
  return (text) => {
    self['statsd.packets_received'].value++;
    self['statsd.metrics_received'].value += parsePacket(text, aggregator, parse);
  };
}

export async function startStatsdServer(options: StatsdServerOptions, aggregator: Aggregator): Promise<StatsdServer> {
  const onPacket = packetHandler(aggregator, options.parse);

  const tcp = net.createServer((socket) => handleTcp(socket, options.parse.maxLineLength, onPacket, aggregator));
  tcp.maxConnections = options.maxTcpConnections;
  await listenTcp(tcp, options.host, options.port);
  const port = (tcp.address() as net.AddressInfo).port;

  const udp = dgram.createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  udp.on('message', (msg) => onPacket(msg.toString('utf8')));
  try {
    await bindUdp(udp, options.host, port);
  } catch (err) {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    throw err;
  }
  try {
    udp.setRecvBufferSize(options.udpReceiveBufferBytes);
  } catch {
    // Above rmem_max without privileges: keep the kernel's default and report what we got.
  }
  const granted = udp.getRecvBufferSize();
  // After startup a socket error must not crash the collector; bad traffic is counted by the parser.
  udp.on('error', () => undefined);
  tcp.on('error', () => undefined);

  return {
    port,
    udpReceiveBufferBytes: granted,
    close: () =>
      Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => {
          tcp.close(() => resolve());
          for (const s of openSockets.get(tcp) ?? []) s.destroy();
        }),
      ]).then(() => undefined),
  };
}

const openSockets = new WeakMap<net.Server, Set<net.Socket>>();

function handleTcp(socket: net.Socket, maxLineLength: number, onPacket: (text: string) => void, agg: Aggregator): void {
  const server = (socket as net.Socket & { server?: net.Server }).server;
  if (server) {
    let set = openSockets.get(server);
    if (!set) {
      set = new Set();
      openSockets.set(server, set);
    }
    set.add(socket);
    socket.once('close', () => set.delete(socket));
  }
  const decoder = new StringDecoder('utf8');
  let carry = '';
  // Once a line outgrows the limit, drop the rest of it up to the next newline.
  let discarding = false;
  socket.on('data', (chunk: Buffer) => {
    let text = carry + decoder.write(chunk);
    if (discarding) {
      const nl = text.indexOf('\n');
      if (nl === -1) {
        carry = '';
        return;
      }
      text = text.slice(nl + 1);
      discarding = false;
    }
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      carry = text;
    } else {
      carry = text.slice(cut + 1);
      onPacket(text.slice(0, cut));
    }
    if (carry.length > maxLineLength) {
      agg.bad(carry.slice(0, 64), 'line too long');
      carry = '';
      discarding = true;
    }
  });
  socket.on('end', () => {
    const rest = carry + decoder.end();
    carry = '';
    if (rest !== '' && !discarding) onPacket(rest);
  });
  socket.on('error', () => socket.destroy());
}

function listenTcp(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(portError('TCP', host, port, err)));
    server.listen({ host, port }, () => resolve());
  });
}

function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => reject(portError('UDP', host, port, err)));
    socket.bind({ address: host, port, exclusive: true }, () => resolve());
  });
}

function portError(proto: string, host: string, port: number, err: NodeJS.ErrnoException): Error {
  const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${err.code ?? err.message})`;
  return new Error(`StatsD ${proto} port ${host}:${port} ${why}`);
}
