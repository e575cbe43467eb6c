/**
 * `<dataDir>/nirantar.lock`: one Nirantar process per data directory. Two supervisors on one
 * PostgreSQL data directory would each treat the other's server as a stale orphan and stop it.
 * The file holds the owner's PID and start time; a lock whose owner is gone (killed, crashed,
 * machine rebooted) is taken over, a lock held by a live Node process is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive, processExecutableName, processStartTime } from './process-probe.js';

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Synchronous so it can run in an 'exit' handler. */
  release(): void;
}

export const LOCK_FILE_NAME = 'nirantar.lock';

/** Lock files held by this process: our own PID in a lock file is only "held" if it is in here. */
const heldHere = new Set<string>();

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  const ours = `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusively(lockPath, ours)) {
      heldHere.add(lockPath);
      return { path: lockPath, release: () => release(lockPath, ours) };
    }
    const existing = readOrEmpty(lockPath);
    const holder = liveHolder(lockPath, existing);
    if (holder !== undefined) {
      const who = holder === process.pid ? `this same process (PID ${holder})` : `process PID ${holder}`;
      throw new Error(`Nirantar data directory ${dataDir} is already in use by ${who} (lock file ${lockPath}). ` +
        'Only one Nirantar may run on a data directory; stop the other one first.');
    }
    takeOver(lockPath, existing);
  }
  throw new Error(`could not take the lock ${lockPath}: it keeps changing; is another Nirantar starting?`);
}

/**
 * Atomic create. The content is written to a private file first and then hard-linked into place
 * (link fails if the name exists, like open with 'wx'), so no reader ever sees a half-written lock.
 */
function createExclusively(lockPath: string, content: string): boolean {
  const temp = `${lockPath}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content, { mode: 0o644 });
  const fd = fs.openSync(temp, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  try {
    fs.linkSync(temp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function liveHolder(lockPath: string, content: string): number | undefined {
  const [pidText, startTime] = content.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return heldHere.has(lockPath) ? pid : undefined;
  if (!isProcessAlive(pid) || !/node/i.test(processExecutableName(pid) ?? 'node')) return undefined;
  const currentStart = processStartTime(pid);
  if (startTime && currentStart && startTime !== currentStart) return undefined; // PID reused
  return pid;
}

/**
 * Moves the stale file aside before deleting it. If another process replaced it between our read
 * and the rename, what we moved is not what we judged stale: put it back and let the loop re-judge.
 */
function takeOver(lockPath: string, judgedStale: string): void {
  const aside = `${lockPath}.stale.${process.pid}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (readOrEmpty(aside) !== judgedStale) {
    try { fs.linkSync(aside, lockPath); } catch { /* someone newer holds it now; the loop will see */ }
  }
  fs.rmSync(aside, { force: true });
}

function release(lockPath: string, ours: string): void {
  if (!heldHere.delete(lockPath)) return;
  if (readOrEmpty(lockPath) === ours) fs.rmSync(lockPath, { force: true });
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
