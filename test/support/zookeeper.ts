import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './clickhouse.js';

/**
 * Test harness: Debian's ZooKeeper (package zookeeper, run on Java 17) on loopback, for ClickHouse's
 * Replicated tables. Standalone, data in a temp dir; stopped with SIGKILL.
 */

const JARS = ['zookeeper.jar', 'zookeeper-jute.jar', 'slf4j-api.jar'].map((j) => `/usr/share/java/${j}`);

export function zookeeperAvailable(): boolean {
  return existsSync('/usr/bin/java') && JARS.every((j) => existsSync(j));
}

export interface ZooKeeper {
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether the server answers ZooKeeper's `ruok` with `imok`. */
function ruok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('ruok'));
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('close', () => resolve(answer === 'imok'));
    socket.on('error', () => resolve(false));
  });
}

export async function startZooKeeper(): Promise<ZooKeeper> {
  const dir = mkdtempSync(join(tmpdir(), 'trendline-zk-'));
  const port = await freePort();
  mkdirSync(join(dir, 'data'));
  writeFileSync(
    join(dir, 'zoo.cfg'),
    `tickTime=500\ndataDir=${dir}/data\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n`,
  );
  const child: ChildProcess = spawn(
    '/usr/bin/java',
    ['-Xmx256m', '-cp', JARS.join(':'), 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(dir, 'zoo.cfg')],
    { cwd: dir, stdio: 'ignore' },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await ruok(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('ZooKeeper did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, stop };
}
