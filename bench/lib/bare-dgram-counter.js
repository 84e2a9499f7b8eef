import dgram from 'node:dgram';

/**
 * The ceiling of Node's UDP receive path: a socket that only counts lines (non-empty, \n-separated, as
 * StatsD counts metrics_received), nothing else. Forked with IPC: argv[2] = receive buffer bytes or 0 for
 * the kernel default. Replies to {type:'count'} with the running total.
 */
const NEWLINE = 10;
const requested = Number(process.argv[2] ?? 0);
let lines = 0;

function countLines(buf) {
  let n = 0;
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(NEWLINE, start);
    const end = nl === -1 ? buf.length : nl;
    if (end > start) n++;
    if (nl === -1) return n;
    start = nl + 1;
  }
}

const socket = dgram.createSocket('udp4');
socket.on('message', (msg) => {
  lines += countLines(msg);
});
socket.bind(0, '127.0.0.1', () => {
  if (requested > 0) socket.setRecvBufferSize(requested);
  process.send({ type: 'ready', port: socket.address().port, rcvbuf: socket.getRecvBufferSize() });
});
process.on('message', (msg) => {
  if (msg.type === 'count') process.send({ type: 'count', lines });
  if (msg.type === 'exit') socket.close(() => process.exit(0));
});

// If the benchmark runner dies, don't linger.
process.on('disconnect', () => process.exit(0));
