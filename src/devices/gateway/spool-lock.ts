/**
 * One gateway per spool directory: two processes appending to the same segments would interleave
 * their sequence numbers and each forward the other's entries. The lock is a file holding the owner's
 * pid, created exclusively; a lock whose process is gone (the gateway was killed) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolLock {
  release(): Promise<void>;
}

export async function lockSpool(dir: string): Promise<SpoolLock> {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`).finally(() => handle.close());
      return { release: () => unlink(path).catch(() => {}) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new Error(`the spool ${dir} is in use by process ${owner} (another gateway?); if that process is not a gateway, remove ${path}`);
    }
    await unlink(path).catch(() => {}); // stale: its gateway was killed
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
