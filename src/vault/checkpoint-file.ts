/**
 * `<hospital>/checkpoints.ndjson`: the signed checkpoints, one per line, append-only. Like segments,
 * a checkpoint exists once its line is fsynced; the file's directory is fsynced when the file is new.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from '../store/durable-file.js';
import { checkpointLine, type Checkpoint } from './checkpoint.js';
import { CHECKPOINTS_FILE } from './segment-files.js';

export function checkpointsPath(vaultDir: string, hospital: string): string {
  return path.join(vaultDir, hospital, CHECKPOINTS_FILE);
}

export async function appendCheckpoint(vaultDir: string, checkpoint: Checkpoint): Promise<void> {
  const file = checkpointsPath(vaultDir, checkpoint.hospital);
  let created = false;
  let handle;
  try {
    handle = await fs.open(file, 'ax', 0o644);
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    handle = await fs.open(file, 'a');
  }
  try {
    await handle.writeFile(`${checkpointLine(checkpoint)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) await syncDirectory(path.dirname(file));
}
