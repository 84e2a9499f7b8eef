import dgram from 'node:dgram';
import { buildPool } from './workload.js';

/**
 * The load generator, run as its own process (forked by sender.js) so it never shares an event loop with
 * a receiver. One connected UDP socket (no per-send address lookup) cycles through pre-built packets,
 * paced in ~1 ms bursts: each timer tick sends whatever the target rate says is due.
 */

let pool = null;

async function connected(port) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.connect(port, '127.0.0.1', resolve));
  return socket;
}

function run({ port, rate, durationMs, maxBurstMs = 4 }) {
  return connected(port).then(
    (socket) =>
      new Promise((resolve) => {
        const { packets, counts } = pool;
        let errors = 0;
        socket.on('error', () => errors++);
        let lines = 0;
        let sentPackets = 0;
        let next = 0;
        const cpu0 = process.cpuUsage();
        const start = performance.now();
        // A catch-up burst after a stall is capped, so a GC pause here doesn't become a flood there.
        const burstCap = (rate * maxBurstMs) / 1000;
        const tick = () => {
          const elapsed = performance.now() - start;
          if (elapsed >= durationMs) {
            const cpu = process.cpuUsage(cpu0);
            // Let queued sends leave before closing; closing early would drop them on our side.
            setTimeout(() => {
              socket.close();
              resolve({
                lines,
                packets: sentPackets,
                elapsedMs: elapsed,
                errors,
                cpuMs: (cpu.user + cpu.system) / 1000,
              });
            }, 20);
            return;
          }
          const due = Math.min((rate * elapsed) / 1000, lines + burstCap);
          while (lines < due) {
            socket.send(packets[next]);
            lines += counts[next];
            sentPackets++;
            next = next + 1 === packets.length ? 0 : next + 1;
          }
          setTimeout(tick, 1);
        };
        tick();
      }),
  );
}

process.on('message', (msg) => {
  if (msg.type === 'init') {
    pool = buildPool(msg.workload);
    process.send({ type: 'ready', linesPerPacket: pool.linesPerPacket, bytesPerLine: pool.bytesPerLine });
  } else if (msg.type === 'run') {
    void run(msg).then((result) => process.send({ type: 'done', ...result }));
  } else if (msg.type === 'exit') {
    process.exit(0);
  }
});

// If the benchmark runner dies, don't linger.
process.on('disconnect', () => process.exit(0));
