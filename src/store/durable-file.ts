/**
 * Small files that must survive a power cut whole: written to a temporary name, fsynced, renamed
 * over the target, and the directory fsynced so the rename itself is on disk.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export async function writeFileDurably(file: string, content: string, mode = 0o644): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  // 'wx' after removing leftovers of a crash: `mode` only applies to a newly created file.
  await fs.rm(temp, { force: true });
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  await syncDirectory(path.dirname(file));
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
