import { fork } from 'node:child_process';
import { track } from './proc.js';

/** The parent's handle on a udp-sender.js process: one workload, any number of paced runs. */
export class Sender {
  static async start(workload) {
    const child = track(
      fork(new URL('./udp-sender.js', import.meta.url), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    );
    const sender = new Sender(child);
    const ready = await sender.request({ type: 'init', workload }, 'ready');
    sender.info = { linesPerPacket: ready.linesPerPacket, bytesPerLine: ready.bytesPerLine };
    return sender;
  }

  constructor(child) {
    this.child = child;
    this.pid = child.pid;
  }

  request(message, replyType) {
    return new Promise((resolve, reject) => {
      const onMessage = (msg) => {
        if (msg.type !== replyType) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(msg);
      };
      const onExit = (code) => reject(new Error(`sender exited (${code})`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }

  /** Sends `rate` lines/s to 127.0.0.1:port for durationMs; resolves with what actually went out. */
  send(port, rate, durationMs) {
    return this.request({ type: 'run', port, rate, durationMs }, 'done');
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'exit' });
    await exited;
  }
}
