/**
 * The few fsync steps that make "on the gateway's disk" true: a file's bytes are durable only after
 * fsync of the file, and a newly created or renamed file is findable after a crash only after fsync
 * of its directory (POSIX leaves both to the application).
 */
import { open, rename } from 'node:fs/promises';

/** fsync a directory so the names created, renamed or removed in it survive a power cut. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` atomically: a reader after a crash sees the old content or the new,
 * never a mix (write a temporary file, fsync it, rename over, fsync the directory).
 */
export async function writeFileAtomically(dir: string, path: string, data: string): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await fsyncDirectory(dir);
}
