import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tempDir } from './collector.js';

/** Writes `file` until its device has not a byte left (ENOSPC): a full disk, for the full-disk tests. */
export function fillDevice(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

export interface SmallDisk {
  /** Where it is mounted (a new temp dir). */
  readonly path: string;
  /** Unmounts it and removes the mount point; safe to call twice, or after a failed mount. */
  unmount(): void;
}

/** A tmpfs of `sizeMb` MB on a new temp dir (`mount -t tmpfs`: needs root), for the full-disk tests. */
export function mountTmpfs(sizeMb: number): SmallDisk {
  const path = tempDir();
  const unmount = () => {
    try {
      execFileSync('umount', [path], { stdio: 'ignore' });
    } catch {
      // Not mounted.
    }
    rmSync(path, { recursive: true, force: true });
  };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', path]);
  } catch (err) {
    unmount();
    throw err;
  }
  return { path, unmount };
}
