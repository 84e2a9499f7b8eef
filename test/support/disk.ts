import { closeSync, openSync, writeSync } from 'node:fs';

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
